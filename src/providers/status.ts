import type {Deps} from '../core/deps.js'
import {ENVIRONMENTS, type EnvName, type ProviderName} from '../core/config.js'
import {PROVIDERS} from './registry.js'
import {secretOf} from '../core/profiles.js'
import {providerModule} from '../core/provider-module.js'
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
/** One environment's identity: the ids in the profile and whether its secret is stored. */
export interface IdentityStatus {
  env: EnvName
  active: boolean
  ids: Record<string, string>
  /** The secret of that environment in the secret store (env variables apply to the active one only). */
  secretStored: boolean
}
export interface ProviderStatus {
  provider: ProviderName
  env: EnvName
  urls: Record<string, string>
  ids: Record<string, string>
  credentials: CredentialStatus[]
  /** Every environment with an identity (ids in the profile, or a stored secret), the active one included. */
  identities: IdentityStatus[]
  /** Parts of the settings that are built-in guesses from the docs. */
  guesses: string[]
  /** What this provider's server accepted where the docs disagree (exchange path and field, token field). */
  serverChoices: Record<string, string>
  tokens: TokenStatus[]
}
export interface StatusResult {
  profile: string
  configDir: string
  secretStorage: string
  keychainError?: string
  providers: ProviderStatus[]
}

/** Where each credential of the profile comes from, and its cached tokens (metadata only, no secret read back). */
export async function collectStatus(deps: Deps): Promise<StatusResult> {
  const now = deps.now()
  const entries = (await deps.tokens.entries()).filter((entry) => entry.profile === deps.profile.name)
  let keychainError: string | undefined
  const providers: ProviderStatus[] = []
  for (const provider of PROVIDERS) {
    const settings = deps.profile[provider]
    const {name, envVar} = secretOf(provider)
    let storage: CredentialStatus['storage'] = 'missing'
    try {
      storage = (await deps.store.secret(provider, name, {env: settings.env}))?.source ?? 'missing'
    } catch (error) {
      if (!(error instanceof FtauthError)) throw error
      keychainError = error.message
      storage = envVar && deps.env[envVar] ? 'env' : 'unavailable'
    }
    const {provider: _p, env, guesses, ...rest} = settings
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
      identities: await identitiesOf(deps, provider, name, keychainError === undefined),
      guesses,
      serverChoices: await deps.tokens.serverChoices(provider, env),
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

/** Environments with an identity of this provider in the profile: ids in the config, or a stored secret. */
async function identitiesOf(deps: Deps, provider: ProviderName, secretName: string, canReadStore: boolean): Promise<IdentityStatus[]> {
  const configured = deps.profile.profile[provider]?.ids ?? {}
  const accounts = canReadStore ? await deps.store.accounts(provider).catch(() => [] as string[]) : []
  const identities: IdentityStatus[] = []
  for (const env of ENVIRONMENTS) {
    const ids = Object.fromEntries(Object.entries(configured[env] ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
    const secretStored = accounts.includes(deps.store.account(provider, `${env}.${secretName}`))
    const active = env === deps.profile[provider].env
    if (Object.keys(ids).length > 0 || secretStored || active)
      identities.push({env, active, ids: active ? {...ids, ...activeIds(deps, provider)} : ids, secretStored})
  }
  return identities
}

/** The ids the active environment resolves to (env variables and the local demo ids included). */
function activeIds(deps: Deps, provider: ProviderName): Record<string, string> {
  const settings = deps.profile[provider] as unknown as Record<string, unknown>
  const fields = providerModule(provider).identityFields
  return Object.fromEntries(fields.flatMap((field) => (typeof settings[field] === 'string' ? [[field, settings[field] as string]] : [])))
}
