/**
 * The OAuth 2.0 protocol functions for Shuttle, kept explicit and typed (in the manner of
 * oauth4webapi) so they work against any standards-compliant server: RFC 6749 (authorization code
 * and refresh grants, §5.1/§5.2 responses), RFC 7636 (PKCE S256) and RFC 7009 (revocation).
 * Every input is validated before a request is built; every response is parsed with zod.
 */
import {randomBytes} from 'node:crypto'
import * as z from '../../core/zod.js'

import {issuePath} from '../../core/config.js'
import type {Deps} from '../../core/deps.js'
import {providerError, usageError} from '../../core/errors.js'
import {parseJsonResponse, type HttpResponse} from '../../core/http.js'
import {PKCE_SYNTAX} from '../../core/pkce.js'
import {httpErrorToFtauth} from '../../core/provider-errors.js'
import {clientAuth, type ClientAuthMethod, type ShuttleClient} from './client-auth.js'

/** An unguessable `state` (RFC 6749 §10.12) binding the redirect to this login. */
export function generateState(): string {
  return randomBytes(24).toString('base64url')
}

const httpUrl = z.url({protocol: /^https?$/})
/** RFC 6749 §3.1.2: the redirection endpoint is an absolute URI without a fragment. */
const redirectUri = z.url().check(z.refine((value) => !value.includes('#'), 'must not contain a fragment (#)'))

export const AuthorizationRequestSchema = z.object({
  /** The authorization endpoint, e.g. https://merchant.shuttleglobal.com/authorize. */
  authorizationEndpoint: httpUrl,
  clientId: z.string().check(z.minLength(1)),
  redirectUri,
  /** Space-separated scopes; omitted when empty (the server's default applies). */
  scope: z.optional(z.string().check(z.trim())),
  state: z.string().check(z.minLength(16)),
  /** S256 challenge; omitted with --no-pkce. */
  codeChallenge: z.optional(z.string().check(z.regex(PKCE_SYNTAX, 'must be a 43–128 character S256 challenge'))),
})
export type AuthorizationRequest = z.input<typeof AuthorizationRequestSchema>

/**
 * The authorization request URL (RFC 6749 §4.1.1). The redirect is sent twice: as `redirect_url`,
 * the name Shuttle documents, and as `redirect_uri`, the RFC name, so either kind of server accepts it.
 * Query parameters already in the endpoint are kept (RFC 6749 §3.1).
 */
export function buildAuthorizationUrl(input: AuthorizationRequest): URL {
  const request = validate(AuthorizationRequestSchema, input, 'authorization request')
  const url = new URL(request.authorizationEndpoint)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', request.clientId)
  url.searchParams.set('redirect_url', request.redirectUri)
  url.searchParams.set('redirect_uri', request.redirectUri)
  if (request.scope) url.searchParams.set('scope', request.scope)
  url.searchParams.set('state', request.state)
  if (request.codeChallenge) {
    url.searchParams.set('code_challenge', request.codeChallenge)
    url.searchParams.set('code_challenge_method', 'S256')
  }
  return url
}

/** RFC 6749 §5.1 successful token response (plus Shuttle's `instance_id` when a server sends it). */
export const TokenResponseSchema = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  // REQUIRED by §5.1; a server that leaves it out still means a bearer token.
  token_type: z._default(z.string().check(z.minLength(1)), 'Bearer'),
  expires_in: z.optional(z.coerce.number().check(z.positive())),
  refresh_token: z.optional(z.string().check(z.minLength(1))),
  scope: z.optional(z.string()),
  instance_id: z.optional(z.pipe(z.union([z.string().check(z.minLength(1)), z.number()]), z.transform(String))),
})
export type TokenResponse = z.infer<typeof TokenResponseSchema>

/** A validated token response and when it arrived (our clock), for the expiry. */
export interface TokenGrant {
  body: TokenResponse
  response: HttpResponse
  receivedAt: Date
}

export interface TokenEndpoint {
  /** e.g. https://merchant.shuttleglobal.com/token */
  url: string
  client: ShuttleClient
  auth: ClientAuthMethod
}

const EndpointSchema = z.object({
  url: httpUrl,
  client: z.object({clientId: z.string().check(z.minLength(1)), clientSecret: z.string().check(z.minLength(1))}),
  auth: z.enum(['basic', 'body']),
})

const CodeExchangeSchema = z.object({
  code: z.string().check(z.minLength(1)),
  redirectUri,
  codeVerifier: z.optional(z.string().check(z.regex(PKCE_SYNTAX, 'must be a 43–128 character PKCE verifier'))),
})
export type CodeExchange = z.input<typeof CodeExchangeSchema>

/** RFC 6749 §4.1.3: `grant_type=authorization_code` with the same redirect_uri as the authorization request. */
export async function exchangeCode(deps: Deps, endpoint: TokenEndpoint, input: CodeExchange): Promise<TokenGrant> {
  const exchange = validate(CodeExchangeSchema, input, 'code exchange')
  deps.secrets.add(exchange.code)
  if (exchange.codeVerifier) deps.secrets.add(exchange.codeVerifier)
  return tokenRequest(
    deps,
    endpoint,
    'Shuttle code exchange',
    {
      grant_type: 'authorization_code',
      code: exchange.code,
      redirect_uri: exchange.redirectUri,
      code_verifier: exchange.codeVerifier,
    },
    [exchange.code, exchange.codeVerifier],
    {expired: 'the code is single-use and valid for 15 minutes: run `ftauth shuttle login` again'},
  )
}

const RefreshSchema = z.object({refreshToken: z.string().check(z.minLength(1)), scope: z.optional(z.string().check(z.trim()).check(z.minLength(1)))})
export type RefreshInput = z.input<typeof RefreshSchema>

/** RFC 6749 §6: `grant_type=refresh_token`; without `scope` the originally granted scope is kept. */
export async function refresh(deps: Deps, endpoint: TokenEndpoint, input: RefreshInput): Promise<TokenGrant> {
  const request = validate(RefreshSchema, input, 'refresh request')
  deps.secrets.add(request.refreshToken)
  return tokenRequest(
    deps,
    endpoint,
    'Shuttle token refresh',
    {
      grant_type: 'refresh_token',
      refresh_token: request.refreshToken,
      scope: request.scope,
    },
    [request.refreshToken],
    {expired: 'the refresh token expired or was revoked: run `ftauth shuttle login`'},
  )
}

const RevokeSchema = z.object({token: z.string().check(z.minLength(1)), hint: z.enum(['access_token', 'refresh_token'])})
export type RevokeInput = z.input<typeof RevokeSchema>

export interface RevokeOutcome {
  status: number
  ms: number
}

/**
 * RFC 7009 §2.1: POST token + token_type_hint with client authentication. Only HTTP 200 means the
 * server revoked it (or never knew it, §2.2); anything else is an error and changes nothing locally.
 * Revocation is idempotent, so transient 5xx answers are retried.
 */
export async function revoke(deps: Deps, endpoint: TokenEndpoint, input: RevokeInput): Promise<RevokeOutcome> {
  const request = validate(RevokeSchema, input, 'revocation request')
  const target = validate(EndpointSchema, endpoint, 'revocation endpoint')
  deps.secrets.add(request.token)
  const auth = clientAuth(deps, target.client, target.auth)
  const response = await deps.http.request({
    method: 'POST',
    url: target.url,
    headers: auth.headers,
    form: {...auth.form, token: request.token, token_type_hint: request.hint},
    idempotent: true,
    secrets: [request.token, target.client.clientSecret],
  })
  if (response.status !== 200) {
    throw httpErrorToFtauth(response, 'Shuttle token revocation', {
      rejected: 'check the client id and secret with `ftauth login shuttle`; the token was kept',
    })
  }
  return {status: response.status, ms: response.ms}
}

async function tokenRequest(
  deps: Deps,
  endpoint: TokenEndpoint,
  what: string,
  form: Record<string, string | undefined>,
  secrets: (string | undefined)[],
  hints: {expired: string},
): Promise<TokenGrant> {
  const target = validate(EndpointSchema, endpoint, 'token endpoint')
  const auth = clientAuth(deps, target.client, target.auth)
  const response = await deps.http.request({
    method: 'POST',
    url: target.url,
    headers: auth.headers,
    form: {...form, ...auth.form},
    // A grant must not be spent twice by a blind retry (codes are single-use, refresh tokens may rotate).
    idempotent: false,
    secrets: [...secrets.filter((value): value is string => Boolean(value)), target.client.clientSecret],
  })
  const receivedAt = deps.now()
  if (response.status !== 200) {
    throw httpErrorToFtauth(response, what, {
      rejected: 'check the client id and secret with `ftauth login shuttle` (sandbox and live have separate ones)',
      expired: hints.expired,
    })
  }
  const body = parseJsonResponse(response, TokenResponseSchema)
  deps.secrets.add(body.access_token)
  if (body.refresh_token) deps.secrets.add(body.refresh_token)
  if (body.token_type.toLowerCase() !== 'bearer') {
    throw providerError(
      `${what} returned token_type "${body.token_type}"; ftauth only uses Bearer tokens (RFC 6750)`,
      'check the token URL (`ftauth config list`)',
    )
  }
  return {body, response, receivedAt}
}

function validate<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = issuePath(issue?.path ?? [])
  throw usageError(`invalid ${what}: ${path} ${issue?.message ?? 'is invalid'}`, 'check the Shuttle settings of the profile (`ftauth config list`)')
}
