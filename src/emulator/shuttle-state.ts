// Shuttle's server-side token state: authorization codes, grants (one per approved code,
// holding the refresh token), and which access tokens belong to which grant, so revoking a
// refresh token also kills the access tokens minted from it.
import type {EmulatorContext} from './context.js'
import {bearerToken, type EmuRequest} from './http.js'
import {randomId} from './secrets.js'

export const SHUTTLE_PREFIX = '/shuttle'
export const SHUTTLE_AUDIENCE = 'shuttle-api'
export const shuttleIssuer = (ctx: EmulatorContext): string => `${ctx.baseUrl()}${SHUTTLE_PREFIX}`

export interface AuthorizationCode {
  clientId: string
  redirectUri: string
  scope: string
  challenge: string | undefined
  expiresAtMs: number
  usedAtMs: number | undefined
  /** The grant created when the code was redeemed (revoked if the code is replayed). */
  grantId: string | undefined
}

export interface Grant {
  clientId: string
  scope: string
  instanceId: string
  refreshToken: string
  revoked: boolean
}

export interface ShuttleAccess {
  instanceId: string
  scopes: string[]
}

export type AccessCheck = {ok: true; access: ShuttleAccess} | {ok: false; reason: string}

export interface ShuttleState {
  codes: Map<string, AuthorizationCode>
  grants: Map<string, Grant>
  refreshTokens: Map<string, string>
  accessTokens: Map<string, string>
  revokedJtis: Set<string>
  createGrant(g: Omit<Grant, 'revoked'>): string
  revokeGrant(grantId: string): void
  rotateRefreshToken(grantId: string, next: string): void
  /** jti of a live access token signed by this emulator, else undefined. */
  jtiOf(ctx: EmulatorContext, token: string): Promise<string | undefined>
  checkBearer(ctx: EmulatorContext, req: EmuRequest): Promise<AccessCheck>
}

export function createShuttleState(): ShuttleState {
  const s: ShuttleState = {
    codes: new Map(),
    grants: new Map(),
    refreshTokens: new Map(),
    accessTokens: new Map(),
    revokedJtis: new Set(),
    createGrant(g) {
      const id = randomId('grant')
      s.grants.set(id, {...g, revoked: false})
      s.refreshTokens.set(g.refreshToken, id)
      return id
    },
    revokeGrant(grantId) {
      const g = s.grants.get(grantId)
      if (!g) return
      g.revoked = true
      s.refreshTokens.delete(g.refreshToken)
    },
    rotateRefreshToken(grantId, next) {
      const g = s.grants.get(grantId)
      if (!g) return
      s.refreshTokens.delete(g.refreshToken)
      g.refreshToken = next
      s.refreshTokens.set(next, grantId)
    },
    async jtiOf(ctx, token) {
      const v = await ctx.verifyJwt(token, {issuer: shuttleIssuer(ctx), audience: SHUTTLE_AUDIENCE})
      return v.ok && typeof v.payload.jti === 'string' ? v.payload.jti : undefined
    },
    async checkBearer(ctx, req) {
      const token = bearerToken(req)
      if (token === undefined) return {ok: false, reason: 'Missing bearer token'}
      const v = await ctx.verifyJwt(token, {issuer: shuttleIssuer(ctx), audience: SHUTTLE_AUDIENCE})
      if (!v.ok) return {ok: false, reason: v.reason === 'expired' ? 'The access token expired' : 'The access token is invalid'}
      const jti = v.payload.jti
      const grantId = typeof jti === 'string' ? s.accessTokens.get(jti) : undefined
      const grant = grantId === undefined ? undefined : s.grants.get(grantId)
      if (typeof jti !== 'string' || !grant) return {ok: false, reason: 'The access token is unknown'}
      if (grant.revoked || s.revokedJtis.has(jti)) return {ok: false, reason: 'The access token was revoked'}
      const scope = v.payload.scope
      return {ok: true, access: {instanceId: grant.instanceId, scopes: typeof scope === 'string' ? scope.split(' ') : []}}
    },
  }
  return s
}
