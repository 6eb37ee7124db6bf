import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import {notLoggedIn} from '../../core/errors.js'
import {parseJsonResponse} from '../../core/http.js'
import {expiryOf, scopesOf, decodeToken} from '../../core/jwt.js'
import {withLock} from '../../core/locks.js'
import {httpErrorToFtauth} from '../../core/provider-errors.js'
import {FUNTRIPS_SECRET, type FuntripsSettings} from './settings.js'
import type {StoredToken} from '../../core/token-cache.js'
import type {TokenOrigin} from '../../core/token-source.js'
import {expiresIn, isUsable} from './expiry.js'

/** POST /oauth/token (client credentials) → backend bearer. Lifetime is not documented: honour expires_in. */
/** OAuth's `access_token`; the guide's diagram labels the answer `{ backend_bearer }`, which is accepted too. */
export const BackendTokenResponse = z.pipe(
  z
    .looseObject({
      access_token: z.optional(z.string().check(z.minLength(1))),
      backend_bearer: z.optional(z.string().check(z.minLength(1))),
      token_type: z._default(z.string(), 'Bearer'),
      expires_in: z.optional(z.coerce.number().check(z.positive())),
      scope: z.optional(z.string()),
    })
    .check(
      z.refine((body) => body.access_token !== undefined || body.backend_bearer !== undefined, {
        message: 'no access_token (or backend_bearer) in the response',
        path: ['access_token'],
      }),
    ),
  z.transform(({backend_bearer, ...body}) => ({...body, access_token: (body.access_token ?? backend_bearer) as string})),
)
export type BackendTokenResponse = z.infer<typeof BackendTokenResponse>

export interface ClientCredentials {
  clientId: string
  clientSecret: string
}

const LOGIN_HINT = `run \`ftauth login funtrips\` (or set FTAUTH_FUNTRIPS_CLIENT_ID and ${FUNTRIPS_SECRET.envVar})`

export async function requestBackendToken(deps: Deps, settings: FuntripsSettings, client: ClientCredentials) {
  deps.secrets.add(client.clientSecret)
  const response = await deps.http.request({
    method: 'POST',
    url: `${settings.authUrl}/oauth/token`,
    form: {grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret},
    idempotent: false,
    secrets: [client.clientSecret],
  })
  if (response.status >= 400) {
    throw httpErrorToFtauth(response, 'Funtrips client credentials', {
      rejected: 'check the client id and secret (`ftauth login funtrips`, or FTAUTH_FUNTRIPS_CLIENT_ID/_SECRET)',
    })
  }
  const body = parseJsonResponse(response, BackendTokenResponse)
  deps.secrets.add(body.access_token)
  return {body, response}
}

/** The profile's client id and secret for its Funtrips environment; missing → exit 3 naming the fix. */
export async function funtripsClient(deps: Deps): Promise<ClientCredentials> {
  const settings = deps.profile.funtrips
  if (!settings.clientId) {
    throw notLoggedIn(`no Funtrips client id for profile ${deps.profile.name} (${settings.env})`, LOGIN_HINT)
  }
  const secret = await deps.store.secret('funtrips', 'client_secret', {env: settings.env})
  if (!secret) {
    throw notLoggedIn(`no Funtrips client secret for profile ${deps.profile.name} (${settings.env})`, LOGIN_HINT)
  }
  deps.secrets.add(secret.value)
  return {clientId: settings.clientId, clientSecret: secret.value}
}

/** Cache keys carry env and client id: a sandbox bearer must never be reused against production, nor one client's for another. */
export const backendTokenKey = (settings: FuntripsSettings, clientId: string): string => `backend.${settings.env}.${clientId}`

export interface BackendBearer {
  token: string
  expiresAt: Date
  scopes: string[]
  origin: TokenOrigin
}

/**
 * A backend bearer: the cached one while it is usable, else a new one by client credentials
 * (`fresh` skips the cache). Locked so parallel ftauth runs do not each fetch one. Prints one step.
 */
export async function obtainBackendBearer(deps: Deps, options: {fresh: boolean}): Promise<BackendBearer> {
  const settings = deps.profile.funtrips
  const client = await funtripsClient(deps)
  const key = backendTokenKey(settings, client.clientId)
  return withLock(deps.paths.locks, `funtrips-${key}`, async () => {
    const now = deps.now()
    if (!options.fresh) {
      const cached = await deps.tokens.get('funtrips', key)
      if (cached && isUsable(cached, now)) {
        deps.secrets.add(cached.accessToken)
        const expiresAt = new Date(cached.expiresAt)
        deps.report({type: 'step', title: 'Backend bearer', outcome: `reused, ${expiresIn(expiresAt, now)}`, status: 'skip'})
        return {token: cached.accessToken, expiresAt, scopes: cached.scopes, origin: 'cache'}
      }
    }
    const {body, response} = await requestBackendToken(deps, settings, client)
    const receivedAt = deps.now()
    const expiry = expiryOf({token: body.access_token, receivedAt, expiresInSeconds: body.expires_in, serverDate: response.serverDate})
    const claims = decodeToken(body.access_token)?.claims
    const scopes = body.scope ? body.scope.split(/\s+/).filter(Boolean) : claims ? scopesOf(claims) : []
    const stored: StoredToken = {
      accessToken: body.access_token,
      tokenType: body.token_type,
      expiresAt: expiry.expiresAt.toISOString(),
      obtainedAt: receivedAt.toISOString(),
      env: settings.env,
      scopes,
      meta: {kind: 'backend', clientId: client.clientId, expiryBasis: expiry.basis},
    }
    // Written only now, after the response validated: a failed request leaves the old token in place.
    await deps.tokens.put('funtrips', key, stored)
    deps.report({
      type: 'step',
      title: 'Backend bearer',
      outcome: `obtained, ${expiresIn(expiry.expiresAt, receivedAt)}`,
      request: `POST /oauth/token ${response.status}`,
      ms: response.ms,
    })
    return {token: body.access_token, expiresAt: expiry.expiresAt, scopes, origin: 'new'}
  })
}
