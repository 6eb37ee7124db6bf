/**
 * `ftauth shuttle refresh`: grant_type=refresh_token under the profile's Shuttle lock, so one
 * refresh runs at a time and a token another process stored meanwhile is reused, not refreshed again.
 */
import type {Deps} from '../../core/deps.js'
import {ExitCode, expiredOrUsed, FtauthError} from '../../core/errors.js'
import type {StoredToken} from '../../core/token-cache.js'
import {resolveShuttleClient, type ClientAuthMethod} from './client-auth.js'
import {refresh, type TokenGrant} from './oauth.js'
import {
  deleteShuttleToken,
  isUsable,
  readShuttleToken,
  saveShuttleToken,
  storedClientAuth,
  storedTokenFrom,
  stringMeta,
  withShuttleLock,
} from './token-store.js'

/** Decides, under the lock, whether the stored token can be used instead of refreshing. */
export type ReusePolicy = (stored: StoredToken, now: Date) => boolean

/** Reuse a usable token stored at or after `since` (by another process while this one waited). */
export const reuseStoredSince =
  (since: Date): ReusePolicy =>
  (stored, now) =>
    isUsable(stored, now) && new Date(stored.obtainedAt).getTime() >= since.getTime()

/** Reuse any usable token (the token source: refresh only what is expired). */
export const reuseWhileUsable: ReusePolicy = isUsable

/** Reuse a usable token unless it is the one the server just rejected (renew after a 401). */
export const reuseUnless =
  (rejected: string): ReusePolicy =>
  (stored, now) =>
    stored.accessToken !== rejected && isUsable(stored, now)

export interface RefreshOptions {
  /** Default: the method used at login, else Basic. */
  clientAuth?: ClientAuthMethod | undefined
  /** Default: reuse a token stored since this call began. */
  reuse?: ReusePolicy
}

export interface RefreshResult {
  token: StoredToken
  /** 'refresh' = this call refreshed; 'cache' = reused what another process stored meanwhile. */
  origin: 'refresh' | 'cache'
  /** The server returned a new refresh token (rotation), which replaced the stored one. */
  rotated: boolean
  request?: {status: number; ms: number}
}

export async function refreshShuttleToken(deps: Deps, options: RefreshOptions = {}): Promise<RefreshResult> {
  const reuse = options.reuse ?? reuseStoredSince(deps.now())
  const {env} = deps.profile.shuttle
  return withShuttleLock(deps, async () => {
    // Read only after taking the lock: whatever another process stored meanwhile is what counts.
    const stored = await readShuttleToken(deps)
    if (!stored?.refreshToken) {
      // Not logged in at all is exit 3, as everywhere; a login whose token cannot be refreshed is 4.
      if (!stored) await resolveShuttleClient(deps)
      throw expiredOrUsed(
        stored ? `the stored Shuttle token (${env}) has no refresh token` : `no Shuttle token stored for ${env} in profile "${deps.profile.name}"`,
        'run `ftauth shuttle login`',
      )
    }
    if (reuse(stored, deps.now())) {
      deps.report({type: 'step', title: 'Refresh', outcome: 'another ftauth process refreshed it moments ago; reusing that token', status: 'skip'})
      return {token: stored, origin: 'cache', rotated: false}
    }
    const client = await resolveShuttleClient(deps)
    const clientAuth = options.clientAuth ?? storedClientAuth(stored) ?? 'basic'
    const tokenUrl = `${deps.profile.shuttle.authUrl}/token`
    let grant: TokenGrant
    try {
      grant = await refresh(deps, {url: tokenUrl, client, auth: clientAuth}, {refreshToken: stored.refreshToken})
    } catch (error) {
      if (isInvalidGrant(error)) return deadRefreshToken(deps, stored, error)
      throw error
    }
    const token = storedTokenFrom(deps, grant, {previous: stored, clientAuth})
    await saveShuttleToken(deps, token)
    const rotated = token.meta.refreshRotated === true
    deps.report({
      type: 'step',
      title: 'Refresh',
      outcome: `new access token; refresh token ${rotated ? 'rotated by the server (new one stored)' : 'unchanged'}`,
      request: `POST ${new URL(tokenUrl).pathname} ${grant.response.status}`,
      ms: grant.response.ms,
    })
    return {token, origin: 'refresh', rotated, request: {status: grant.response.status, ms: grant.response.ms}}
  })
}

function isInvalidGrant(error: unknown): error is FtauthError {
  return error instanceof FtauthError && error.details?.error === 'invalid_grant'
}

/**
 * The server says the refresh token is dead. Re-read the store first (still under the lock): if
 * the entry changed meanwhile it is someone else's newer grant and stays; only the very token that
 * was rejected, from the same authorization server, is removed.
 */
async function deadRefreshToken(deps: Deps, used: StoredToken, error: FtauthError): Promise<RefreshResult> {
  const current = await readShuttleToken(deps)
  if (current && current.refreshToken !== used.refreshToken) {
    if (isUsable(current, deps.now())) return {token: current, origin: 'cache', rotated: false}
    throw new FtauthError(ExitCode.expiredOrUsed, `${error.message}; a different Shuttle token was stored meanwhile and was kept`, {
      hint: 'run `ftauth shuttle refresh` again',
      details: error.details,
    })
  }
  const issuer = stringMeta(used, 'authUrl')
  if (current && issuer && issuer !== deps.profile.shuttle.authUrl) {
    throw new FtauthError(
      ExitCode.expiredOrUsed,
      `${error.message}; the stored token came from ${issuer}, not ${deps.profile.shuttle.authUrl}, so it was kept`,
      {
        hint: 'check the Shuttle auth URL (`ftauth config list`), or run `ftauth shuttle login`',
        details: error.details,
      },
    )
  }
  if (current) await deleteShuttleToken(deps)
  throw new FtauthError(ExitCode.expiredOrUsed, `${error.message}; the dead token was removed from the ${deps.store.backend.label}`, {
    hint: 'run `ftauth shuttle login`',
    details: error.details,
  })
}
