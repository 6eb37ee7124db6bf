import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import {providerError} from '../../core/errors.js'
import {endpointOf} from '../../core/http.js'
import {graphqlErrorsToFtauth, postFluzGraphql, requestLine, unknownFieldsIn, type GraphqlError} from './graphql.js'

/**
 * The docs name the query `getApplicationScopes` (and some pages `getApplicationScope`), and show no
 * answer: a list of scope names, or of objects carrying the name. Both names and both shapes are
 * accepted; anything else is exit 6 naming the field.
 */
export const SCOPE_QUERIES = ['getApplicationScopes', 'getApplicationScope'] as const
type ScopeQuery = (typeof SCOPE_QUERIES)[number]

/** Where an object in the list may carry the scope name, first match wins. */
const NAME_FIELDS = ['scope', 'name', 'scopeType', 'type', 'code', 'value'] as const

const ScopeNames = z.array(z.string())
const ScopeObjects = z.array(z.record(z.string(), z.unknown()))
/** Either shape the answer may take; which field of an object names the scope is decided after. */
export const ApplicationScopesResponse = z.union([ScopeNames, ScopeObjects])

export interface ApplicationScopes {
  scopes: string[]
  request: string
  ms: number
  /** Which query answered and, for objects, which field carried the name. */
  query: ScopeQuery
  shape: 'strings' | `objects.${string}`
}

/** The scopes granted to the application (Basic auth); a user's token can only carry these. */
export async function getApplicationScopes(deps: Deps, url: string, apiKey: string): Promise<ApplicationScopes> {
  const post = (query: string, operationName: string) => postFluzGraphql(deps, {url, auth: {basic: apiKey}, query, operationName, idempotent: true})
  let query: ScopeQuery = SCOPE_QUERIES[0]
  let result = await post(`query ${query} { ${query} }`, query)
  if (onlyUnknown(result.errors, query)) {
    // Validation failed, so nothing ran: asking under the other documented name is safe.
    query = SCOPE_QUERIES[1]
    result = await post(`query ${query} { ${query} }`, query)
  }
  let nameField: string | undefined
  const objectType = needsSelection(result.errors)
  if (objectType) {
    nameField = await scopeNameField(deps, url, apiKey, objectType)
    result = await post(`query ${query} { ${query} { ${nameField} } }`, query)
  }
  if (result.errors.length > 0) throw graphqlErrorsToFtauth(result.errors, query)
  const data = result.data
  if (!data || !(query in data)) {
    throw providerError(`Fluz returned no ${query} from ${endpointOf(url)}`, 'check the Fluz URL for this environment, or run with --trace')
  }
  const value = data[query]
  const parsed = ApplicationScopesResponse.safeParse(value)
  if (!parsed.success) {
    throw providerError(
      `Fluz ${query} returned an unexpected shape at data.${query}: not a list`,
      'run with --trace to see the answer; report it with the Fluz docs page',
    )
  }
  const names = ScopeNames.safeParse(value)
  if (names.success) return {scopes: names.data, request: requestLine(result.response), ms: result.response.ms, query, shape: 'strings'}
  const objects = ScopeObjects.safeParse(value)
  const field = nameField ?? (objects.success ? NAME_FIELDS.find((name) => objects.data.every((item) => typeof item[name] === 'string')) : undefined)
  if (objects.success && field && objects.data.every((item) => typeof item[field] === 'string')) {
    return {
      scopes: objects.data.map((item) => item[field] as string),
      request: requestLine(result.response),
      ms: result.response.ms,
      query,
      shape: `objects.${field}`,
    }
  }
  throw providerError(
    `Fluz ${query} returned an unexpected shape at data.${query}: neither a list of scope names nor of objects with a ${NAME_FIELDS.join('/')} field`,
    'run with --trace to see the answer; report it with the Fluz docs page',
  )
}

const onlyUnknown = (errors: readonly GraphqlError[], field: string) => errors.length > 0 && unknownFieldsIn(errors).includes(field) && errors.length === 1

/** `Field "getApplicationScopes" of type "[ApplicationScope!]!" must have a selection of subfields` → `ApplicationScope`. */
function needsSelection(errors: readonly GraphqlError[]): string | undefined {
  for (const error of errors) {
    const match = /must have a selection of subfields/.test(error.message) ? /of type "\[?(\w+)/.exec(error.message) : null
    if (match) return match[1]
  }
  return undefined
}

/** Asks the schema (introspection) which field of the object type carries the scope name. */
async function scopeNameField(deps: Deps, url: string, apiKey: string, typeName: string): Promise<string> {
  const {data, errors} = await postFluzGraphql(deps, {
    url,
    auth: {basic: apiKey},
    query: 'query ScopeType($name: String!) { __type(name: $name) { fields { name } } }',
    variables: {name: typeName},
    operationName: 'ScopeType',
    idempotent: true,
  })
  const fields = z.object({__type: z.nullable(z.object({fields: z.nullable(z.array(z.object({name: z.string()})))}))}).safeParse(data)
  const names = fields.success ? (fields.data.__type?.fields ?? []).map((field) => field.name) : []
  const found = NAME_FIELDS.find((name) => names.includes(name))
  if (errors.length > 0 || !found) {
    throw providerError(
      `Fluz lists the application's scopes as ${typeName} objects without a ${NAME_FIELDS.join('/')} field${names.length ? ` (fields: ${names.join(', ')})` : ''}`,
      'run with --trace to see the answer; report it with the Fluz docs page',
    )
  }
  return found
}
