import {z} from 'zod'

import type {Deps} from '../../core/base-command.js'
import {credentialsRejected, ExitCode, FtauthError, providerError} from '../../core/errors.js'
import {endpointOf, parseJsonResponse, tryJson} from '../../core/http.js'

/** Fluz authenticates apps with `Basic <api_key>` (already base64 of app_id:app_secret, sent as is) and users with `Bearer`. */
export type FluzAuth = {basic: string} | {bearer: string}

const GraphqlEnvelope = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z.array(z.object({message: z.string(), extensions: z.record(z.string(), z.unknown()).optional()}).loose()).optional(),
})

/** Fluz's in-payload failure: `{success:false, error:{code:"AUTH-0008", message}}`. */
export const FluzPayloadError = z.object({code: z.string(), message: z.string().optional()})

export interface GraphqlRequest {
  url: string
  auth: FluzAuth
  query: string
  variables?: Record<string, unknown>
  operationName?: string
  /** Only reads are retried (queries); mutations such as token generation never are. */
  idempotent?: boolean
}

/** Posts a GraphQL operation; HTTP 401 → exit 3, top-level errors[] → exit 6; returns `data`. */
export async function fluzGraphql(deps: Deps, request: GraphqlRequest): Promise<Record<string, unknown>> {
  const secret = 'basic' in request.auth ? request.auth.basic : request.auth.bearer
  deps.secrets.add(secret)
  const response = await deps.http.request({
    method: 'POST',
    url: request.url,
    headers: {authorization: 'basic' in request.auth ? `Basic ${request.auth.basic}` : `Bearer ${request.auth.bearer}`},
    json: {query: request.query, variables: request.variables ?? {}, operationName: request.operationName},
    idempotent: request.idempotent ?? false,
    secrets: [secret],
  })
  if (response.status === 401 || response.status === 403) {
    throw credentialsRejected(
      `Fluz rejected the ${'basic' in request.auth ? 'API key' : 'user access token'} (HTTP ${response.status} from ${endpointOf(request.url)})`,
      'basic' in request.auth ? 'check the API key with `ftauth login fluz` (or FTAUTH_FLUZ_API_KEY)' : 'get a new token with `ftauth fluz token --fresh`',
    )
  }
  if (response.status >= 400 && !tryJson(response)) {
    throw providerError(`Fluz answered HTTP ${response.status} at ${endpointOf(request.url)}`, 'run with --trace to see the exchange', {status: response.status})
  }
  const envelope = parseJsonResponse(response, GraphqlEnvelope)
  if (envelope.errors?.length) {
    const first = envelope.errors[0]!
    throw new FtauthError(ExitCode.provider, `Fluz GraphQL error: ${first.message}`, {
      hint: 'check the operation against the Fluz schema; run with --trace to see the exchange',
      details: {graphqlErrors: envelope.errors.map((error) => error.message)},
    })
  }
  if (!envelope.data) throw providerError(`Fluz returned no data from ${endpointOf(request.url)}`, 'run with --trace to see the exchange')
  return envelope.data
}

/** `query Marco { marco }` → "polo": the documented way to check an API key. */
export async function pingFluz(deps: Deps, url: string, apiKey: string): Promise<void> {
  const data = await fluzGraphql(deps, {url, auth: {basic: apiKey}, query: 'query Marco { marco }', operationName: 'Marco', idempotent: true})
  if (data.marco !== 'polo') throw providerError(`Fluz ping answered ${JSON.stringify(data.marco)} instead of "polo"`, 'check the Fluz URL for this environment')
}
