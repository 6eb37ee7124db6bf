// Shared helpers for the emulator tests: everything goes over real HTTP with fetch.
import {createHash, randomBytes} from 'node:crypto'
import {decodeJwt} from 'jose'
import {DEMO, type Emulator} from '../../src/emulator/index.js'

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`
}

export const FT_BASIC = basic(DEMO.funtrips.clientId, DEMO.funtrips.clientSecret)
export const SH_BASIC = basic(DEMO.shuttle.clientId, DEMO.shuttle.clientSecret)

export function postForm(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded', ...headers},
    body: new URLSearchParams(params).toString(),
  })
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body: JSON.stringify(body)})
}

export async function jsonOf<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T
}

export function pkcePair(): {verifier: string; challenge: string} {
  const verifier = randomBytes(32).toString('base64url')
  return {verifier, challenge: createHash('sha256').update(verifier).digest('base64url')}
}

export function claims(token: string): Record<string, unknown> {
  return decodeJwt(token) as Record<string, unknown>
}

// --- Funtrips --------------------------------------------------------------------------

export async function backendToken(e: Emulator, scope?: string): Promise<string> {
  const res = await postForm(
    `${e.url}/funtrips/oauth/token`,
    {grant_type: 'client_credentials', ...(scope ? {scope} : {})},
    {
      authorization: FT_BASIC,
    },
  )
  if (res.status !== 200) throw new Error(`backend token: ${res.status} ${await res.text()}`)
  return (await jsonOf<{access_token: string}>(res)).access_token
}

export interface SessionBody {
  session_code: string
  code_expires_at: string
  pkce_required: boolean
  frame_url?: string
  integration: string
}

/** POST /v1/session; the user (required by Funtrips) defaults to ada@example.com. */
export async function createSession(e: Emulator, body: Record<string, unknown> = {integration: 'headless'}): Promise<SessionBody> {
  const res = await postJson(`${e.url}/funtrips/v1/session`, {external_user_id: 'ada@example.com', ...body}, {authorization: `Bearer ${await backendToken(e)}`})
  if (res.status !== 200) throw new Error(`session: ${res.status} ${await res.text()}`)
  return jsonOf<SessionBody>(res)
}

export async function publicToken(e: Emulator, externalUserId = 'ada@example.com'): Promise<string> {
  const s = await createSession(e, {integration: 'headless', external_user_id: externalUserId})
  const res = await postJson(`${e.url}/funtrips/v1/session/token`, {
    session_code: s.session_code,
    client_id: DEMO.funtrips.clientId,
    client_secret: DEMO.funtrips.clientSecret,
  })
  if (res.status !== 200) throw new Error(`exchange: ${res.status} ${await res.text()}`)
  return (await jsonOf<{access_token: string}>(res)).access_token
}

// --- Fluz ------------------------------------------------------------------------------

export const FLUZ_BASIC = `Basic ${DEMO.fluz.apiKey}`

export const GENERATE = `mutation generateUserAccessToken($userId: UUID!, $accountId: UUID!, $scopes: [ScopeType!]!, $seatId: UUID) {
  generateUserAccessToken(userId: $userId, accountId: $accountId, scopes: $scopes, seatId: $seatId) {
    accessToken token refreshToken scopes success error { code message }
  }
}`

export const REFRESH = `mutation refreshUserAccessToken($refreshToken: String!) {
  refreshUserAccessToken(userId: $refreshToken) { accessToken refreshToken scopes success error { code message } }
}`

export interface GqlResult {
  data?: Record<string, Record<string, unknown> | string | string[] | null> | null
  errors?: Array<{message: string}>
}

export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  authorization: string | undefined = FLUZ_BASIC,
): Promise<{status: number; body: GqlResult}> {
  const res = await postJson(url, {query, variables}, authorization === undefined ? {} : {authorization})
  return {status: res.status, body: await jsonOf<GqlResult>(res)}
}

export interface UserToken {
  accessToken: string | null
  token: string | null
  refreshToken: string | null
  scopes: string[] | null
  success: boolean | null
  error: {code: string; message: string} | null
}

export async function generateToken(url: string, scopes: string[], extra: Record<string, unknown> = {}): Promise<UserToken> {
  const {body} = await gql(url, GENERATE, {userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId, scopes, ...extra})
  return body.data?.generateUserAccessToken as unknown as UserToken
}

// --- Shuttle ---------------------------------------------------------------------------

// ftauth's default redirect, which the emulator registers unless told otherwise (no port is bound here).
export const REDIRECT = 'http://127.0.0.1:8765/callback'

export function authorizeUrl(e: Emulator, params: Record<string, string> = {}): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: DEMO.shuttle.clientId,
    redirect_url: REDIRECT,
    scope: 'read write',
    state: 'st4te',
    ...params,
  })
  return `${e.url}/shuttle/authorize?${q.toString()}`
}

/** Runs /authorize with auto-approve and returns the code from the redirect. */
export async function shuttleCode(e: Emulator, params: Record<string, string> = {}): Promise<string> {
  const res = await fetch(authorizeUrl(e, {auto_approve: '1', ...params}), {redirect: 'manual'})
  const location = res.headers.get('location')
  if (res.status !== 302 || !location) throw new Error(`authorize: ${res.status}`)
  const code = new URL(location).searchParams.get('code')
  if (!code) throw new Error(`no code in ${location}`)
  return code
}

export interface ShuttleTokens {
  access_token: string
  refresh_token: string
  token_type: string
  expires_in: number
  scope: string
  instance_id: string
}

export async function shuttleTokens(e: Emulator, params: Record<string, string> = {}): Promise<ShuttleTokens> {
  const code = await shuttleCode(e, params)
  const res = await postForm(`${e.url}/shuttle/token`, {grant_type: 'authorization_code', code, redirect_uri: REDIRECT}, {authorization: SH_BASIC})
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`)
  return jsonOf<ShuttleTokens>(res)
}
