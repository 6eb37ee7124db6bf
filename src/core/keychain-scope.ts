import {randomBytes} from 'node:crypto'
import {resolve} from 'node:path'

import {loadConfig, saveConfig} from './config.js'
import {withLock} from './locks.js'
import type {FtauthPaths} from './paths.js'
import type {SecretBackend} from './secret-backends.js'

/** The keychain service of the default config dir: what every version so far has used. */
export const KEYCHAIN_SERVICE = 'ftauth'

/** Service name of a config dir scoped by its keychain id. */
export const scopedService = (keychainId: string): string => `${KEYCHAIN_SERVICE}:${keychainId}`

/**
 * Which keychain service a config dir uses: FTAUTH_KEYCHAIN_SERVICE when set (tests, and users who
 * want to choose), `ftauth` for the default dir (so existing entries stay where they are), else
 * `ftauth:<keychainId>` from that dir's config.json — undefined until the first write creates it.
 */
export interface KeychainScope {
  /** The service, or undefined when this dir has never written to the keychain. */
  current(): Promise<string | undefined>
  /** The service, creating the dir's keychain id first if needed (on the first write). */
  ensure(): Promise<string>
}

export function keychainScope(options: {paths: FtauthPaths; defaultDir: string; env: NodeJS.ProcessEnv; keychainId: string | undefined}): KeychainScope {
  const fixed = options.env.FTAUTH_KEYCHAIN_SERVICE || (resolve(options.paths.dir) === resolve(options.defaultDir) ? KEYCHAIN_SERVICE : undefined)
  if (fixed) return {current: async () => fixed, ensure: async () => fixed}
  let keychainId = options.keychainId
  return {
    current: async () => (keychainId ? scopedService(keychainId) : undefined),
    async ensure() {
      keychainId ??= await ensureKeychainId(options.paths)
      return scopedService(keychainId)
    },
  }
}

/** Reads the dir's id, or writes a new one — under the config lock, so two first runs agree on one. */
async function ensureKeychainId(paths: FtauthPaths): Promise<string> {
  return withLock(paths.locks, 'config', async () => {
    const config = await loadConfig(paths.config)
    if (config.keychainId) return config.keychainId
    const keychainId = randomBytes(8).toString('hex')
    await saveConfig(paths.config, {...config, keychainId})
    return keychainId
  })
}

/**
 * The keychain under the service of one config dir. Before the dir's first write it has no
 * service yet: reads find nothing, and the first write creates the id.
 */
export class ScopedKeychainBackend implements SecretBackend {
  readonly kind = 'keychain' as const
  private readonly backends = new Map<string, SecretBackend>()

  constructor(
    private readonly scope: KeychainScope,
    private readonly open: (service: string) => SecretBackend,
    readonly label: string,
  ) {}

  private backend(service: string): SecretBackend {
    let backend = this.backends.get(service)
    if (!backend) {
      backend = this.open(service)
      this.backends.set(service, backend)
    }
    return backend
  }

  private async existing(): Promise<SecretBackend | undefined> {
    const service = await this.scope.current()
    return service === undefined ? undefined : this.backend(service)
  }

  async get(account: string): Promise<string | null> {
    return (await (await this.existing())?.get(account)) ?? null
  }

  async set(account: string, value: string): Promise<void> {
    await this.backend(await this.scope.ensure()).set(account, value)
  }

  async delete(account: string): Promise<boolean> {
    return (await (await this.existing())?.delete(account)) ?? false
  }

  async accounts(): Promise<string[]> {
    return (await (await this.existing())?.accounts()) ?? []
  }

  servedBy(): string | undefined {
    const paths = new Set([...this.backends.values()].map((backend) => backend.servedBy?.()).filter((path) => path !== undefined))
    return paths.size ? [...paths].join(' and ') : undefined
  }
}
