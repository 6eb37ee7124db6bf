import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import {credentialsRejected, expiredOrUsed, providerError, type FtauthError} from '../../core/errors.js'
import {endpointOf, parseJsonResponse, tryJson, type HttpResponse} from '../../core/http.js'
import {httpErrorToFtauth, readErrorBody} from '../../core/provider-errors.js'
import type {FuntripsSettings} from '../../core/profiles.js'
import {formatClock, formatCountdown} from '../../core/time.js'
import type {ClientCredentials} from './backend-token.js'
import {serverInstantToLocal} from './expiry.js'
import {codePrefix} from './session.js'

/**
 * The Funtrips guide contradicts itself on where a session code is exchanged: its prose says
 * `POST /v1/session/token`, its sequence diagrams `POST /v1/oauth/token`. A path configured in the
 * profile (`funtrips.urls.<env>.exchangePath`) is used alone. Otherwise the prose path is tried
 * first and the diagram path only after a 404: a 404 means no such route, so the single-use code
 * was not spent. Any other failure is final; an exchange is never retried.
 */
export const DEFAULT_EXCHANGE_PATHS = ['/v1/session/token', '/v1/oauth/token'] as const

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
  response: HttpResponse
  /** Paths that answered 404 before `path`. */
  notFound: string[]
}

/** Sends the code (with the client credentials and, for PKCE codes, the verifier) to the exchange path(s). */
export async function exchangeSessionCode(deps: Deps, settings: FuntripsSettings, request: ExchangeRequest): Promise<ExchangeAnswer> {
  const secrets = [request.client.clientSecret, request.code, ...(request.verifier ? [request.verifier] : [])]
  for (const secret of secrets) deps.secrets.add(secret)
  const paths = settings.exchangePath ? [settings.exchangePath] : [...DEFAULT_EXCHANGE_PATHS]
  const notFound: string[] = []
  for (const [index, path] of paths.entries()) {
    const response = await deps.http.request({
      method: 'POST',
      url: `${settings.apiUrl}${path}`,
      json: {
        code: request.code,
        client_id: request.client.clientId,
        client_secret: request.client.clientSecret,
        ...(request.verifier ? {code_verifier: request.verifier} : {}),
      },
      idempotent: false,
      secrets,
    })
    const next = paths[index + 1]
    if (response.status === 404 && next) {
      deps.out.step({title: 'Exchange', outcome: `${path} answered 404; trying ${next} (the docs name both)`, request: `POST ${path} 404`, ms: response.ms, status: 'warn'})
      notFound.push(path)
      continue
    }
    if (response.status >= 400) throw exchangeError(deps, response, request, {path, configured: Boolean(settings.exchangePath), env: settings.env})
    const body = parseJsonResponse(response, ExchangeResponse)
    const {access_token, public_bearer, token_type, expires_in, scope, ...rest} = body
    const tokenField = access_token !== undefined ? 'access_token' : 'public_bearer'
    const token = (access_token ?? public_bearer) as string
    deps.secrets.add(token)
    return {token, tokenField, tokenType: token_type ?? 'Bearer', expiresIn: expires_in, scope, rest, path, response, notFound}
  }
  // Unreachable: the last path either answers or throws.
  throw providerError('no Funtrips exchange path answered', 'set funtrips.urls.<env>.exchangePath')
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

function exchangeError(
  deps: Deps,
  response: HttpResponse,
  request: ExchangeRequest,
  where: {path: string; configured: boolean; env: string},
): FtauthError {
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
