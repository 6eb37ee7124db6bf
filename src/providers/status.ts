import type {Deps} from '../core/deps.js'
import {PROVIDERS, type EnvName, type ProviderName} from '../core/config.js'
import {SECRET_ENV_VARS} from '../core/profiles.js'
import type {StorageKind} from '../core/secret-backends.js'
import {FtauthError} from '../core/errors.js'
import {redactUserinfo} from '../core/redact.js'

export interface CredentialStatus {
  name: string
  /** Where it comes from, or 'missing'; 'unavailable' when the keychain could not be read. */
  storage: StorageKind | 'missing' | 'unavailable'
}
export interface TokenStatus {
  key: string
  expiresAt: string
  expired: boolean
  secondsLeft: number
  scopes: string[]
  hasRefreshToken: boolean
  storage: string
}
export interface ProviderStatus {
  provider: ProviderName
  env: EnvName
  urls: Record<string, string>
  ids: Record<string, string>
  credentials: CredentialStatus[]
  tokens: TokenStatus[]
}
export interface StatusResult {
  profile: string
  configDir: string
  secretStorage: string
  keychainError?: string
  providers: ProviderStatus[]
}

const SECRET_NAMES: Record<ProviderName, string> = {funtrips: 'client_secret', fluz: 'api_key', shuttle: 'client_secret'}

/** Where each credential of the profile comes from, and its cached tokens (metadata only, no secret read back). */
export async function collectStatus(deps: Deps): Promise<StatusResult> {
  const now = deps.now()
  const entries = (await deps.tokens.entries()).filter((entry) => entry.profile === deps.profile.name)
  let keychainError: string | undefined
  const providers: ProviderStatus[] = []
  for (const provider of PROVIDERS) {
    const settings = deps.profile[provider]
    const name = SECRET_NAMES[provider]
    let storage: CredentialStatus['storage'] = 'missing'
    try {
      storage = (await deps.store.secret(provider, name, {env: settings.env}))?.source ?? 'missing'
    } catch (error) {
      const envVar = (SECRET_ENV_VARS[provider] as Record<string, string>)[name]
      if (!(error instanceof FtauthError)) throw error
      keychainError = error.message
      storage = envVar && deps.env[envVar] ? 'env' : 'unavailable'
    }
    const {provider: _p, env, ...rest} = settings
    const urls: Record<string, string> = {}
    const ids: Record<string, string> = {}
    for (const [key, value] of Object.entries(rest)) {
      if (typeof value !== 'string') continue
      // A password in a URL (https://user:pass@host) is masked like any secret.
      if (/url$/i.test(key) || key === 'exchangePath') urls[key] = redactUserinfo(value)
      else ids[key] = value
    }
    providers.push({
      provider,
      env,
      urls,
      ids,
      credentials: [{name, storage}],
      tokens: entries
        .filter((entry) => entry.provider === provider)
        .map((entry) => {
          const left = new Date(entry.expiresAt).getTime() - now.getTime()
          return {
            key: entry.key,
            expiresAt: entry.expiresAt,
            expired: left <= 0,
            secondsLeft: Math.round(left / 1000),
            scopes: entry.scopes,
            hasRefreshToken: entry.hasRefreshToken,
            storage: entry.storage,
          }
        }),
    })
  }
  return {
    profile: deps.profile.name,
    configDir: deps.paths.dir,
    secretStorage: deps.store.backend.label,
    ...(keychainError ? {keychainError} : {}),
    providers,
  }
}
