import type {Deps} from '../../core/deps.js'
import {notLoggedIn} from '../../core/errors.js'

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
export function clientAuth(
  deps: Deps,
  client: ShuttleClient,
  method: ClientAuthMethod,
): {headers: Record<string, string>; form: Record<string, string>} {
  deps.secrets.add(client.clientSecret)
  if (method === 'body') return {headers: {}, form: {client_id: client.clientId, client_secret: client.clientSecret}}
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')
  deps.secrets.add(basic)
  return {headers: {authorization: `Basic ${basic}`}, form: {}}
}

/**
 * Shuttle has no client-credentials grant, so `login` checks the client by revoking a token that
 * cannot exist: RFC 7009 answers 200 for unknown tokens, Shuttle answers 401 for a bad client.
 */
export async function verifyShuttleClient(deps: Deps, authUrl: string, client: ShuttleClient): Promise<boolean> {
  const auth = clientAuth(deps, client, 'basic')
  const response = await deps.http.request({
    method: 'POST',
    url: `${authUrl}/revoke`,
    headers: auth.headers,
    form: {...auth.form, token: 'ftauth-login-check-0000000000', token_type_hint: 'access_token'},
    idempotent: true,
    secrets: [client.clientSecret],
  })
  return response.status !== 401
}
