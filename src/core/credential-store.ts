import type {ProviderName} from './config.js'
import {ExitCode, FtauthError} from './errors.js'
import {demoSecret, SECRET_ENV_VARS} from './profiles.js'
import {MemoryBackend, type SecretBackend, type StorageKind} from './secret-backends.js'

export interface SecretLookup {
  value: string
  source: StorageKind
}

/**
 * Falls back to memory when no keychain is reachable and CI is set: commands with env credentials
 * still work and tokens are cached for this process only. Outside CI the keychain error stands.
 */
export class CiFallbackBackend implements SecretBackend {
  private fallback: MemoryBackend | undefined

  constructor(
    private readonly primary: SecretBackend,
    private readonly warn: (line: string) => void,
  ) {}

  get kind(): SecretBackend['kind'] {
    return this.fallback ? 'memory' : this.primary.kind
  }

  get label(): string {
    return this.fallback ? this.fallback.label : this.primary.label
  }

  private async run<T>(call: (backend: SecretBackend) => Promise<T>): Promise<T> {
    if (this.fallback) return call(this.fallback)
    try {
      return await call(this.primary)
    } catch (error) {
      if (!(error instanceof FtauthError) || error.exitCode !== ExitCode.keychain) throw error
      this.fallback = new MemoryBackend()
      this.warn(`${error.message}; CI is set, so tokens are kept in memory for this run only`)
      return call(this.fallback)
    }
  }

  get(account: string) {
    return this.run((backend) => backend.get(account))
  }

  set(account: string, value: string) {
    return this.run((backend) => backend.set(account, value))
  }

  delete(account: string) {
    return this.run((backend) => backend.delete(account))
  }

  accounts() {
    return this.run((backend) => backend.accounts())
  }
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
    const envVar = (SECRET_ENV_VARS[provider] as Record<string, string>)[name]
    const fromEnv = envVar ? this.env[envVar] : undefined
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
    const prefix = provider ? `${this.profile}:${provider}:` : `${this.profile}:`
    return (await this.backend.accounts()).filter((account) => account.startsWith(prefix))
  }

  async deleteAccount(account: string): Promise<boolean> {
    return this.backend.delete(account)
  }
}
