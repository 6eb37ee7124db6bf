import type {Deps} from './deps.js'
import type {ProviderName} from './config.js'

/** How a token came to be: reused from the cache, refreshed, or newly obtained through the flow. */
export type TokenOrigin = 'cache' | 'refresh' | 'new'

export interface UsableToken {
  token: string
  expiresAt: Date
  scopes: string[]
  origin: TokenOrigin
}

/**
 * What `ftauth call` (and `token inspect --provider`) needs from each provider, so that one generic
 * command can use all three: a valid token (running the provider's flow when none is cached or it
 * expired) and the provider's renewal rule after a 401.
 */
export interface TokenSource {
  readonly provider: ProviderName
  /** Base URL that bare paths are resolved against. */
  apiBase(deps: Deps): string
  /** Origins (scheme, host, port) that identify this provider in a full URL. */
  hosts(deps: Deps): string[]
  current(deps: Deps): Promise<UsableToken>
  /** Renew once after the server rejected `rejected` with 401 (each provider's own rule: a new session, a refresh, or a new token). */
  renew(deps: Deps, rejected: string): Promise<UsableToken>
}
