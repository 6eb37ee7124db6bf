import {z} from 'zod'

import type {Deps} from '../../core/base-command.js'
import {parseJsonResponse} from '../../core/http.js'
import {httpErrorToFtauth} from '../../core/provider-errors.js'
import type {FuntripsSettings} from '../../core/profiles.js'

/** POST /oauth/token (client credentials) → backend bearer. Lifetime is not documented: honour expires_in. */
export const BackendTokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().default('Bearer'),
  expires_in: z.coerce.number().positive().optional(),
  scope: z.string().optional(),
}).loose()
export type BackendTokenResponse = z.infer<typeof BackendTokenResponse>

export interface ClientCredentials {
  clientId: string
  clientSecret: string
}

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
