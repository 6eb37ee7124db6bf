import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import type {EnvName} from '../../core/config.js'
import {notLoggedIn, usageError} from '../../core/errors.js'
import type {CacheEntry} from '../../core/token-cache.js'
import {KNOWN_FLUZ_SCOPES, parseScopeList, scopeSetKey, unknownScopeWarnings} from './scopes.js'

/** Who the user access token is for. */
export interface FluzIds {
  userId: string
  accountId: string
  seatId: string | undefined
}

/** Everything that identifies one Fluz user access token: the cache key is made of it. */
export interface FluzTokenRequest extends FluzIds {
  profile: string
  env: EnvName
  /** The GraphQL endpoint (tokens from another endpoint are never reused). */
  url: string
  /** Requested scopes, de-duplicated, in the order given. */
  scopes: string[]
}

export interface FluzIdFlags {
  userId?: string | undefined
  accountId?: string | undefined
  seatId?: string | undefined
}

const Uuid = z.uuid()

/**
 * Ids from flags > FTAUTH_FLUZ_USER_ID/ACCOUNT_ID > profile (the last two already merged into
 * `deps.profile.fluz`), each checked as a UUID here so a typo never reaches Fluz.
 */
export function resolveFluzIds(deps: Deps, flags: FluzIdFlags): FluzIds {
  const settings = deps.profile.fluz
  const userId = checkedId(flags.userId, settings.userId, {flag: 'user-id', envVar: 'FTAUTH_FLUZ_USER_ID', key: 'userId', label: 'user id'}, deps)
  const accountId = checkedId(
    flags.accountId,
    settings.accountId,
    {flag: 'account-id', envVar: 'FTAUTH_FLUZ_ACCOUNT_ID', key: 'accountId', label: 'account id'},
    deps,
  )
  if (!userId) throw notLoggedIn('no Fluz user id', 'pass --user-id, set FTAUTH_FLUZ_USER_ID, or run `ftauth login fluz`')
  if (!accountId) throw notLoggedIn('no Fluz account id', 'pass --account-id, set FTAUTH_FLUZ_ACCOUNT_ID, or run `ftauth login fluz`')
  const seatId = checkedId(flags.seatId, settings.seatId, {flag: 'seat-id', key: 'seatId', label: 'seat id'}, deps)
  return {userId, accountId, seatId}
}

function checkedId(
  flag: string | undefined,
  configured: string | undefined,
  names: {flag: string; envVar?: string; key: string; label: string},
  deps: Deps,
): string | undefined {
  const value = flag ?? configured
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (Uuid.safeParse(trimmed).success) return trimmed.toLowerCase()
  const source =
    flag !== undefined ? `--${names.flag}` : names.envVar && deps.env[names.envVar] ? names.envVar : `profile "${deps.profile.name}" fluz.${names.key}`
  const shown = trimmed.length > 60 ? `${trimmed.slice(0, 60)}…` : trimmed
  throw usageError(`${source} is not a UUID ("${shown}")`, `give the Fluz ${names.label} as a UUID, e.g. 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f`)
}

export type ScopeOrigin = 'flags' | 'profile' | 'prompt' | 'cache'

/**
 * Scopes from the flags, else the profile's `fluz.scopes`, else (`fallback`) a checkbox prompt on a
 * terminal or the scope set of the newest cached token for these ids; else a usage error.
 * Unknown names only warn (with a did-you-mean): the full enum is not public.
 */
export async function resolveFluzScopes(
  deps: Deps,
  ids: FluzIds,
  given: readonly (string | undefined)[],
  fallback: 'prompt' | 'cache',
): Promise<{scopes: string[]; origin: ScopeOrigin}> {
  const resolved = await pickScopes(deps, ids, parseScopeList(given), fallback)
  for (const warning of unknownScopeWarnings(resolved.scopes)) deps.report({type: 'warn', text: warning})
  if (resolved.origin === 'profile' || resolved.origin === 'cache') {
    const from = resolved.origin === 'profile' ? `fluz.scopes of profile ${deps.profile.name}` : 'the newest cached token'
    deps.report({type: 'step', title: 'Scopes', outcome: `${resolved.scopes.join(' ')} (from ${from})`})
  }
  return resolved
}

async function pickScopes(deps: Deps, ids: FluzIds, flagged: string[], fallback: 'prompt' | 'cache'): Promise<{scopes: string[]; origin: ScopeOrigin}> {
  if (flagged.length > 0) return {scopes: flagged, origin: 'flags'}
  const configured = parseScopeList(deps.profile.fluz.scopes ?? [])
  if (configured.length > 0) return {scopes: configured, origin: 'profile'}
  if (fallback === 'cache') {
    const newest = (await cachedFluzTokens(deps, ids))[0]
    if (newest) return {scopes: newest.requestedScopes, origin: 'cache'}
    throw usageError(
      'no Fluz scopes configured and no Fluz token cached for these ids',
      'run `ftauth fluz token --scopes LIST_OFFERS,…` first, or save defaults with `ftauth config set fluz.scopes LIST_OFFERS,…`',
    )
  }
  if (deps.prompter.canPrompt()) {
    const newest = (await cachedFluzTokens(deps, ids))[0]
    return {scopes: await promptScopes(deps, newest?.requestedScopes ?? []), origin: 'prompt'}
  }
  throw usageError(
    'no Fluz scopes given',
    'pass --scopes LIST_OFFERS,PURCHASE_GIFTCARD (or --scope, repeated), or save defaults with `ftauth config set fluz.scopes LIST_OFFERS,…`',
  )
}

async function promptScopes(deps: Deps, preselected: readonly string[]): Promise<string[]> {
  const choices = Object.entries(KNOWN_FLUZ_SCOPES).map(([value, meaning]) => ({
    value,
    name: value,
    description: meaning,
    checked: preselected.includes(value),
  }))
  return deps.prompter.checkbox({message: 'Fluz scopes for the user access token', choices})
}

export function fluzTokenRequest(deps: Deps, ids: FluzIds, scopes: string[]): FluzTokenRequest {
  const settings = deps.profile.fluz
  return {profile: deps.profile.name, env: settings.env, url: settings.url, ...ids, scopes}
}

/** Cache key prefix for one user/account/seat in one environment (the profile is part of the keychain account). */
export function fluzIdsKey(env: EnvName, ids: FluzIds): string {
  return `${env}:${ids.userId}:${ids.accountId}:${ids.seatId ?? 'no-seat'}`
}

/** Profile (via the keychain account), environment, user, account, seat and the sorted scope set. */
export function fluzCacheKey(request: FluzTokenRequest): string {
  return `${fluzIdsKey(request.env, request)}:${scopeSetKey(request.scopes)}`
}

export interface CachedFluzToken extends CacheEntry {
  /** The scope set the token was asked for (its cache key), which the server may have narrowed in `scopes`. */
  requestedScopes: string[]
}

/** Metadata (cache.json, no keychain read) of this profile's cached tokens for these ids, newest first. */
export async function cachedFluzTokens(deps: Deps, ids: FluzIds): Promise<CachedFluzToken[]> {
  const prefix = `${fluzIdsKey(deps.profile.fluz.env, ids)}:`
  return (await deps.tokens.entries())
    .filter((entry) => entry.provider === 'fluz' && entry.profile === deps.profile.name && entry.key.startsWith(prefix))
    .map((entry) => ({...entry, requestedScopes: entry.key.slice(prefix.length).split('+').filter(Boolean)}))
    .filter((entry) => entry.requestedScopes.length > 0)
    .sort((a, b) => b.obtainedAt.localeCompare(a.obtainedAt))
}

/** The API key: FTAUTH_FLUZ_API_KEY > keychain (per environment) > the emulator's demo key for `local`. */
export async function fluzApiKey(deps: Deps, env: EnvName): Promise<string> {
  const found = await deps.store.secret('fluz', 'api_key', {env})
  if (!found) throw notLoggedIn(`no Fluz API key for ${env}`, `run \`ftauth login fluz --env ${env}\`, or set FTAUTH_FLUZ_API_KEY`)
  deps.secrets.add(found.value)
  return found.value
}
