import type {JWTPayload, ProtectedHeaderParameters} from 'jose'

import {isJwtShaped} from './redact.js'

export interface DecodedJwt {
  header: ProtectedHeaderParameters
  claims: JWTPayload & Record<string, unknown>
}

const strictUtf8 = new TextDecoder('utf-8', {fatal: true})

/**
 * One JWS compact segment as a JSON object, by jose's rules for decodeJwt/decodeProtectedHeader
 * (base64url, strict UTF-8, a plain object), without loading jose: decoding runs in every
 * token command, signature checks only in `token inspect --verify` (tokens/verify.ts).
 */
function decodeSegment(segment: string): Record<string, unknown> | undefined {
  // isJwtShaped admits only base64url characters; a length of 4n+1 is not base64 (atob refuses it too).
  if (segment.length % 4 === 1) return undefined
  let value: unknown
  try {
    value = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') return undefined
  const prototype = Object.getPrototypeOf(value)
  return prototype === null || Object.getPrototypeOf(prototype) === null ? (value as Record<string, unknown>) : undefined
}

/** Decodes (does not verify) a JWT; undefined for opaque tokens and anything that does not decode. */
export function decodeToken(token: string): DecodedJwt | undefined {
  if (!isJwtShaped(token)) return undefined
  const [header, payload] = token.split('.') as [string, string]
  const decodedHeader = decodeSegment(header)
  const claims = decodedHeader && decodeSegment(payload)
  return claims ? {header: decodedHeader as ProtectedHeaderParameters, claims: claims as DecodedJwt['claims']} : undefined
}

/** Scopes from the usual claim spellings: `scope` (space separated, RFC 8693) or `scopes`/`scp` arrays. */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const {scope, scopes, scp} = claims
  if (typeof scope === 'string') return scope.split(/\s+/).filter(Boolean)
  for (const value of [scopes, scp]) {
    if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string')
    if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean)
  }
  return []
}

/** A NumericDate (seconds) that a Date can hold; absurd values (1e22) count as absent. */
export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e11
}

/** The latest instant a Date can hold (ECMA-262 §21.4.1.1): longer lifetimes are clamped to it. */
const MAX_DATE_MS = 8.64e15
const instant = (ms: number): Date => new Date(Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, ms)))

/** Beyond this, the server's clock and ours disagree enough that a token's `exp` must not be read against our clock. */
export const SKEW_THRESHOLD_MS = 60_000

export interface Expiry {
  expiresAt: Date
  /** Where the expiry came from, for the step line. */
  basis: 'exp' | 'expires_in' | 'documented lifetime' | 'exp (clock skew corrected)'
  /** Server clock minus ours, when it was beyond the threshold. */
  skewMs?: number
}

/**
 * Expiry of a freshly issued token in OUR clock. A token's lifetime (exp − iat) is trusted; its
 * absolute exp is only trusted when the server's clock (iat, or the Date header) agrees with ours.
 */
export function expiryOf(options: {
  token: string
  receivedAt: Date
  expiresInSeconds?: number | undefined
  serverDate?: Date | undefined
  fallbackLifetimeSeconds?: number
}): Expiry {
  const {token, receivedAt, expiresInSeconds, serverDate, fallbackLifetimeSeconds} = options
  const claims = decodeToken(token)?.claims
  if (claims && isNumericDate(claims.exp)) {
    const serverNowMs = isNumericDate(claims.iat) ? claims.iat * 1000 : serverDate?.getTime()
    const skewMs = serverNowMs === undefined ? 0 : serverNowMs - receivedAt.getTime()
    if (Math.abs(skewMs) > SKEW_THRESHOLD_MS && serverNowMs !== undefined) {
      return {expiresAt: instant(receivedAt.getTime() + (claims.exp * 1000 - serverNowMs)), basis: 'exp (clock skew corrected)', skewMs}
    }
    return {expiresAt: new Date(claims.exp * 1000), basis: 'exp'}
  }
  if (expiresInSeconds !== undefined && Number.isFinite(expiresInSeconds)) {
    return {expiresAt: instant(receivedAt.getTime() + expiresInSeconds * 1000), basis: 'expires_in'}
  }
  return {expiresAt: instant(receivedAt.getTime() + (fallbackLifetimeSeconds ?? 3600) * 1000), basis: 'documented lifetime'}
}
