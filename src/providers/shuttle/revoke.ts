/**
 * `ftauth shuttle revoke [--refresh]`: RFC 7009 revocation of the stored access token, or of the
 * refresh token (which also kills its access tokens). The keychain changes only after HTTP 200.
 */
import type {Deps} from '../../core/deps.js'
import {usageError} from '../../core/errors.js'
import {resolveShuttleClient, type ClientAuthMethod} from './client-auth.js'
import {revoke} from './oauth.js'
import {accessRevoked, deleteShuttleToken, readShuttleToken, REVOKED_ACCESS_TOKEN, saveShuttleToken, storedClientAuth, withShuttleLock} from './token-store.js'

export interface RevokeOptions {
  /** 'refresh' revokes the grant (refresh token and its access tokens). Default 'access'. */
  which?: 'access' | 'refresh'
  /** Default: the method used at login, else Basic. */
  clientAuth?: ClientAuthMethod | undefined
}

export interface RevokeResult {
  /** What the server revoked; null when nothing was sent. */
  revoked: 'access_token' | 'refresh_token' | null
  /** What left the keychain: the whole entry, only the access token, or nothing. */
  removed: 'token' | 'access token' | null
  /** The refresh token is still stored (after revoking only the access token). */
  refreshTokenKept: boolean
  /** Why nothing was sent, when nothing was. */
  note?: string
  request?: {status: number; ms: number}
}

export async function revokeShuttleToken(deps: Deps, options: RevokeOptions = {}): Promise<RevokeResult> {
  const which = options.which ?? 'access'
  const {env} = deps.profile.shuttle
  return withShuttleLock(deps, async () => {
    const stored = await readShuttleToken(deps)
    if (!stored) {
      return {
        revoked: null,
        removed: null,
        refreshTokenKept: false,
        note: `no Shuttle token stored for ${env} in profile "${deps.profile.name}"; nothing to revoke`,
      }
    }
    if (which === 'refresh' && !stored.refreshToken) {
      throw usageError('the stored Shuttle token has no refresh token to revoke', 'run `ftauth shuttle revoke` to revoke the access token')
    }
    if (which === 'access' && accessRevoked(stored)) {
      return {
        revoked: null,
        removed: null,
        refreshTokenKept: Boolean(stored.refreshToken),
        note: 'the access token was already revoked; `ftauth shuttle revoke --refresh` revokes the refresh token too',
      }
    }
    const client = await resolveShuttleClient(deps)
    const clientAuth = options.clientAuth ?? storedClientAuth(stored) ?? 'basic'
    const revokeUrl = `${deps.profile.shuttle.authUrl}/revoke`
    const hint = which === 'refresh' ? 'refresh_token' : 'access_token'
    const token = which === 'refresh' ? (stored.refreshToken as string) : stored.accessToken
    const outcome = await revoke(deps, {url: revokeUrl, client, auth: clientAuth}, {token, hint})
    deps.report({
      type: 'step',
      title: 'Revoke',
      outcome: which === 'refresh' ? 'refresh token revoked (its access tokens with it)' : 'access token revoked',
      request: `POST ${new URL(revokeUrl).pathname} ${outcome.status}`,
      ms: outcome.ms,
    })
    // The server confirmed; only now does the keychain change.
    if (which === 'refresh' || !stored.refreshToken) {
      await deleteShuttleToken(deps)
      deps.report({type: 'step', title: 'Remove', outcome: `token removed from the ${deps.store.backend.label}`})
      return {revoked: hint, removed: 'token', refreshTokenKept: false, request: outcome}
    }
    // The refresh token is still valid at the server: keep it so it can be used or revoked later.
    await saveShuttleToken(deps, {
      ...stored,
      accessToken: REVOKED_ACCESS_TOKEN,
      expiresAt: deps.now().toISOString(),
      meta: {...stored.meta, accessRevoked: true},
    })
    deps.report({type: 'step', title: 'Remove', outcome: 'access token removed; the refresh token stays (`ftauth shuttle revoke --refresh` revokes it)'})
    return {revoked: hint, removed: 'access token', refreshTokenKept: true, request: outcome}
  })
}
