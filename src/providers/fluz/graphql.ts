import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import {credentialsRejected, expiredOrUsed, FtauthError, providerError} from '../../core/errors.js'
import {endpointOf, parseJsonResponse, tryJson, type HttpResponse} from '../../core/http.js'

/** Fluz authenticates apps with `Basic <api_key>` (already base64 of app_id:app_secret, sent as is) and users with `Bearer`. */
export type FluzAuth = {basic: string} | {bearer: string}

const GraphqlErrorSchema = z.looseObject({message: z.string(), extensions: z.optional(z.record(z.string(), z.unknown()))})
export type GraphqlError = z.infer<typeof GraphqlErrorSchema>

const GraphqlEnvelope = z.object({
  data: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  errors: z.optional(z.array(GraphqlErrorSchema)),
})

/** Fluz's in-payload failure: `{success:false, error:{code:"AUTH-0008", message}}`. */
export const FluzPayloadError = z.object({code: z.string(), message: z.nullish(z.string())})

export interface GraphqlRequest {
  url: string
  auth: FluzAuth
  query: string
  variables?: Record<string, unknown>
  operationName?: string
  /** Only reads are retried (queries); mutations such as token generation never are. */
  idempotent?: boolean
  /** Further secrets in the variables (a refresh token), masked in traces. */
  secrets?: readonly string[]
}

export interface GraphqlResult {
  data: Record<string, unknown> | undefined
  errors: GraphqlError[]
  response: HttpResponse
}

/**
 * Posts a GraphQL operation and returns data and errors[] as they came. HTTP 401/403 → exit 3,
 * other HTTP errors without a GraphQL body → exit 6, malformed JSON → exit 6.
 */
export async function postFluzGraphql(deps: Deps, request: GraphqlRequest): Promise<GraphqlResult> {
  const secret = 'basic' in request.auth ? request.auth.basic : request.auth.bearer
  deps.secrets.add(secret)
  const response = await deps.http.request({
    method: 'POST',
    url: request.url,
    headers: {authorization: 'basic' in request.auth ? `Basic ${request.auth.basic}` : `Bearer ${request.auth.bearer}`},
    json: {query: request.query, variables: request.variables ?? {}, operationName: request.operationName},
    idempotent: request.idempotent ?? false,
    secrets: [secret, ...(request.secrets ?? [])],
  })
  if (response.status === 401 || response.status === 403) {
    throw credentialsRejected(
      `Fluz rejected the ${'basic' in request.auth ? 'API key' : 'user access token'} (HTTP ${response.status} from ${endpointOf(request.url)})`,
      'basic' in request.auth ? 'check the API key with `ftauth login fluz` (or FTAUTH_FLUZ_API_KEY)' : 'get a new token with `ftauth fluz token --fresh`',
      {status: response.status},
    )
  }
  if (response.status >= 400 && !tryJson(response)) {
    throw providerError(`Fluz answered HTTP ${response.status} at ${endpointOf(request.url)}`, 'run with --trace to see the exchange', {
      status: response.status,
    })
  }
  const envelope = parseJsonResponse(response, GraphqlEnvelope)
  const errors = envelope.errors ?? []
  if (response.status >= 400 && errors.length === 0) {
    throw providerError(`Fluz answered HTTP ${response.status} at ${endpointOf(request.url)}`, 'run with --trace to see the exchange', {
      status: response.status,
    })
  }
  return {data: envelope.data ?? undefined, errors, response}
}

/** Posts a GraphQL operation; HTTP 401 → exit 3, top-level errors[] → by Fluz code, else exit 6; returns `data`. */
export async function fluzGraphql(deps: Deps, request: GraphqlRequest): Promise<Record<string, unknown>> {
  const {data, errors} = await postFluzGraphql(deps, request)
  if (errors.length > 0) throw graphqlErrorsToFtauth(errors, request.operationName)
  if (!data) throw providerError(`Fluz returned no data from ${endpointOf(request.url)}`, 'run with --trace to see the exchange')
  return data
}

/** Top-level errors[]: a Fluz code in `extensions.code` maps like an in-payload failure; anything else is exit 6. */
export function graphqlErrorsToFtauth(errors: readonly GraphqlError[], operation = 'GraphQL operation'): FtauthError {
  const first = errors[0]
  const code = first?.extensions?.code
  if (typeof code === 'string' && /^[A-Z]+-\d+$/.test(code)) return fluzCodeError(operation, code, first?.message)
  return providerError(
    `Fluz GraphQL error: ${first?.message ?? 'unknown error'}`,
    'check the operation against the Fluz schema; run with --trace to see the exchange',
    {
      graphqlErrors: errors.map((error) => error.message),
    },
  )
}

/**
 * Fields the server's schema lacks, from validation errors such as
 * `Cannot query field "accessToken" on type "UserAccessToken".`
 */
export function unknownFieldsIn(errors: readonly GraphqlError[]): string[] {
  const fields: string[] = []
  for (const error of errors) {
    const match = /Cannot query field "(\w+)" on type/.exec(error.message)
    if (match) fields.push(match[1]!)
  }
  return fields
}

/** Maps a Fluz error code (docs.fluz.app/docs/error-codes) onto the exit-code table. */
export function fluzCodeError(operation: string, code: string, message: string | null | undefined): FtauthError {
  const said = message ? `${code}: ${message}` : code
  if (code === 'AUTH-0001' || code === 'AUTH-0002') {
    return credentialsRejected(
      `Fluz ${operation}: API key or account rejected (${said})`,
      'check the API key, user id and account id for this environment (`ftauth login fluz`, FTAUTH_FLUZ_*)',
      {fluzCode: code},
    )
  }
  if (code === 'AUTH-0008') {
    return expiredOrUsed(`Fluz ${operation}: invalid user access (${said})`, 'generate a new token with `ftauth fluz token --fresh`', {fluzCode: code})
  }
  return providerError(`Fluz ${operation} failed (${said})`, 'see docs.fluz.app/docs/error-codes; run with --trace to see the exchange', {fluzCode: code})
}

export function isFluzCode(error: unknown, code: string): boolean {
  return error instanceof FtauthError && error.details?.fluzCode === code
}

/** Throws the mapped error when an operation's payload reports `success: false` or carries an error. */
export function checkPayload(operation: string, payload: {success?: boolean | null; error?: z.infer<typeof FluzPayloadError> | null}): void {
  if (payload.error) throw fluzCodeError(operation, payload.error.code, payload.error.message)
  if (payload.success === false) throw providerError(`Fluz ${operation} reported a failure without an error code`, 'run with --trace to see the exchange')
}

/** Validates one field of `data` with its zod schema (exit 6 naming the path), never trusting the body. */
export function parseFluzData<S extends z.ZodMiniType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = issue?.path.length ? `.${issue.path.map(String).join('.')}` : ''
  throw providerError(
    `Fluz ${where} returned an unexpected response: data.${where}${path}: ${issue?.message ?? 'invalid'}`,
    'check the Fluz URL for this environment, or run with --trace',
  )
}

/** "POST /api/v1/graphql 200": the request part of a step line. */
export function requestLine(response: HttpResponse): string {
  let path = response.url
  try {
    path = new URL(response.url).pathname
  } catch {
    // keep the URL as it was given
  }
  return `${response.method} ${path} ${response.status}`
}

/** `query Marco { marco }` → "polo": the documented way to check an API key. */
export async function pingFluz(deps: Deps, url: string, apiKey: string): Promise<void> {
  const data = await fluzGraphql(deps, {url, auth: {basic: apiKey}, query: 'query Marco { marco }', operationName: 'Marco', idempotent: true})
  if (data.marco !== 'polo')
    throw providerError(`Fluz ping answered ${JSON.stringify(data.marco)} instead of "polo"`, 'check the Fluz URL for this environment')
}
