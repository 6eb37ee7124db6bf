import {ExitCode, FtauthError} from './errors.js'
import {demoSecret, secretOf} from './profiles.js'
import {isProviderName, providerNames, type ProviderName} from './provider-module.js'
import type {SealedFile} from './sealed-cache.js'
import {MemoryBackend, type SecretBackend, type StorageKind} from './secret-backends.js'

export interface SecretLookup {
  value: string
  source: StorageKind
}

export interface FallbackOptions {
  /**
   * The credential a provider runs with when it came from the environment (or is the emulator's
   * public demo credential): the key material for that provider's sealed cache. Undefined otherwise.
   */
  credentialFor: (provider: ProviderName) => string | undefined
  /** Where a provider's sealed cache lives (one file per provider, each with its own salt). */
  sealedFile: (provider: ProviderName, credential: string) => SealedFile
  /** CI set: providers without an environment credential keep tokens in memory for the run. */
  ci: boolean
  warn: (line: string) => void
}

/**
 * The keychain, and what takes over when it cannot be reached (exit 7 from the primary):
 * - a provider whose credential came from the environment caches its tokens in a sealed file,
 *   encrypted with a key derived from that credential (src/core/sealed-cache.ts);
 * - with CI set, any other provider keeps tokens in memory for this run;
 * - otherwise the keychain error stands, naming the ways out.
 */
export class KeychainFallbackBackend implements SecretBackend {
  private unavailable: FtauthError | undefined
  private memory: MemoryBackend | undefined
  private readonly sealed = new Map<ProviderName, SealedBackend>()

  constructor(
    private readonly primary: SecretBackend,
    private readonly options: FallbackOptions,
  ) {}

  get kind(): SecretBackend['kind'] {
    if (!this.unavailable) return this.primary.kind
    return this.sealed.size ? 'sealed' : this.memory ? 'memory' : this.primary.kind
  }

  get label(): string {
    if (!this.unavailable) return this.primary.label
    const sealed = [...this.sealed.values()].map((backend) => backend.label)
    return [...sealed, ...(this.memory ? [this.memory.label] : [])].join('; ') || this.primary.label
  }

  /** The backend that holds an account once the keychain is known to be unreachable. */
  private fallbackFor(account: string): SecretBackend | undefined {
    const provider = providerOfAccount(account)
    const credential = provider && this.options.credentialFor(provider)
    if (provider && credential && isCredentialAccount(account)) {
      // A stored credential itself (`ftauth login`) is never sealed, only what it obtains: with no
      // keychain there is none to read (the environment's one is used), and none can be written.
      return new ReadOnlyEmpty(this.unavailable!)
    }
    if (provider && credential) {
      let backend = this.sealed.get(provider)
      if (!backend) {
        backend = new SealedBackend(this.options.sealedFile(provider, credential))
        this.sealed.set(provider, backend)
      }
      return backend
    }
    if (!this.options.ci) return undefined
    if (!this.memory) {
      this.memory = new MemoryBackend()
      this.options.warn(`${this.unavailable?.message}; CI is set, so tokens are kept in memory for this run only`)
    }
    return this.memory
  }

  private async run<T>(account: string, call: (backend: SecretBackend) => Promise<T>): Promise<T> {
    if (!this.unavailable) {
      try {
        return await call(this.primary)
      } catch (error) {
        if (!(error instanceof FtauthError) || error.exitCode !== ExitCode.keychain) throw error
        this.unavailable = error
      }
    }
    const fallback = this.fallbackFor(account)
    if (!fallback) throw this.unavailable
    return call(fallback)
  }

  servedBy(): string | undefined {
    return this.unavailable ? undefined : this.primary.servedBy?.()
  }

  get(account: string) {
    return this.run(account, (backend) => backend.get(account))
  }

  set(account: string, value: string) {
    return this.run(account, (backend) => backend.set(account, value))
  }

  delete(account: string) {
    return this.run(account, (backend) => backend.delete(account))
  }

  async accounts(): Promise<string[]> {
    if (!this.unavailable) {
      try {
        return await this.primary.accounts()
      } catch (error) {
        if (!(error instanceof FtauthError) || error.exitCode !== ExitCode.keychain) throw error
        this.unavailable = error
      }
    }
    const backends = providerNames().map((provider) => this.fallbackFor(`probe:${provider}:accounts`))
    if (backends.every((backend) => backend === undefined)) throw this.unavailable
    const lists = await Promise.all([...new Set(backends)].map((backend) => backend?.accounts() ?? []))
    return [...new Set(lists.flat())]
  }
}

/** Reads find nothing; writes fail with the keychain error. */
class ReadOnlyEmpty implements SecretBackend {
  readonly kind = 'memory' as const
  readonly label = 'nothing (no keychain)'

  constructor(private readonly unavailable: FtauthError) {}

  async get() {
    return null
  }

  async set(): Promise<void> {
    throw this.unavailable
  }

  async delete() {
    return false
  }

  async accounts() {
    return []
  }
}

class SealedBackend implements SecretBackend {
  readonly kind = 'sealed' as const
  readonly label: string

  constructor(private readonly file: SealedFile) {
    this.label = `sealed file ${file.path} (key from the environment credential)`
  }

  get(account: string) {
    return this.file.get(account)
  }

  set(account: string, value: string) {
    return this.file.set(account, value)
  }

  delete(account: string) {
    return this.file.delete(account)
  }

  accounts() {
    return this.file.accounts()
  }
}

/** `<profile>:<provider>:<env>.<secret name>`: where `ftauth login` keeps a client secret or API key. */
function isCredentialAccount(account: string): boolean {
  const [, provider, name] = account.split(':')
  return isProviderName(provider) && name?.endsWith(`.${secretOf(provider).name}`) === true
}

/** `<profile>:<provider>:<name>` → provider (profile names have no colon). */
function providerOfAccount(account: string): ProviderName | undefined {
  const provider = account.split(':')[1]
  return isProviderName(provider) ? provider : undefined
}

/** Secrets of one profile: `<profile>:<provider>:<name>` in the backend, env variables on top. */
export class CredentialStore {
  constructor(
    readonly backend: SecretBackend,
    readonly profile: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  account(provider: ProviderName, name: string): string {
    return `${this.profile}:${provider}:${name}`
  }

  /** A configured secret: env variable > store > the emulator's demo secret (local only). */
  async secret(provider: ProviderName, name: string, scope: {env: string}): Promise<SecretLookup | undefined> {
    const spec = secretOf(provider)
    const fromEnv = spec.name === name ? this.env[spec.envVar] : undefined
    if (fromEnv) return {value: fromEnv, source: 'env'}
    const stored = await this.backend.get(this.account(provider, `${scope.env}.${name}`))
    if (stored !== null) return {value: stored, source: this.backend.kind}
    if (scope.env === 'local') {
      const demo = demoSecret(provider, name)
      if (demo) return {value: demo, source: 'demo'}
    }
    return undefined
  }

  async setSecret(provider: ProviderName, name: string, scope: {env: string}, value: string): Promise<void> {
    await this.backend.set(this.account(provider, `${scope.env}.${name}`), value)
  }

  get(provider: ProviderName, name: string): Promise<string | null> {
    return this.backend.get(this.account(provider, name))
  }

  set(provider: ProviderName, name: string, value: string): Promise<void> {
    return this.backend.set(this.account(provider, name), value)
  }

  delete(provider: ProviderName, name: string): Promise<boolean> {
    return this.backend.delete(this.account(provider, name))
  }

  /** Every account of this profile (optionally one provider), for logout and status. */
  async accounts(provider?: ProviderName): Promise<string[]> {
    // Profile and provider compared whole (never as a prefix: profile `ci` is not `ci-old`).
    return (await this.backend.accounts()).filter((account) => {
      const [profile, owner] = account.split(':')
      return profile === this.profile && (!provider || owner === provider)
    })
  }

  async deleteAccount(account: string): Promise<boolean> {
    return this.backend.delete(account)
  }
}
