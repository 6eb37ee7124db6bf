import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import {providerError} from '../../core/errors.js'
import {endpointOf} from '../../core/http.js'
import {graphqlErrorsToFtauth, parseFluzData, postFluzGraphql, requestLine} from './graphql.js'

/** `getApplicationScopes` answers the scope names the application holds. */
export const ApplicationScopesResponse = z.array(z.string())

/** The scopes granted to the application (Basic auth); a user's token can only carry these. */
export async function getApplicationScopes(deps: Deps, url: string, apiKey: string): Promise<{scopes: string[]; request: string; ms: number}> {
  const {data, errors, response} = await postFluzGraphql(deps, {
    url,
    auth: {basic: apiKey},
    query: 'query getApplicationScopes { getApplicationScopes }',
    operationName: 'getApplicationScopes',
    idempotent: true,
  })
  if (errors.length > 0) throw graphqlErrorsToFtauth(errors, 'getApplicationScopes')
  if (!data || !('getApplicationScopes' in data)) {
    throw providerError(`Fluz returned no getApplicationScopes from ${endpointOf(url)}`, 'check the Fluz URL for this environment, or run with --trace')
  }
  const scopes = parseFluzData(ApplicationScopesResponse, data.getApplicationScopes, 'getApplicationScopes')
  return {scopes, request: requestLine(response), ms: response.ms}
}
