import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import {credentialsRejected, expiredOrUsed, providerError, type FtauthError} from '../../core/errors.js'
import {endpointOf, parseJsonResponse, tryJson, type HttpResponse} from '../../core/http.js'
import {httpErrorToFtauth, readErrorBody} from '../../core/provider-errors.js'
import type {FuntripsSettings} from './settings.js'
import {formatClock, formatCountdown} from '../../core/time.js'
import type {ClientCredentials} from './backend-token.js'
import {serverInstantToLocal} from './expiry.js'
import {codePrefix} from './session.js'

/**
 * The Funtrips guide contradicts itself on the exchange: its prose says `POST /v1/session/token`
 * with `session_code`, its sequence diagrams `POST /v1/oauth/token` with `code`. ftauth tries the
 * prose form first (or what this server accepted last time), and the other path or field once when
 * the server answers that the route or the field is unknown: such an answer means the code was not
 * looked at, so it is still unspent. A single-use failure (expired, used, unknown code) ends it.
 * A path configured in the profile (`funtrips.urls.<env>.exchangePath`) is the only path tried.
 */
export const PROSE_FORM = {path: '/v1/session/token', field: 'session_code'} as const
export const DIAGRAM_FORM = {path: '/v1/oauth/token', field: 'code'} as const
export const DEFAULT_EXCHANGE_PATHS = [PROSE_FORM.path, DIAGRAM_FORM.path] as const
export type ExchangeField = 'session_code' | 'code'

/** How the path and field of an exchange were chosen, for the step line, --json, status and doctor. */
export type ExchangeChoice = 'configured' | 'remembered' | 'documented' | 'fallback'

/** The token comes as `access_token` (OAuth style) or, in the guide's diagrams, `public_bearer`: both are accepted. */
export const ExchangeResponse = z
  .looseObject({
    access_token: z.optional(z.string().check(z.minLength(1))),
    public_bearer: z.optional(z.string().check(z.minLength(1))),
    token_type: z.optional(z.string()),
    expires_in: z.optional(z.coerce.number().check(z.positive())),
    scope: z.optional(z.string()),
  })
  .check(
    z.refine((body) => body.access_token !== undefined || body.public_bearer !== undefined, {
      message: 'no access_token (or public_bearer) in the response',
      path: ['access_token'],
    }),
  )

export interface ExchangeRequest {
  code: string
  client: ClientCredentials
  verifier?: string | undefined
}

export interface ExchangeAnswer {
  token: string
  tokenField: 'access_token' | 'public_bearer'
  tokenType: string
  expiresIn: number | undefined
  scope: string | undefined
  /** Every other field of the response: no secret among them. */
  rest: Record<string, unknown>
  path: string
  /** The body field that carried the session code. */
  field: ExchangeField
  choice: ExchangeChoice
  response: HttpResponse
  /** What was refused before: `/v1/session/token 404`, `session_code 400`. */
  refused: string[]
}

const otherPath = (path: string): string => (path === DIAGRAM_FORM.path ? PROSE_FORM.path : DIAGRAM_FORM.path)
const otherField = (field: ExchangeField): ExchangeField => (field === 'code' ? 'session_code' : 'code')
const fieldFor = (path: string): ExchangeField => (path === DIAGRAM_FORM.path ? DIAGRAM_FORM.field : PROSE_FORM.field)

/** What this server accepted last time (per profile and environment), as remembered in the cache. */
export interface RememberedExchange {
  exchangePath?: string | undefined
  exchangeField?: string | undefined
}

/** Sends the code (with the client credentials and, for PKCE codes, the verifier) in the prose form, then the diagram form if the server says so. */
export async function exchangeSessionCode(
  deps: Deps,
  settings: FuntripsSettings,
  request: ExchangeRequest,
  remembered: RememberedExchange = {},
): Promise<ExchangeAnswer> {
  const secrets = [request.client.clientSecret, request.code, ...(request.verifier ? [request.verifier] : [])]
  for (const secret of secrets) deps.secrets.add(secret)
  const rememberedField = remembered.exchangeField === 'code' || remembered.exchangeField === 'session_code' ? remembered.exchangeField : undefined
  const rememberedPath = (DEFAULT_EXCHANGE_PATHS as readonly (string | undefined)[]).includes(remembered.exchangePath) ? remembered.exchangePath : undefined
  let path = settings.exchangePath ?? rememberedPath ?? PROSE_FORM.path
  let field: ExchangeField = rememberedField ?? fieldFor(path)
  let choice: ExchangeChoice = settings.exchangePath ? 'configured' : rememberedPath || rememberedField ? 'remembered' : 'documented'
  let pathSwitched = settings.exchangePath !== undefined
  let fieldSwitched = false
  const refused: string[] = []
  for (;;) {
    const response = await deps.http.request({
      method: 'POST',
      url: `${settings.apiUrl}${path}`,
      json: {
        [field]: request.code,
        client_id: request.client.clientId,
        client_secret: request.client.clientSecret,
        ...(request.verifier ? {code_verifier: request.verifier} : {}),
      },
      idempotent: false,
      secrets,
    })
    if (response.status < 400) {
      const body = parseJsonResponse(response, ExchangeResponse)
      const {access_token, public_bearer, token_type, expires_in, scope, ...rest} = body
      const tokenField = access_token !== undefined ? 'access_token' : 'public_bearer'
      const token = (access_token ?? public_bearer) as string
      deps.secrets.add(token)
      return {token, tokenField, tokenType: token_type ?? 'Bearer', expiresIn: expires_in, scope, rest, path, field, choice, response, refused}
    }
    const verdict = refusalOf(response, field)
    if (verdict === 'route' && !pathSwitched) {
      const next = otherPath(path)
      deps.report({
        type: 'step',
        title: 'Exchange',
        outcome: `${path} is not a route there (HTTP ${response.status}); trying ${next} (the docs name both)`,
        request: `POST ${path} ${response.status}`,
        ms: response.ms,
        status: 'warn',
      })
      refused.push(`${path} ${response.status}`)
      pathSwitched = true
      path = next
      if (!fieldSwitched) field = rememberedField ?? fieldFor(next)
      choice = 'fallback'
      continue
    }
    if (verdict === 'field' && !fieldSwitched) {
      const next = otherField(field)
      deps.report({
        type: 'step',
        title: 'Exchange',
        outcome: `the server refused the field ${field} (HTTP ${response.status}); sending the code as ${next} (the docs name both)`,
        request: `POST ${path} ${response.status}`,
        ms: response.ms,
        status: 'warn',
      })
      refused.push(`${field} ${response.status}`)
      fieldSwitched = true
      field = next
      choice = 'fallback'
      continue
    }
    throw exchangeError(deps, response, request, {path, configured: Boolean(settings.exchangePath), env: settings.env})
  }
}

/** What API gateways say with a 403 for a route they do not have (AWS: "Missing Authentication Token"). */
const GATEWAY_403 = /missing authentication token|no route|route not found|unknown route/i

/**
 * Whether a refusal names the route (404, 405, or an API gateway's 403 for an unknown route) or the
 * body field; anything about the code itself (expired, used, unknown, verifier) is neither.
 */
function refusalOf(response: HttpResponse, field: ExchangeField): 'route' | 'field' | undefined {
  if (classify(response) !== undefined) return undefined
  const raw = response.text()
  if (response.status === 404 || response.status === 405) return 'route'
  if (response.status === 403 && (response.headers['x-amzn-errortype'] !== undefined || GATEWAY_403.test(raw))) return 'route'
  if (response.status === 400 || response.status === 422) {
    const names = new RegExp(`(^|[^\\w])(${field}|${otherField(field)})([^\\w]|$)`)
    if (names.test(raw) && /required|unknown|unrecognized|not allowed|unexpected|missing|invalid field/i.test(raw)) return 'field'
  }
  return undefined
}

type CodeProblem = 'expired' | 'used' | 'unknown' | 'verifier' | 'invalid_grant'

/** Which code failure a problem+json (by its type URI or title) or an OAuth error describes. */
function classify(response: HttpResponse): CodeProblem | undefined {
  const body = readErrorBody(response)
  const slug = (body.code ?? '').split('/').pop()?.toLowerCase() ?? ''
  const text = `${slug} ${body.text ?? ''}`.toLowerCase()
  if (/code-?expired|expired/.test(text)) return 'expired'
  if (/already-?used|already (been )?(used|redeemed)|code-used/.test(text)) return 'used'
  if (/verifier/.test(text)) return 'verifier'
  if (/code-unknown|unknown session code|invalid session code|code-not-found/.test(text)) return 'unknown'
  if (body.code === 'invalid_grant') return 'invalid_grant'
  return undefined
}

const AGAIN = 'run `ftauth session create` again'

function exchangeError(deps: Deps, response: HttpResponse, request: ExchangeRequest, where: {path: string; configured: boolean; env: string}): FtauthError {
  const body = readErrorBody(response)
  const raw = tryJson(response)
  const extra = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  const code = codePrefix(request.code)
  const details = {status: response.status, exchangePath: where.path, problemType: body.code, sessionCode: code}
  const endpoint = `${response.method} ${endpointOf(response.url)}`
  if (response.status === 404) {
    return providerError(
      `${endpoint} answered HTTP 404: no code exchange there`,
      where.configured
        ? `check funtrips.urls.${where.env}.exchangePath in the profile (the docs name /v1/session/token and /v1/oauth/token)`
        : `set funtrips.urls.${where.env}.exchangePath to the path your Funtrips tenant uses`,
      details,
    )
  }
  if (response.status === 401 || body.code === 'invalid_client' || /invalid-client$/.test(body.code ?? '')) {
    return credentialsRejected(
      `Funtrips rejected the client credentials at ${endpoint} (HTTP ${response.status})${body.text ? `: ${body.text}` : ''}`,
      'check the client id and secret with `ftauth login funtrips` (or FTAUTH_FUNTRIPS_CLIENT_ID/FTAUTH_FUNTRIPS_CLIENT_SECRET); the code was not spent',
      details,
    )
  }
  const problem = classify(response)
  const now = deps.now()
  const when = (field: string): string | undefined => {
    const value = extra[field]
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return undefined
    const local = serverInstantToLocal(new Date(value), response, now)
    return `${formatClock(local)} (${formatCountdown(local, now)})`
  }
  switch (problem) {
    case 'expired': {
      const at = when('expired_at')
      return expiredOrUsed(at ? `session code ${code} expired at ${at}` : `session code ${code} has expired`, AGAIN, details)
    }
    case 'used': {
      const at = when('used_at')
      return expiredOrUsed(`session code ${code} was already used${at ? ` at ${at}` : ''}; a code can be exchanged once`, AGAIN, details)
    }
    case 'unknown':
      return expiredOrUsed(
        `session code ${code} is not known to Funtrips for client ${request.client.clientId}${body.text ? ` (${body.text})` : ''}`,
        'check the code, or create one with this client id: `ftauth session create --headless`',
        details,
      )
    case 'verifier':
      return expiredOrUsed(
        `session code ${code} was refused: ${body.text ?? 'PKCE code_verifier rejected'}`,
        request.verifier
          ? 'the code is now spent; run `ftauth session create --headless --pkce` again'
          : 'this code was made with PKCE elsewhere: pipe its verifier in with --code-verifier-stdin, or create a new one',
        details,
      )
    case 'invalid_grant':
      return expiredOrUsed(`session code ${code} was refused as invalid, expired or used${body.text ? ` (${body.text})` : ''}`, AGAIN, details)
    default:
      return httpErrorToFtauth(response, 'Funtrips code exchange')
  }
}
