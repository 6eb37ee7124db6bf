import type {Deps} from '../../core/deps.js'
import {notLoggedIn} from '../../core/errors.js'
import {readErrorBody} from '../../core/provider-errors.js'

export interface ShuttleClient {
  clientId: string
  clientSecret: string
}

export type ClientAuthMethod = 'basic' | 'body'
export const CLIENT_AUTH_METHODS = ['basic', 'body'] as const satisfies readonly ClientAuthMethod[]

/**
 * The configured client of the profile's Shuttle environment: id from the profile (or
 * FTAUTH_SHUTTLE_CLIENT_ID), secret from env > keychain > demo secret (local). Missing → exit 3
 * before any request is sent.
 */
export async function resolveShuttleClient(deps: Deps): Promise<ShuttleClient> {
  const {env, clientId} = deps.profile.shuttle
  const fix = `run \`ftauth login shuttle${env === 'production' ? '' : ` --env ${env}`}\` (or set FTAUTH_SHUTTLE_CLIENT_ID and FTAUTH_SHUTTLE_CLIENT_SECRET)`
  if (!clientId) throw notLoggedIn(`no Shuttle client id for ${env} in profile "${deps.profile.name}"`, fix)
  const secret = await deps.store.secret('shuttle', 'client_secret', {env})
  if (!secret) throw notLoggedIn(`no Shuttle client secret for ${env} in profile "${deps.profile.name}"`, fix)
  deps.secrets.add(secret.value)
  return {clientId, clientSecret: secret.value}
}

/**
 * Client authentication for Shuttle's token and revoke endpoints: HTTP Basic by default
 * (RFC 6749 §2.3.1, form-urlencoded id and secret) or the id and secret in the body, as the docs allow.
 */
export function clientAuth(deps: Deps, client: ShuttleClient, method: ClientAuthMethod): {headers: Record<string, string>; form: Record<string, string>} {
  deps.secrets.add(client.clientSecret)
  if (method === 'body') return {headers: {}, form: {client_id: client.clientId, client_secret: client.clientSecret}}
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')
  deps.secrets.add(basic)
  return {headers: {authorization: `Basic ${basic}`}, form: {}}
}

/** What the revoke check says about a client: accepted, rejected, or nothing either way (and why). */
export type ShuttleClientCheck =
  | {verdict: 'accepted'; status: number}
  | {verdict: 'rejected'; status: number}
  | {verdict: 'unverified'; status: number; reason: string}

/**
 * Shuttle has no client-credentials grant, so `login` checks the client by revoking a token that
 * cannot exist. Only a 200 proves the client (RFC 7009 §2.1: the server authenticates the client,
 * then answers 200 even for an unknown token); 401 rejects it. Shuttle documents 400 for a token of
 * the wrong format without saying whether that is checked before the client, so a 400 (or anything
 * else) proves nothing: "not verified", with the reason.
 */
export async function verifyShuttleClient(deps: Deps, authUrl: string, client: ShuttleClient): Promise<ShuttleClientCheck> {
  const auth = clientAuth(deps, client, 'basic')
  const response = await deps.http.request({
    method: 'POST',
    url: `${authUrl}/revoke`,
    headers: auth.headers,
    // Shaped like a JWT, the form the access tokens come in, so a format check has no reason to refuse it first.
    form: {...auth.form, token: DUMMY_ACCESS_TOKEN, token_type_hint: 'access_token'},
    idempotent: true,
    secrets: [client.clientSecret],
  })
  if (response.status === 200) return {verdict: 'accepted', status: 200}
  if (response.status === 401) return {verdict: 'rejected', status: 401}
  const said = readErrorBody(response).text
  return {
    verdict: 'unverified',
    status: response.status,
    reason: `POST /revoke answered HTTP ${response.status}${said ? ` (${said})` : ''} before saying anything about the client`,
  }
}

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
const DUMMY_ACCESS_TOKEN = `${segment({alg: 'none', typ: 'JWT'})}.${segment({sub: 'ftauth-login-check'})}.ftauth-login-check`
