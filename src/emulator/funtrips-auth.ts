// Funtrips authorization: client credentials → backend bearer, POST /v1/session → one-time
// session code, code exchange (headless) or webframe redemption → public bearer.
import * as z from '../core/zod.js'
import {authenticateClient} from './client-auth.js'
import type {EmulatorContext} from './context.js'
import {DEMO} from '../local-demo/credentials.js'
import {FUNTRIPS_AUDIENCE, FUNTRIPS_PREFIX, BACKEND_SCOPES, PROBLEM, PUBLIC_SCOPE, badRequest, funtripsIssuer, requireBearer} from './funtrips-common.js'
import {MERCHANTS} from './funtrips-data.js'
import {errorPage, escapeHtml, page, type Theme} from './html.js'
import {header, html, notFound, problem, readJson, readParams, tokenJson, type EmuRequest, type ProblemDetails, type EmuResponse} from './http.js'
import {isValidChallenge, verifierMatches} from './pkce.js'
import {route, type Route} from './router.js'
import type {FuntripsExchangeField} from './types.js'

const BACKEND_TTL = 3600
const PUBLIC_TTL = 3600
/** Documented on "Generate authorization code": default 300 s, 60–900 s allowed. */
const CODE_TTL = 300
export const CODE_TTL_RANGE = {min: 60, max: 900} as const

interface SessionCode {
  code: string
  clientId: string
  integration: 'headless' | 'webframe'
  campaignId: string | undefined
  externalUserId: string
  challenge: string | undefined
  expiresAtMs: number
  usedAtMs: number | undefined
}

const sessionBody = z.object({
  integration: z.enum(['headless', 'webframe']),
  campaign_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  // Documented: the code is tied to a user, 1–128 characters.
  external_user_id: z.string().check(z.minLength(1), z.maxLength(128)),
  // The lifetime's range is documented; its field name is not (a guess, see docs/providers.md).
  code_ttl: z.optional(z.int().check(z.gte(CODE_TTL_RANGE.min), z.lte(CODE_TTL_RANGE.max))),
  code_challenge: z.optional(z.string()),
  code_challenge_method: z.optional(z.string()),
})

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): EmuResponse {
  return tokenJson(status, {error, error_description: description}, headers)
}

export function funtripsAuthRoutes(ctx: EmulatorContext): Route[] {
  const CLIENTS: ReadonlyMap<string, string> = new Map([[DEMO.funtrips.clientId, ctx.options.secrets.funtripsClientSecret]])
  const codes = new Map<string, SessionCode>()
  const idempotency = new Map<string, {body: string; response: EmuResponse}>()
  const iso = (ms: number) => new Date(ms).toISOString()

  async function clientCredentials(req: EmuRequest): Promise<EmuResponse> {
    const params = readParams(req)
    if (!params.ok) return oauthError(400, 'invalid_request', params.message)
    const client = authenticateClient(req, params.value, CLIENTS)
    if (!client.ok) {
      const challenge: Record<string, string> = client.via === 'basic' ? {'WWW-Authenticate': 'Basic realm="funtrips"'} : {}
      return oauthError(401, 'invalid_client', client.detail, challenge)
    }
    const grant = params.value.grant_type
    if (grant === undefined) return oauthError(400, 'invalid_request', 'grant_type is required')
    if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', `grant_type "${grant}" is not supported; use client_credentials`)
    const requested = params.value.scope?.split(' ').filter(Boolean)
    const unknown = requested?.filter((s) => !(BACKEND_SCOPES as readonly string[]).includes(s)) ?? []
    if (unknown.length > 0) return oauthError(400, 'invalid_scope', `Unknown scope(s): ${unknown.join(' ')}`)
    const scope = (requested && requested.length > 0 ? requested : [...BACKEND_SCOPES]).join(' ')
    const ttl = ctx.accessTtl(BACKEND_TTL)
    const {token} = await ctx.issueJwt({
      issuer: funtripsIssuer(ctx),
      audience: FUNTRIPS_AUDIENCE,
      subject: client.clientId,
      ttlSeconds: ttl,
      claims: {typ: 'backend', scope, client_id: client.clientId, env: 'local'},
    })
    return tokenJson(200, {access_token: token, token_type: 'Bearer', expires_in: ttl, scope})
  }

  async function createSession(req: EmuRequest): Promise<EmuResponse> {
    const auth = await requireBearer(ctx, req, 'backend', 'session:create')
    if (!auth.ok) return auth.response

    // Idempotency-Key (a UUID, per the reference): a retry with the same key and body
    // replays the first answer instead of minting a second code.
    const key = header(req, 'idempotency-key')
    const cacheKey = key === undefined ? undefined : `${auth.claims.clientId}:${key.toLowerCase()}`
    if (key !== undefined && !UUID_RE.test(key)) {
      return badRequest(PROBLEM.invalidIdempotencyKey, 'Invalid Idempotency-Key', 'Idempotency-Key must be a UUID')
    }
    const previous = cacheKey === undefined ? undefined : idempotency.get(cacheKey)
    if (previous) {
      if (previous.body !== req.body) {
        return problem({
          type: PROBLEM.idempotencyKeyReused,
          title: 'Idempotency-Key reused',
          status: 422,
          detail: 'This Idempotency-Key was already used with a different request body',
        })
      }
      return {...previous.response, headers: {...previous.response.headers, 'Idempotent-Replayed': 'true'}}
    }

    const raw = readJson(req)
    if (!raw.ok) return badRequest(PROBLEM.invalidRequest, 'Invalid request body', raw.message)
    const body = sessionBody.safeParse(raw.value)
    if (!body.success) {
      return badRequest(PROBLEM.validation, 'Validation failed', z.prettifyError(body.error), {
        errors: body.error.issues.map((i) => ({field: i.path.join('.'), message: i.message})),
      })
    }
    const b = body.data
    if (b.code_challenge !== undefined && b.integration === 'webframe') {
      return badRequest(
        PROBLEM.pkceNotSupported,
        'PKCE not supported',
        'PKCE is not supported for the webframe integration: the frame exchanges the code itself',
      )
    }
    if (b.code_challenge_method !== undefined && b.code_challenge === undefined) {
      return badRequest(PROBLEM.invalidChallenge, 'Invalid code challenge', 'code_challenge_method was sent without code_challenge')
    }
    if (b.code_challenge !== undefined) {
      if (b.code_challenge_method !== 'S256') {
        return badRequest(PROBLEM.invalidChallenge, 'Invalid code challenge', 'code_challenge_method must be S256')
      }
      if (!isValidChallenge(b.code_challenge)) {
        return badRequest(PROBLEM.invalidChallenge, 'Invalid code challenge', 'code_challenge must be 43–128 base64url characters')
      }
    }

    const code = ctx.secrets.opaque('sc')
    // The --code-ttl option of the emulator overrides the default only; a requested lifetime wins.
    const expiresAtMs = ctx.clock.nowMs() + (b.code_ttl ?? ctx.codeTtl(CODE_TTL)) * 1000
    codes.set(code, {
      code,
      clientId: auth.claims.clientId,
      integration: b.integration,
      campaignId: b.campaign_id,
      externalUserId: b.external_user_id,
      challenge: b.code_challenge,
      expiresAtMs,
      usedAtMs: undefined,
    })
    // 200, as the guide's diagram shows for POST /v1/session.
    const response = tokenJson(200, {
      session_code: code,
      code_expires_at: iso(expiresAtMs),
      pkce_required: b.code_challenge !== undefined,
      integration: b.integration,
      ...(b.campaign_id === undefined ? {} : {campaign_id: b.campaign_id}),
      external_user_id: b.external_user_id,
      // The query string is there on purpose: clients must merge session_code into it.
      ...(b.integration === 'webframe' ? {frame_url: `${funtripsIssuer(ctx)}/frame?theme=light`} : {}),
    })
    if (cacheKey !== undefined) idempotency.set(cacheKey, {body: req.body, response})
    return response
  }

  /** Consumes the code (at the first attempt, whatever the outcome) and mints a public bearer. */
  async function redeem(
    code: string,
    check: {clientId: string | undefined; verifier: string | undefined; frame: boolean},
  ): Promise<{ok: true; token: string; sub: string; exp: number} | {ok: false; problem: ProblemDetails}> {
    const fail = (type: string, title: string, detail: string, extra: Record<string, unknown> = {}) =>
      ({ok: false, problem: {type, title, status: 400, detail, ...extra}}) as const
    const rec = codes.get(code)
    if (!rec || (check.clientId !== undefined && rec.clientId !== check.clientId)) {
      return fail(PROBLEM.codeUnknown, 'Unknown session code', 'The session code was not issued to this client')
    }
    if (rec.usedAtMs !== undefined) {
      return fail(PROBLEM.codeUsed, 'Session code already used', 'Session codes can be redeemed once; start a new session', {
        used_at: iso(rec.usedAtMs),
      })
    }
    rec.usedAtMs = ctx.clock.nowMs()
    if (rec.usedAtMs >= rec.expiresAtMs) {
      return fail(PROBLEM.codeExpired, 'Session code expired', 'The session code has expired; start a new session', {
        expired_at: iso(rec.expiresAtMs),
      })
    }
    if (rec.challenge !== undefined) {
      if (check.frame) {
        return fail(PROBLEM.pkceNotSupported, 'PKCE not supported', 'A PKCE session code cannot be opened in the webframe')
      }
      if (!verifierMatches(check.verifier, rec.challenge)) {
        const detail = check.verifier === undefined ? 'code_verifier is required for this code' : 'code_verifier does not match the code_challenge'
        return fail(PROBLEM.invalidVerifier, 'Invalid code verifier', detail)
      }
    }
    const sub = rec.externalUserId
    const ttl = ctx.accessTtl(PUBLIC_TTL)
    const {token, exp} = await ctx.issueJwt({
      issuer: funtripsIssuer(ctx),
      audience: FUNTRIPS_AUDIENCE,
      subject: sub,
      ttlSeconds: ttl,
      claims: {
        typ: 'public',
        scope: PUBLIC_SCOPE,
        client_id: rec.clientId,
        env: 'local',
        integration: rec.integration,
        ...(rec.campaignId === undefined ? {} : {campaign_id: rec.campaignId}),
      },
    })
    return {ok: true, token, sub, exp}
  }

  async function exchange(req: EmuRequest, field: FuntripsExchangeField): Promise<EmuResponse> {
    const params = readParams(req)
    if (!params.ok) return badRequest(PROBLEM.invalidRequest, 'Invalid request', params.message)
    const client = authenticateClient(req, params.value, CLIENTS)
    if (!client.ok) {
      return problem(
        {type: PROBLEM.invalidClient, title: 'Invalid client', status: 401, detail: client.detail},
        client.via === 'basic' ? {'WWW-Authenticate': 'Basic realm="funtrips"'} : {},
      )
    }
    // Each route takes the field its own part of the guide names; the other one is refused by name.
    const other: FuntripsExchangeField = field === 'code' ? 'session_code' : 'code'
    if (params.value[other] !== undefined && params.value[field] === undefined) {
      return badRequest(PROBLEM.validation, 'Validation failed', `Unknown field ${other}; send the session code as ${field}`, {
        errors: [{field: other, message: 'unknown field'}],
      })
    }
    const code = params.value[field]
    if (code === undefined || code === '') {
      return badRequest(PROBLEM.validation, 'Validation failed', `${field} is required`, {errors: [{field, message: 'required'}]})
    }
    const result = await redeem(code, {clientId: client.clientId, verifier: params.value.code_verifier, frame: false})
    if (!result.ok) return problem(result.problem)
    return tokenJson(200, {access_token: result.token, token_type: 'Bearer', expires_in: ctx.accessTtl(PUBLIC_TTL)})
  }

  /** The prose names /v1/session/token with session_code, the diagrams /v1/oauth/token with code. */
  const exchangeAt = (which: 'session' | 'oauth') => (req: EmuRequest) =>
    ctx.options.funtripsExchangePaths.has(which)
      ? exchange(req, ctx.options.funtripsExchangeField ?? (which === 'session' ? 'session_code' : 'code'))
      : notFound(req)

  async function frame(req: EmuRequest): Promise<EmuResponse> {
    const theme: Theme = req.query.get('theme') === 'dark' ? 'dark' : 'light'
    const code = req.query.get('session_code')
    if (!code) return html(400, errorPage('Funtrips', 'Missing session_code in the frame URL.', theme))
    // The real frame exchanges the code itself; here the server does it while rendering.
    const result = await redeem(code, {clientId: undefined, verifier: undefined, frame: true})
    if (!result.ok) {
      return html(400, errorPage('Funtrips: cannot sign in', `${result.problem.title}: ${result.problem.detail}`, theme))
    }
    const merchants = MERCHANTS.map((m) => `<li>${escapeHtml(m.name)} <small>(${escapeHtml(m.city)})</small></li>`).join('')
    const body =
      `<p>Signed in as <strong data-testid="subject">${escapeHtml(result.sub)}</strong>.</p>` +
      `<p>Session valid until <time datetime="${iso(result.exp * 1000)}">${iso(result.exp * 1000)}</time>.</p>` +
      `<h2>Merchants</h2><ul>${merchants}</ul>`
    return html(200, page('Funtrips', body, theme))
  }

  return [
    route('POST', `${FUNTRIPS_PREFIX}/oauth/token`, clientCredentials),
    route('POST', `${FUNTRIPS_PREFIX}/v1/session`, createSession),
    route('POST', `${FUNTRIPS_PREFIX}/v1/session/token`, exchangeAt('session')),
    route('POST', `${FUNTRIPS_PREFIX}/v1/oauth/token`, exchangeAt('oauth')),
    route('GET', `${FUNTRIPS_PREFIX}/frame`, frame),
  ]
}
