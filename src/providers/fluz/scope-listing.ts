import type {Deps} from '../../core/deps.js'
import type {EnvName} from '../../core/config.js'
import {getApplicationScopes} from './application-scopes.js'
import {cachedFluzTokens, fluzApiKey, resolveFluzIds, type FluzIdFlags} from './request.js'
import {isKnownScope, KNOWN_FLUZ_SCOPES} from './scopes.js'

export interface FluzScopeRow {
  scope: string
  meaning: string | null
  /** In the list gathered from the docs. */
  known: boolean
  /** Granted to the application (getApplicationScopes). */
  application: boolean
  /** Carried by the newest cached token for these ids. */
  cachedToken: boolean
}

export interface FluzScopesResult {
  env: EnvName
  url: string
  /** Which documented query answered, and the answer's shape (`strings`, or `objects.<field>`). */
  query: string
  shape: string
  applicationScopes: string[]
  cachedToken: {key: string; expiresAt: string; expired: boolean; scopes: string[]} | null
  scopes: FluzScopeRow[]
}

/**
 * The application's scopes (getApplicationScopes, Basic auth) beside the known list, marking those
 * the newest cached token carries (cache metadata only: no token is read from the keychain).
 */
export async function listFluzScopes(deps: Deps, idFlags: FluzIdFlags): Promise<FluzScopesResult> {
  const settings = deps.profile.fluz
  // Ids only pick the cached token to compare with; without them the list is still useful.
  const haveIds = Boolean((idFlags.userId ?? settings.userId) && (idFlags.accountId ?? settings.accountId))
  const newest = haveIds ? (await cachedFluzTokens(deps, resolveFluzIds(deps, idFlags)))[0] : undefined
  const apiKey = await fluzApiKey(deps, settings.env)
  const {scopes: applicationScopes, request, ms, query, shape} = await getApplicationScopes(deps, settings.url, apiKey)
  deps.report({
    type: 'step',
    title: 'Scopes',
    outcome: `the application holds ${applicationScopes.length} scopes (${query}, ${shape === 'strings' ? 'names' : shape})`,
    request,
    ms,
  })
  const tokenScopes = newest?.scopes ?? []
  const names = [...new Set([...Object.keys(KNOWN_FLUZ_SCOPES), ...applicationScopes, ...tokenScopes])]
  return {
    env: settings.env,
    url: settings.url,
    query,
    shape,
    applicationScopes,
    cachedToken: newest
      ? {key: newest.key, expiresAt: newest.expiresAt, expired: new Date(newest.expiresAt).getTime() <= deps.now().getTime(), scopes: tokenScopes}
      : null,
    scopes: names.map((scope) => ({
      scope,
      meaning: KNOWN_FLUZ_SCOPES[scope] ?? null,
      known: isKnownScope(scope),
      application: applicationScopes.includes(scope),
      cachedToken: tokenScopes.includes(scope),
    })),
  }
}
