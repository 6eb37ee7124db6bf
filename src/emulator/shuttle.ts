// Shuttle OAuth 2.0 authorization-code flow: consent page, token endpoint (authorization_code
// and refresh_token grants, RFC 6749 §5.2 errors) and revocation (RFC 7009).
import {authenticateClient} from './client-auth.js'
import type {EmulatorContext} from './context.js'
import {DEMO} from '../local-demo/credentials.js'
import {errorPage, escapeHtml, page} from './html.js'
import {firstValues, html, readParams, redirect, tokenJson, type EmuRequest, type EmuResponse} from './http.js'
import {isValidChallenge, verifierMatches} from './pkce.js'
import {route, type Route} from './router.js'
import {randomId} from './secrets.js'
import {createShuttleState, SHUTTLE_AUDIENCE, SHUTTLE_PREFIX, shuttleIssuer, type Grant, type ShuttleState} from './shuttle-state.js'

const ACCESS_TTL = 3600
const CODE_TTL = 900
const CONSENT_TTL_MS = 10 * 60 * 1000
const SHUTTLE_SCOPES = ['read', 'write'] as const

interface ShuttleClient {
  id: string
  secret: string
  name: string
  instanceId: string
}

const isLoopbackHost = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]'

/**
 * Whether `uri` is registered for the demo client: exactly one of `registered`, or, with
 * `anyPort`, a registered loopback redirect on another port (RFC 8252 §7.3).
 */
function isRegisteredRedirect(uri: string, registered: readonly string[], anyPort: boolean): boolean {
  if (registered.includes(uri)) return true
  if (!anyPort || !URL.canParse(uri) || uri.includes('#')) return false
  const u = new URL(uri)
  if (u.protocol !== 'http:' || !isLoopbackHost(u.hostname) || u.username !== '' || u.password !== '') return false
  return registered.some((candidate) => {
    const r = new URL(candidate)
    return r.protocol === 'http:' && isLoopbackHost(r.hostname) && r.hostname === u.hostname && r.pathname === u.pathname && r.search === u.search
  })
}

interface AuthorizationRequest {
  clientId: string
  redirectUri: string
  scope: string
  state: string | undefined
  challenge: string | undefined
}

function withParams(base: string, params: Record<string, string | undefined>): string {
  const u = new URL(base)
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v)
  return u.toString()
}

function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): EmuResponse {
  return tokenJson(status, {error, error_description: description}, headers)
}

const invalidClient = (detail: string, via: string) =>
  oauthError(401, 'invalid_client', detail, via === 'basic' ? {'WWW-Authenticate': 'Basic realm="shuttle"'} : {})

export function shuttleRoutes(ctx: EmulatorContext): {routes: Route[]; state: ShuttleState} {
  const DEMO_CLIENT: ShuttleClient = {
    id: DEMO.shuttle.clientId,
    secret: ctx.options.secrets.shuttleClientSecret,
    name: 'ftauth demo partner',
    instanceId: 'inst_demo_7k2m9d',
  }
  const CLIENTS = new Map([[DEMO_CLIENT.id, DEMO_CLIENT]])
  const CLIENT_SECRETS: ReadonlyMap<string, string> = new Map([[DEMO_CLIENT.id, DEMO_CLIENT.secret]])
  const state = createShuttleState()
  const pending = new Map<string, AuthorizationRequest & {expiresAtMs: number}>()
  const now = () => ctx.clock.nowMs()

  function approve(a: AuthorizationRequest): EmuResponse {
    const code = ctx.secrets.opaque('ac')
    state.codes.set(code, {
      clientId: a.clientId,
      redirectUri: a.redirectUri,
      scope: a.scope,
      challenge: a.challenge,
      expiresAtMs: now() + ctx.codeTtl(CODE_TTL) * 1000,
      usedAtMs: undefined,
      grantId: undefined,
    })
    return redirect(withParams(a.redirectUri, {code, state: a.state}))
  }

  const deny = (a: Pick<AuthorizationRequest, 'redirectUri' | 'state'>, error: string, description?: string) =>
    redirect(withParams(a.redirectUri, {error, error_description: description, state: a.state}))

  function consentPage(requestId: string, a: AuthorizationRequest, client: ShuttleClient): EmuResponse {
    const scopes = a.scope
      .split(' ')
      .map((s) => `<li><code>${escapeHtml(s)}</code></li>`)
      .join('')
    const body =
      `<p><strong>${escapeHtml(client.name)}</strong> (<code>${escapeHtml(client.id)}</code>) wants access to your Shuttle merchant account.</p>` +
      `<p>Requested scopes:</p><ul>${scopes}</ul>` +
      `<p>You will be sent back to <code>${escapeHtml(new URL(a.redirectUri).origin)}</code>.</p>` +
      `<form method="post" action="${SHUTTLE_PREFIX}/authorize/decision">` +
      `<input type="hidden" name="request_id" value="${escapeHtml(requestId)}">` +
      `<button type="submit" name="decision" value="approve">Approve</button>` +
      `<button type="submit" name="decision" value="deny">Deny</button>` +
      `</form>`
    return html(200, page('Authorize access', body))
  }

  function authorize(req: EmuRequest): EmuResponse {
    const q = firstValues(req.query)
    const client = q.client_id === undefined ? undefined : CLIENTS.get(q.client_id)
    if (!client) return html(400, errorPage('Authorization error', 'Unknown or missing client_id.'))
    const uri = q.redirect_uri
    const url = q.redirect_url
    if (uri !== undefined && url !== undefined && uri !== url) {
      return html(400, errorPage('Authorization error', 'redirect_uri and redirect_url disagree.'))
    }
    const redirectUri = uri ?? url
    if (redirectUri === undefined) return html(400, errorPage('Authorization error', 'Missing redirect_url (or redirect_uri).'))
    // Never redirect to an unverified URI: errors before this point are shown, not redirected.
    if (!isRegisteredRedirect(redirectUri, ctx.options.shuttleRedirects, ctx.options.shuttleLoopbackAnyPort)) {
      return html(400, errorPage('Authorization error', `The redirect ${redirectUri} is not registered for this client.`))
    }
    const target = {redirectUri, state: q.state}
    const responseType = q.response_type
    if (responseType === undefined) return deny(target, 'invalid_request', 'response_type is required')
    if (responseType !== 'code') return deny(target, 'unsupported_response_type', 'Only response_type=code is supported')
    const scopes = (q.scope ?? DEMO.shuttle.scope).split(' ').filter(Boolean)
    const unknown = scopes.filter((s) => !(SHUTTLE_SCOPES as readonly string[]).includes(s))
    if (scopes.length === 0 || unknown.length > 0) return deny(target, 'invalid_scope', `Unknown scope(s): ${unknown.join(' ') || '(none)'}`)
    const challenge = q.code_challenge
    const method = q.code_challenge_method
    if (challenge === undefined && method !== undefined) return deny(target, 'invalid_request', 'code_challenge_method without code_challenge')
    if (challenge !== undefined && (method !== 'S256' || !isValidChallenge(challenge))) {
      return deny(target, 'invalid_request', 'PKCE requires code_challenge_method=S256 and a 43–128 character code_challenge')
    }
    const a: AuthorizationRequest = {clientId: client.id, redirectUri, scope: [...new Set(scopes)].join(' '), state: q.state, challenge}
    const auto = ctx.options.autoApprove || q.auto_approve === '1' || q.auto_approve === 'true'
    if (auto) return approve(a)
    const requestId = randomId('authreq', 16)
    pending.set(requestId, {...a, expiresAtMs: now() + CONSENT_TTL_MS})
    return consentPage(requestId, a, client)
  }

  function decision(req: EmuRequest): EmuResponse {
    const params = readParams(req)
    if (!params.ok) return html(400, errorPage('Authorization error', params.message))
    const id = params.value.request_id ?? ''
    const a = pending.get(id)
    if (!a || a.expiresAtMs <= now()) {
      pending.delete(id)
      return html(400, errorPage('Authorization error', 'This authorization request has expired or was already answered. Start again.'))
    }
    const choice = params.value.decision
    if (choice !== 'approve' && choice !== 'deny') return html(400, errorPage('Authorization error', 'decision must be approve or deny.'))
    pending.delete(id)
    return choice === 'approve' ? approve(a) : deny(a, 'access_denied', 'The merchant denied access')
  }

  async function accessToken(grantId: string, grant: Omit<Grant, 'revoked'>, scope: string) {
    const ttl = ctx.accessTtl(ACCESS_TTL)
    const signed = await ctx.issueJwt({
      issuer: shuttleIssuer(ctx),
      audience: SHUTTLE_AUDIENCE,
      subject: grant.instanceId,
      ttlSeconds: ttl,
      claims: {scope, instance_id: grant.instanceId, client_id: grant.clientId, env: 'local'},
    })
    state.accessTokens.set(signed.jti, grantId)
    return {access_token: signed.token, token_type: 'Bearer', expires_in: ttl, scope, instance_id: grant.instanceId}
  }

  async function authorizationCodeGrant(p: Record<string, string>, client: ShuttleClient): Promise<EmuResponse> {
    const clientId = client.id
    const code = p.code
    if (!code) return oauthError(400, 'invalid_request', 'code is required')
    const rec = state.codes.get(code)
    if (!rec || rec.clientId !== clientId) return oauthError(400, 'invalid_grant', 'Unknown authorization code')
    if (rec.usedAtMs !== undefined) {
      // RFC 6749 §4.1.2: a replayed code revokes what was issued from it.
      if (rec.grantId !== undefined) state.revokeGrant(rec.grantId)
      return oauthError(400, 'invalid_grant', 'Authorization code already used')
    }
    rec.usedAtMs = now()
    if (rec.usedAtMs >= rec.expiresAtMs) return oauthError(400, 'invalid_grant', 'Authorization code expired')
    const redirectUri = p.redirect_uri ?? p.redirect_url
    if (redirectUri !== rec.redirectUri) return oauthError(400, 'invalid_grant', 'redirect_uri does not match the one used at /authorize')
    if (rec.challenge !== undefined && !verifierMatches(p.code_verifier, rec.challenge)) {
      return oauthError(400, 'invalid_grant', p.code_verifier === undefined ? 'code_verifier is required' : 'code_verifier does not match')
    }
    const refreshToken = ctx.secrets.opaque('rt')
    const grant = {clientId, scope: rec.scope, instanceId: client.instanceId, refreshToken}
    const grantId = state.createGrant(grant)
    rec.grantId = grantId
    return tokenJson(200, {...(await accessToken(grantId, grant, rec.scope)), refresh_token: refreshToken})
  }

  async function refreshTokenGrant(p: Record<string, string>, clientId: string): Promise<EmuResponse> {
    const rt = p.refresh_token
    if (!rt) return oauthError(400, 'invalid_request', 'refresh_token is required')
    const grantId = state.refreshTokens.get(rt)
    const grant = grantId === undefined ? undefined : state.grants.get(grantId)
    if (grantId === undefined || !grant || grant.revoked || grant.clientId !== clientId) {
      return oauthError(400, 'invalid_grant', 'Refresh token is invalid, revoked or was issued to another client')
    }
    const granted = grant.scope.split(' ')
    const requested = p.scope?.split(' ').filter(Boolean)
    if (requested?.some((s) => !granted.includes(s))) {
      return oauthError(400, 'invalid_scope', 'Requested scope exceeds the scope originally granted')
    }
    const token = await accessToken(grantId, grant, requested && requested.length > 0 ? requested.join(' ') : grant.scope)
    if (!ctx.options.shuttleRotateRefresh) return tokenJson(200, token) // documented: the refresh token stays the same
    const rotated = ctx.secrets.opaque('rt')
    state.rotateRefreshToken(grantId, rotated)
    return tokenJson(200, {...token, refresh_token: rotated})
  }

  async function token(req: EmuRequest): Promise<EmuResponse> {
    const params = readParams(req)
    if (!params.ok) return oauthError(400, 'invalid_request', params.message)
    const auth = authenticateClient(req, params.value, CLIENT_SECRETS)
    const client = auth.ok ? CLIENTS.get(auth.clientId) : undefined
    if (!auth.ok || !client) return invalidClient(auth.ok ? 'Unknown client' : auth.detail, auth.via)
    const grantType = params.value.grant_type
    if (grantType === undefined) return oauthError(400, 'invalid_request', 'grant_type is required')
    if (grantType === 'authorization_code') return authorizationCodeGrant(params.value, client)
    if (grantType === 'refresh_token') return refreshTokenGrant(params.value, client.id)
    return oauthError(400, 'unsupported_grant_type', `grant_type "${grantType}" is not supported`)
  }

  async function revoke(req: EmuRequest): Promise<EmuResponse> {
    const params = readParams(req)
    if (!params.ok) return oauthError(400, 'invalid_request', params.message)
    const client = authenticateClient(req, params.value, CLIENT_SECRETS)
    if (!client.ok) return invalidClient(client.detail, client.via)
    const tok = params.value.token
    if (!tok) return oauthError(400, 'invalid_request', 'token is required')
    const kind = /^[\w-]+\.[\w-]+\.[\w-]+$/.test(tok) ? 'access' : /^rt_[\w-]+$/.test(tok) ? 'refresh' : undefined
    if (kind === undefined) return oauthError(400, 'invalid_request', 'Invalid token format')
    if (kind === 'refresh') {
      const grantId = state.refreshTokens.get(tok)
      const grant = grantId === undefined ? undefined : state.grants.get(grantId)
      if (grantId !== undefined && grant?.clientId === client.clientId) state.revokeGrant(grantId)
    } else {
      const jti = await state.jtiOf(ctx, tok)
      const grantId = jti === undefined ? undefined : state.accessTokens.get(jti)
      const grant = grantId === undefined ? undefined : state.grants.get(grantId)
      if (jti !== undefined && grant?.clientId === client.clientId) state.revokedJtis.add(jti)
    }
    // RFC 7009 §2.2: unknown or already-invalid tokens are answered 200 as well.
    return tokenJson(200, {})
  }

  return {
    state,
    routes: [
      route('GET', `${SHUTTLE_PREFIX}/authorize`, authorize),
      route('POST', `${SHUTTLE_PREFIX}/authorize/decision`, decision),
      route('POST', `${SHUTTLE_PREFIX}/token`, token),
      route('POST', `${SHUTTLE_PREFIX}/revoke`, revoke),
    ],
  }
}
