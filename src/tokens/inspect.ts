import type {EnvName, ProviderName} from '../core/config.js'
import {decodeToken, isNumericDate, scopesOf} from '../core/jwt.js'
import {providerModules} from '../core/provider-module.js'
import type {CacheEntry} from '../core/token-cache.js'

export interface EnvironmentVerdict {
  verdict: EnvName | 'unknown'
  reasons: string[]
}

export interface TokenReport {
  kind: 'jwt' | 'opaque'
  length: number
  header?: Record<string, unknown>
  claims?: Record<string, unknown>
  provider: ProviderName | 'unknown'
  issuer?: string
  audience?: string | string[]
  subject?: string
  scopes: string[]
  issuedAt?: string
  expiresAt?: string
  lifetimeSeconds?: number
  expired?: boolean
  secondsLeft?: number
  environment: EnvironmentVerdict
}

/** Documented lifetimes that give an environment away (Fluz: sandbox 10 min, production 3 min). */
const FLUZ_LIFETIMES: Record<number, EnvName> = {600: 'sandbox', 180: 'production'}

/** Decodes a token (jose, no verification) into everything a person debugging it wants to see. */
export function inspectToken(token: string, now: Date, cached?: CacheEntry): TokenReport {
  const decoded = decodeToken(token)
  if (!decoded) {
    const expiresAt = cached?.expiresAt
    return {
      kind: 'opaque',
      length: token.length,
      provider: cached?.provider ?? 'unknown',
      scopes: cached?.scopes ?? [],
      ...(expiresAt ? timing(undefined, new Date(expiresAt), now) : {}),
      environment: cached
        ? {verdict: cached.env, reasons: [`stored for the ${cached.env} environment`]}
        : {verdict: 'unknown', reasons: ['opaque token: nothing inside to tell']},
    }
  }
  const {header, claims} = decoded
  const issuer = typeof claims.iss === 'string' ? claims.iss : undefined
  const provider = providerOf(issuer, cached)
  const issuedAt = instantOf(claims.iat)
  const expiresAt = instantOf(claims.exp)
  const report: TokenReport = {
    kind: 'jwt',
    length: token.length,
    header: header as Record<string, unknown>,
    claims,
    provider,
    ...(issuer ? {issuer} : {}),
    ...(claims.aud === undefined ? {} : {audience: claims.aud}),
    ...(typeof claims.sub === 'string' ? {subject: claims.sub} : {}),
    scopes: scopesOf(claims),
    ...timing(issuedAt, expiresAt, now),
    environment: {verdict: 'unknown', reasons: []},
  }
  report.environment = environmentOf(report, claims, cached)
  return report
}

/** A NumericDate claim as a Date; a value no Date can hold (a forged `iat: 1e22`) is treated as absent, not thrown on. */
function instantOf(seconds: unknown): Date | undefined {
  return isNumericDate(seconds) ? new Date(seconds * 1000) : undefined
}

function timing(issuedAt: Date | undefined, expiresAt: Date | undefined, now: Date) {
  return {
    ...(issuedAt ? {issuedAt: issuedAt.toISOString()} : {}),
    ...(expiresAt
      ? {
          expiresAt: expiresAt.toISOString(),
          expired: expiresAt.getTime() <= now.getTime(),
          secondsLeft: Math.round((expiresAt.getTime() - now.getTime()) / 1000),
        }
      : {}),
    ...(issuedAt && expiresAt ? {lifetimeSeconds: Math.round((expiresAt.getTime() - issuedAt.getTime()) / 1000)} : {}),
  }
}

function providerOf(issuer: string | undefined, cached: CacheEntry | undefined): TokenReport['provider'] {
  if (cached) return cached.provider
  const text = (issuer ?? '').toLowerCase()
  return providerModules().find((module) => module.tokens.issuerWords.some((word) => text.includes(word)))?.name ?? 'unknown'
}

/** Sandbox, production or local, from the `env` claim, the issuer's host and the lifetime; says why. */
export function environmentOf(report: TokenReport, claims: Record<string, unknown>, cached?: CacheEntry): EnvironmentVerdict {
  const votes: {env: EnvName; reason: string}[] = []
  if (typeof claims.env === 'string' && ['sandbox', 'production', 'local'].includes(claims.env)) {
    votes.push({env: claims.env as EnvName, reason: `env claim is "${claims.env}"`})
  }
  const host = hostOf(report.issuer)
  if (host) {
    if (/^(127\.|localhost$|\[::1\]$)/.test(host)) votes.push({env: 'local', reason: `issuer host ${host} is loopback (the emulator)`})
    else if (/(staging|sandbox|\.acc\.|shuttlestaging|test)/.test(host)) votes.push({env: 'sandbox', reason: `issuer host ${host} is a sandbox host`})
    else votes.push({env: 'production', reason: `issuer host ${host} is not a sandbox host`})
  }
  if (report.provider === 'fluz' && report.lifetimeSeconds !== undefined) {
    const byLifetime = FLUZ_LIFETIMES[report.lifetimeSeconds]
    if (byLifetime) votes.push({env: byLifetime, reason: `a ${report.lifetimeSeconds / 60}-minute Fluz token is ${byLifetime}`})
  }
  if (cached) votes.push({env: cached.env, reason: `stored for the ${cached.env} environment`})
  // The env claim and Fluz lifetime speak for the provider's own environment; loopback only says where it runs.
  const decisive = votes.find((vote) => vote.env !== 'local') ?? votes[0]
  return decisive
    ? {verdict: decisive.env, reasons: votes.map((vote) => vote.reason)}
    : {verdict: 'unknown', reasons: ['no env claim, issuer or known lifetime to go by']}
}

function hostOf(issuer: string | undefined): string | undefined {
  if (!issuer) return undefined
  try {
    return new URL(issuer).hostname
  } catch {
    return undefined
  }
}

/** Rows `token diff` shows first, most telling first (`scopes` stands for every scope claim spelling). */
const KEY_ROWS = ['environment', 'iss', 'aud', 'sub', 'scopes', 'lifetime'] as const
/** Claims folded into a key row; every other claim (the raw `env` too) gets a row of its own. */
const FOLDED_CLAIMS = ['iss', 'aud', 'sub', 'scope', 'scopes', 'scp']

export interface ClaimDifference {
  claim: string
  a: unknown
  b: unknown
  same: boolean
  key: boolean
}

/** Side-by-side rows of two reports: key claims first, then every other claim either token has. */
export function diffReports(a: TokenReport, b: TokenReport): ClaimDifference[] {
  const claimValue = (report: TokenReport, claim: string): unknown => {
    if (claim === 'lifetime') return report.lifetimeSeconds
    if (claim === 'environment') return report.environment.verdict
    if (claim === 'scopes') return report.scopes.length ? [...report.scopes].sort().join(' ') : undefined
    return report.claims?.[claim]
  }
  const others = new Set([...Object.keys(a.claims ?? {}), ...Object.keys(b.claims ?? {})])
  for (const claim of FOLDED_CLAIMS) others.delete(claim)
  const rows: string[] = [...KEY_ROWS, ...[...others].sort()]
  return rows.map((claim, index) => {
    const left = claimValue(a, claim)
    const right = claimValue(b, claim)
    return {claim, a: left, b: right, same: JSON.stringify(left) === JSON.stringify(right), key: index < KEY_ROWS.length}
  })
}
