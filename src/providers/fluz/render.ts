import type {Output} from '../../core/output.js'
import type {FluzTokenRequest} from './request.js'
import type {FluzTokenResult} from './token-flow.js'

const SOURCE_TEXT = {cache: 'reused from the cache', refresh: 'refreshed with the refresh token', new: 'newly generated'} as const

/** Human result of `fluz token` / `fluz refresh` on stdout: the token, its expiry and environment up front. */
export function printFluzToken(
  out: Output,
  result: FluzTokenResult,
  request: FluzTokenRequest,
  now: Date,
  options: {show: boolean; showRefresh: boolean},
): void {
  const {c} = out
  out.print(`${c.bold('Fluz user access token')} ${out.env(result.env)}  ${c.dim(SOURCE_TEXT[result.source])}`)
  const refresh = result.refreshToken ? (options.showRefresh ? result.refreshToken : c.dim('kept in the keychain (--show-refresh prints it)')) : c.dim('none')
  const rows: [string, string][] = [
    ['token', out.token(result.accessToken, options.show)],
    ['expires', `${out.expiry(result.expiresAt, now)}  ${c.dim(`from ${result.expiryBasis}`)}`],
    ['scopes', result.scopes.join(' ')],
    ['refresh', refresh],
    ['field', `${result.tokenField}${result.tokenField === 'token' ? c.dim(' (the server named it "token")') : ''}`],
    ['user', request.userId],
    ['account', request.accountId],
  ]
  if (request.seatId) rows.push(['seat', request.seatId])
  rows.push(['endpoint', c.dim(request.url)])
  out.table(rows)
}

/** The --json document: the access token is the asked-for value; the refresh token only with --show-refresh. */
export function fluzTokenJson(result: FluzTokenResult, request: FluzTokenRequest, now: Date, options: {showRefresh: boolean}) {
  return {
    token: result.accessToken,
    tokenType: 'Bearer',
    hasRefreshToken: Boolean(result.refreshToken),
    ...(options.showRefresh && result.refreshToken ? {refreshToken: result.refreshToken} : {}),
    scopes: result.scopes,
    requestedScopes: result.requestedScopes,
    expiresAt: result.expiresAt.toISOString(),
    expiresInSeconds: Math.round((result.expiresAt.getTime() - now.getTime()) / 1000),
    expiryBasis: result.expiryBasis,
    env: result.env,
    source: result.source,
    tokenField: result.tokenField,
    profile: request.profile,
    userId: request.userId,
    accountId: request.accountId,
    seatId: request.seatId ?? null,
    url: request.url,
    cacheKey: result.key,
  }
}
