import {isNumericDate} from '../../core/jwt.js'
import type {Output} from '../../core/output.js'
import {formatInstant} from '../../core/time.js'
import type {CreatedSession, ExchangedBearer} from './flows.js'
import {codePrefix} from './session.js'

const secondsLeft = (at: Date, now: Date): number => Math.round((at.getTime() - now.getTime()) / 1000)

/** --json of a session: every field Funtrips returned, plus what ftauth computed. The code only while it is unspent. */
export function sessionJson(created: CreatedSession, now: Date, options: {env: string; profile: string; codeSpent: boolean}) {
  const {session_code, ...fields} = created.session
  return {
    provider: 'funtrips' as const,
    env: options.env,
    profile: options.profile,
    integration: created.integration,
    userId: created.userId,
    session: options.codeSpent ? {...fields, session_code: codePrefix(session_code)} : created.session,
    codeExpiresAt: created.codeExpiresAt.toISOString(),
    codeExpiryBasis: created.codeExpiryBasis,
    codeExpiresInSeconds: secondsLeft(created.codeExpiresAt, now),
    ...(created.frameUrl && !options.codeSpent ? {frameUrl: created.frameUrl} : {}),
    pkce: Boolean(created.pkce),
    ...(created.pkce ? {codeChallengeMethod: created.pkce.method, verifierStored: created.verifierStored} : {}),
    backendBearer: {origin: created.backend.origin, expiresAt: created.backend.expiresAt.toISOString(), scopes: created.backend.scopes},
  }
}

/** --json of a public bearer: claims, expiry and scopes; the token itself only with --show. */
export function publicBearerJson(bearer: ExchangedBearer, now: Date, show: boolean) {
  return {
    ...(show ? {accessToken: bearer.token} : {}),
    tokenType: bearer.tokenType,
    tokenField: bearer.tokenField,
    exchangePath: bearer.exchangePath,
    exchange: bearer.exchange,
    expiresAt: bearer.expiresAt.toISOString(),
    expiresInSeconds: secondsLeft(bearer.expiresAt, now),
    expiryBasis: bearer.expiryBasis,
    obtainedAt: bearer.obtainedAt.toISOString(),
    scopes: bearer.scopes,
    header: bearer.decoded?.header ?? null,
    claims: bearer.decoded?.claims ?? null,
    codeVerifierSent: bearer.verifierSource !== undefined,
    ...(bearer.verifierSource ? {verifierSource: bearer.verifierSource} : {}),
    stored: bearer.storedAs,
    response: bearer.response,
  }
}

export function renderSession(out: Output, created: CreatedSession, now: Date, env: string): void {
  const {c} = out
  const {session_code, code_expires_at, pkce_required, frame_url, ...others} = created.session
  out.print(`${c.bold('Funtrips session')} ${out.env(env)} ${created.integration}`)
  const rows: [string, string][] = [
    ['session code', c.bold(session_code)],
    ['user', created.userId],
    ['code expires', out.expiry(created.codeExpiresAt, now)],
    ['pkce_required', pkce_required === undefined ? c.dim('(not stated)') : String(pkce_required)],
  ]
  if (created.pkce) rows.push(['code_verifier', created.verifierStored ? 'kept (secret storage) for `ftauth session exchange`' : 'used for the exchange below'])
  for (const [name, value] of Object.entries(others)) rows.push([name, typeof value === 'string' ? value : JSON.stringify(value)])
  if (frame_url) rows.push(['frame_url', c.dim(frame_url)])
  if (created.frameUrl) rows.push(['open', c.cyan(created.frameUrl)])
  if (code_expires_at === undefined) rows.push(['code_expires_at', c.dim('(not sent: the documented default lifetime is assumed)')])
  else if (Date.parse(code_expires_at) !== created.codeExpiresAt.getTime()) rows.push(['code_expires_at', c.dim(`${code_expires_at} (server clock)`)])
  out.table(rows)
}

/** Human view of a public bearer: redacted (header and claims stay readable) unless --show. */
export function renderPublicBearer(out: Output, bearer: ExchangedBearer, now: Date, options: {env: string; show: boolean}): void {
  const {c} = out
  out.print(`${c.bold('Funtrips public bearer')} ${out.env(options.env)}`)
  out.table([
    ['token', out.token(bearer.token, options.show)],
    ['expires', `${out.expiry(bearer.expiresAt, now)}${bearer.expiryBasis === 'exp' ? '' : c.dim(` from ${bearer.expiryBasis}`)}`],
    ['scopes', bearer.scopes.length ? bearer.scopes.join(' ') : c.dim('(none stated)')],
    ['exchanged at', `${bearer.exchangePath} ${c.dim(`(code as ${bearer.exchange.field}, ${bearer.exchange.choice})`)}`],
    ['stored', `${bearer.storedAs.storage} · ${bearer.storedAs.key} · used by \`ftauth call\``],
  ])
  const claims = bearer.decoded?.claims
  if (!claims) {
    out.print(c.dim('  (not a JWT: no claims to show)'))
    return
  }
  out.print(c.bold('Claims'))
  out.table(
    Object.entries(claims).map(([name, value]): [string, string] => {
      // isNumericDate: a server's `exp: 1e22` is shown as the number it is, not a crash in Date.
      if ((name === 'exp' || name === 'iat' || name === 'nbf') && isNumericDate(value)) {
        return [name, `${value}  ${c.dim(formatInstant(new Date(value * 1000)))}`]
      }
      return [name, typeof value === 'string' ? value : JSON.stringify(value)]
    }),
  )
}
