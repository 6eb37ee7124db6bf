// Pieces shared by the Funtrips auth and content routes: issuer, problem types, bearer checks.
import type {EmulatorContext} from './context.js'
import {bearerToken, problem, type EmuRequest, type EmuResponse} from './http.js'

export const FUNTRIPS_PREFIX = '/funtrips'
export const FUNTRIPS_AUDIENCE = 'funtrips-api'
export const BACKEND_SCOPES = ['session:create', 'admin:read'] as const
export const PUBLIC_SCOPE = 'public merchants:read checkouts:write wallet:read'

export const funtripsIssuer = (ctx: EmulatorContext): string => `${ctx.baseUrl()}${FUNTRIPS_PREFIX}`

/** RFC 7807 `type` URIs; each failure a client may need to branch on has its own. */
export const PROBLEM = {
  invalidRequest: 'https://docs.funtrips.io/problems/invalid-request',
  validation: 'https://docs.funtrips.io/problems/validation-error',
  invalidClient: 'https://docs.funtrips.io/problems/invalid-client',
  invalidToken: 'https://docs.funtrips.io/problems/invalid-token',
  tokenExpired: 'https://docs.funtrips.io/problems/token-expired',
  wrongTokenType: 'https://docs.funtrips.io/problems/wrong-token-type',
  insufficientScope: 'https://docs.funtrips.io/problems/insufficient-scope',
  pkceNotSupported: 'https://docs.funtrips.io/problems/pkce-not-supported',
  invalidChallenge: 'https://docs.funtrips.io/problems/invalid-code-challenge',
  invalidIdempotencyKey: 'https://docs.funtrips.io/problems/invalid-idempotency-key',
  idempotencyKeyReused: 'https://docs.funtrips.io/problems/idempotency-key-reused',
  codeUnknown: 'https://docs.funtrips.io/problems/code-unknown',
  codeUsed: 'https://docs.funtrips.io/problems/code-already-used',
  codeExpired: 'https://docs.funtrips.io/problems/code-expired',
  invalidVerifier: 'https://docs.funtrips.io/problems/invalid-code-verifier',
  notFound: 'https://docs.funtrips.io/problems/not-found',
} as const

export function badRequest(type: string, title: string, detail: string, extra: Record<string, unknown> = {}): EmuResponse {
  return problem({type, title, status: 400, detail, ...extra})
}

export function notFoundProblem(detail: string): EmuResponse {
  return problem({type: PROBLEM.notFound, title: 'Not found', status: 404, detail})
}

export type TokenKind = 'backend' | 'public'

export interface FuntripsClaims {
  sub: string
  typ: TokenKind
  scope: string
  clientId: string
}

function unauthorized(type: string, title: string, detail: string): EmuResponse {
  return problem({type, title, status: 401, detail}, {'WWW-Authenticate': `Bearer realm="funtrips", error="invalid_token"`})
}

/** Checks the bearer is a live Funtrips token of the given kind (and scope, if any). */
export async function requireBearer(
  ctx: EmulatorContext,
  req: EmuRequest,
  kind: TokenKind,
  scope?: string,
): Promise<{ok: true; claims: FuntripsClaims} | {ok: false; response: EmuResponse}> {
  const token = bearerToken(req)
  if (!token) {
    return {ok: false, response: unauthorized(PROBLEM.invalidToken, 'Unauthorized', 'Missing bearer token')}
  }
  const v = await ctx.verifyJwt(token, {issuer: funtripsIssuer(ctx), audience: FUNTRIPS_AUDIENCE})
  if (!v.ok) {
    return v.reason === 'expired'
      ? {ok: false, response: unauthorized(PROBLEM.tokenExpired, 'Token expired', 'The bearer token has expired; start a new session')}
      : {ok: false, response: unauthorized(PROBLEM.invalidToken, 'Unauthorized', 'The bearer token is not valid')}
  }
  const p = v.payload
  if (typeof p.sub !== 'string' || (p.typ !== 'backend' && p.typ !== 'public') || typeof p.scope !== 'string' || typeof p.client_id !== 'string') {
    return {ok: false, response: unauthorized(PROBLEM.invalidToken, 'Unauthorized', 'The bearer token lacks required claims')}
  }
  const claims: FuntripsClaims = {sub: p.sub, typ: p.typ, scope: p.scope, clientId: p.client_id}
  if (claims.typ !== kind) {
    const detail =
      kind === 'public'
        ? 'A backend bearer cannot call public endpoints; exchange a session code for a public bearer'
        : 'A public bearer cannot call backend endpoints; use a client-credentials (backend) bearer'
    return {ok: false, response: unauthorized(PROBLEM.wrongTokenType, 'Wrong token type', detail)}
  }
  if (scope !== undefined && !claims.scope.split(' ').includes(scope)) {
    return {
      ok: false,
      response: problem(
        {type: PROBLEM.insufficientScope, title: 'Insufficient scope', status: 403, detail: `This endpoint requires the "${scope}" scope`},
        {'WWW-Authenticate': `Bearer realm="funtrips", error="insufficient_scope", scope="${scope}"`},
      ),
    }
  }
  return {ok: true, claims}
}
