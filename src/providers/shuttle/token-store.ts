/**
 * Where the Shuttle token of a profile lives: one keychain entry per environment (access token,
 * refresh token, expiry, scopes, instance), written only after a response validated, and always
 * under the profile's Shuttle lock so two ftauth processes never spend or overwrite each other's grant.
 */
import type {Deps} from '../../core/deps.js'
import {decodeToken, expiryOf, scopesOf} from '../../core/jwt.js'
import {withLock} from '../../core/locks.js'
import type {StoredToken} from '../../core/token-cache.js'
import type {ClientAuthMethod} from './client-auth.js'
import type {TokenGrant} from './oauth.js'

/** Shuttle access tokens last one hour (docs.shuttleglobal.com/reference/gettoken). */
const DOCUMENTED_ACCESS_LIFETIME_S = 3600
/** A token this close to expiry is treated as expired, so it does not die in flight. */
export const EXPIRY_MARGIN_MS = 30_000
/**
 * Stands in for an access token that was revoked while its refresh token lives on: the entry needs
 * an access token, the keychain must no longer hold the revoked one. Never sent anywhere.
 */
export const REVOKED_ACCESS_TOKEN = 'revoked'

function shuttleTokenKey(deps: Deps): string {
  return `oauth.${deps.profile.shuttle.env}`
}

/** Serialises read → refresh/revoke/login → store for this profile and environment across processes. */
export function withShuttleLock<T>(deps: Deps, run: () => Promise<T>): Promise<T> {
  return withLock(deps.paths.locks, `shuttle-${deps.profile.name}-${deps.profile.shuttle.env}`, run)
}

export async function readShuttleToken(deps: Deps): Promise<StoredToken | undefined> {
  const token = await deps.tokens.get('shuttle', shuttleTokenKey(deps))
  if (token) {
    // The placeholder of a revoked access token is no secret (and masking it would mask the word).
    if (!accessRevoked(token)) deps.secrets.add(token.accessToken)
    if (token.refreshToken) deps.secrets.add(token.refreshToken)
  }
  return token
}

export function accessRevoked(token: StoredToken): boolean {
  return token.meta.accessRevoked === true
}

/** Usable for a call now: not revoked and more than the margin away from expiry. */
export function isUsable(token: StoredToken, now: Date): boolean {
  return !accessRevoked(token) && new Date(token.expiresAt).getTime() - now.getTime() > EXPIRY_MARGIN_MS
}

export interface GrantContext {
  /** The token being refreshed, whose refresh token, scopes and instance carry over. */
  previous?: StoredToken | undefined
  /** Scope asked for at /authorize: granted as is when the response names none (RFC 6749 §5.1). */
  requestedScope?: string | undefined
  clientAuth: ClientAuthMethod
}

/** Turns a validated token response into what is stored; the instance comes from the response or the token's claims. */
export function storedTokenFrom(deps: Deps, grant: TokenGrant, context: GrantContext): StoredToken {
  const {body, response, receivedAt} = grant
  const {previous} = context
  const claims = decodeToken(body.access_token)?.claims
  const expiry = expiryOf({
    token: body.access_token,
    receivedAt,
    expiresInSeconds: body.expires_in,
    serverDate: response.serverDate,
    fallbackLifetimeSeconds: DOCUMENTED_ACCESS_LIFETIME_S,
  })
  const claimInstance = claims && (typeof claims.instance_id === 'string' || typeof claims.instance_id === 'number') ? String(claims.instance_id) : undefined
  const instanceId = body.instance_id ?? claimInstance ?? stringMeta(previous, 'instanceId')
  const scopes = splitScope(body.scope) ?? nonEmpty(claims ? scopesOf(claims) : []) ?? previous?.scopes ?? splitScope(context.requestedScope) ?? []
  const refreshToken = body.refresh_token ?? previous?.refreshToken
  return {
    accessToken: body.access_token,
    ...(refreshToken ? {refreshToken} : {}),
    tokenType: body.token_type,
    expiresAt: expiry.expiresAt.toISOString(),
    obtainedAt: receivedAt.toISOString(),
    env: deps.profile.shuttle.env,
    scopes,
    meta: {
      ...(instanceId ? {instanceId} : {}),
      instanceFrom: body.instance_id ? 'response' : claimInstance ? 'token claim' : instanceId ? 'earlier token' : null,
      clientId: deps.profile.shuttle.clientId ?? null,
      authUrl: deps.profile.shuttle.authUrl,
      clientAuth: context.clientAuth,
      expiryBasis: expiry.basis,
      refreshRotated: Boolean(previous?.refreshToken && body.refresh_token && body.refresh_token !== previous.refreshToken),
    },
  }
}

export async function saveShuttleToken(deps: Deps, token: StoredToken): Promise<void> {
  await deps.tokens.put('shuttle', shuttleTokenKey(deps), token)
}

export async function deleteShuttleToken(deps: Deps): Promise<boolean> {
  return deps.tokens.delete('shuttle', shuttleTokenKey(deps))
}

export function stringMeta(token: StoredToken | undefined, key: string): string | undefined {
  const value = token?.meta[key]
  return typeof value === 'string' && value ? value : undefined
}

function splitScope(scope: string | undefined): string[] | undefined {
  return nonEmpty(scope?.split(/\s+/).filter(Boolean) ?? [])
}

function nonEmpty(values: string[]): string[] | undefined {
  return values.length ? values : undefined
}

/** The client authentication the token was obtained with (stored at login), for refresh and revoke. */
export function storedClientAuth(token: StoredToken): ClientAuthMethod | undefined {
  const method = token.meta.clientAuth
  return method === 'basic' || method === 'body' ? method : undefined
}
