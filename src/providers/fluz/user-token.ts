import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import type {EnvName} from '../../core/config.js'
import {providerError} from '../../core/errors.js'
import {endpointOf} from '../../core/http.js'
import {expiryOf, type Expiry} from '../../core/jwt.js'
import {checkPayload, FluzPayloadError, graphqlErrorsToFtauth, parseFluzData, postFluzGraphql, requestLine, unknownFieldsIn} from './graphql.js'
import type {FluzTokenRequest} from './request.js'

/** Documented lifetimes (docs.fluz.app "Generate a User Access Token"), used when the token is not a JWT. */
export const DOCUMENTED_LIFETIME_SECONDS: Record<EnvName, number> = {sandbox: 600, production: 180, local: 600}

/** What both token mutations answer. The docs name the token `accessToken` in one place and `token` in another. */
export const UserAccessTokenPayload = z.looseObject({
  success: z.nullish(z.boolean()),
  error: z.nullish(FluzPayloadError),
  accessToken: z.nullish(z.string()),
  token: z.nullish(z.string()),
  refreshToken: z.nullish(z.string()),
  scopes: z.nullish(z.array(z.string())),
})

export type TokenField = 'accessToken' | 'token'

export interface IssuedFluzToken {
  accessToken: string
  /** Absent when the server's schema has no refreshToken field or it came back null. */
  refreshToken: string | undefined
  /** Scopes as the server answered them, if it did. */
  scopes: string[] | undefined
  tokenField: TokenField
  /** The server carried the token in the field it used last time (remembered per profile and environment). */
  fieldRemembered: boolean
  expiresAt: Date
  expiryBasis: Expiry['basis']
  obtainedAt: Date
  /** "POST /api/v1/graphql 200" and its duration, for the step line. */
  request: string
  ms: number
  /** Fields the server's schema lacks, learnt from a "Cannot query field" answer. */
  missingFields: string[]
}

interface SelectedField {
  name: string
  text: string
}

/** Everything worth asking for; fields the server lacks are dropped after one validation error. */
const FULL_SELECTION: readonly SelectedField[] = [
  {name: 'success', text: 'success'},
  {name: 'error', text: 'error { code message }'},
  {name: 'accessToken', text: 'accessToken'},
  {name: 'token', text: 'token'},
  {name: 'refreshToken', text: 'refreshToken'},
  {name: 'scopes', text: 'scopes'},
]

const selectionText = (fields: readonly SelectedField[]) => fields.map((field) => field.text).join(' ')

/** `generateUserAccessToken(userId, accountId, scopes, seatId)` with the app's `Basic <api_key>`. */
export async function generateUserAccessToken(deps: Deps, request: FluzTokenRequest, apiKey: string): Promise<IssuedFluzToken> {
  return tokenMutation(deps, request, apiKey, {
    operation: 'generateUserAccessToken',
    query: (selection) =>
      'mutation generateUserAccessToken($userId: UUID!, $accountId: UUID!, $scopes: [ScopeType!]!, $seatId: UUID) ' +
      `{ generateUserAccessToken(userId: $userId, accountId: $accountId, scopes: $scopes, seatId: $seatId) { ${selection} } }`,
    variables: {userId: request.userId, accountId: request.accountId, scopes: request.scopes, seatId: request.seatId},
    secrets: [],
  })
}

/**
 * `refreshUserAccessToken` exactly as documented: the argument is named `userId` but carries the
 * refresh token (a doc bug the server shares). Either response key is accepted.
 */
export async function refreshUserAccessToken(deps: Deps, request: FluzTokenRequest, apiKey: string, refreshToken: string): Promise<IssuedFluzToken> {
  deps.secrets.add(refreshToken)
  return tokenMutation(deps, request, apiKey, {
    operation: 'refreshUserAccessToken',
    query: (selection) => `mutation refreshUserAccessToken($refreshToken: String!) { refreshUserAccessToken(userId: $refreshToken) { ${selection} } }`,
    variables: {refreshToken},
    secrets: [refreshToken],
  })
}

interface Mutation {
  operation: 'generateUserAccessToken' | 'refreshUserAccessToken'
  query: (selection: string) => string
  variables: Record<string, unknown>
  secrets: string[]
}

async function tokenMutation(deps: Deps, request: FluzTokenRequest, apiKey: string, mutation: Mutation): Promise<IssuedFluzToken> {
  const post = (fields: readonly SelectedField[]) =>
    postFluzGraphql(deps, {
      url: request.url,
      auth: {basic: apiKey},
      query: mutation.query(selectionText(fields)),
      variables: mutation.variables,
      operationName: mutation.operation,
      secrets: mutation.secrets,
    })
  // What this server lacked before (e.g. no accessToken field) is left out from the start.
  const remembered = await deps.tokens.serverChoices('fluz', request.env)
  const rememberedMissing = (remembered.missingFields ?? '').split(',').filter(Boolean)
  const firstSelection = FULL_SELECTION.filter((field) => !rememberedMissing.includes(field.name))
  const usable = firstSelection.some((field) => field.name === 'accessToken' || field.name === 'token')
  let result = await post(usable ? firstSelection : FULL_SELECTION)
  let missingFields: string[] = usable ? rememberedMissing : []
  const missing = unknownFieldsIn(result.errors)
  if (result.errors.length > 0 && missing.length === result.errors.length) {
    const reduced = FULL_SELECTION.filter((field) => !missing.includes(field.name) && !missingFields.includes(field.name))
    const hasTokenField = reduced.some((field) => field.name === 'accessToken' || field.name === 'token')
    if (hasTokenField && missing.some((field) => !missingFields.includes(field))) {
      // Safe to send a mutation twice here: a validation error means the server executed nothing
      // (GraphQL spec: validation precedes execution), so no token was minted and no refresh token
      // spent. Retried ONCE, with the fields it lacks left out.
      missingFields = [...new Set([...missingFields, ...missing])]
      deps.report({
        type: 'step',
        title: 'Schema',
        outcome: `the server has no ${missing.map((field) => `"${field}"`).join(', ')} field; asked again without it`,
        request: requestLine(result.response),
        ms: result.response.ms,
        status: 'warn',
      })
      result = await post(reduced)
    }
  }
  if (result.errors.length > 0) throw graphqlErrorsToFtauth(result.errors, mutation.operation)
  const raw = result.data?.[mutation.operation] ?? result.data?.generateUserAccessToken ?? result.data?.refreshUserAccessToken
  if (raw === undefined || raw === null) {
    throw providerError(
      `Fluz ${mutation.operation} returned no payload from ${endpointOf(request.url)}`,
      'check the Fluz URL for this environment, or run with --trace',
    )
  }
  const payload = parseFluzData(UserAccessTokenPayload, raw, mutation.operation)
  checkPayload(mutation.operation, payload)
  const tokenField: TokenField | undefined = payload.accessToken ? 'accessToken' : payload.token ? 'token' : undefined
  const accessToken = tokenField ? payload[tokenField] : undefined
  if (!tokenField || !accessToken) {
    throw providerError(`Fluz ${mutation.operation} answered without a token (neither accessToken nor token)`, 'run with --trace to see the exchange')
  }
  deps.secrets.add(accessToken)
  if (payload.refreshToken) deps.secrets.add(payload.refreshToken)
  const fieldRemembered = remembered.tokenField === tokenField
  await deps.tokens.rememberServerChoices('fluz', request.env, {tokenField, missingFields: missingFields.join(',')})
  const obtainedAt = deps.now()
  const expiry = expiryOf({
    token: accessToken,
    receivedAt: obtainedAt,
    serverDate: result.response.serverDate,
    fallbackLifetimeSeconds: DOCUMENTED_LIFETIME_SECONDS[request.env],
  })
  return {
    accessToken,
    refreshToken: payload.refreshToken || undefined,
    scopes: payload.scopes ?? undefined,
    tokenField,
    fieldRemembered,
    expiresAt: expiry.expiresAt,
    expiryBasis: expiry.basis,
    obtainedAt,
    request: requestLine(result.response),
    ms: result.response.ms,
    missingFields,
  }
}
