import type {Deps} from '../core/deps.js'
import type {ProviderName} from '../core/config.js'
import {credentialsRejected, providerError, usageError, type FtauthError} from '../core/errors.js'
import type {HttpResponse} from '../core/http.js'
import {formatCountdown, formatDuration} from '../core/time.js'
import type {TokenSource, UsableToken} from '../core/token-source.js'
import {resolveTarget} from './request-input.js'
import {parseBase, providerOfUrl, tokenSourceFor} from './token-sources.js'

export interface CallInput {
  provider: ProviderName | undefined
  target: string | undefined
  method: string | undefined
  headers: [string, string][]
  fields: [string, string][]
  body: string | undefined
  as: 'user' | 'backend'
  /** Fluz GraphQL shorthand. */
  query: string | undefined
  variables: Record<string, unknown> | undefined
  wait: boolean
  waitTimeoutMs: number
}

export interface CallResult {
  provider: ProviderName
  method: string
  url: string
  response: HttpResponse
  renewed: boolean
  /** GraphQL or HTTP failure that should end in a non-zero exit after the body is printed. */
  failure: FtauthError | undefined
}

const ORIGIN_TEXT = {cache: 'from the cache', refresh: 'refreshed', new: 'obtained'} as const

/**
 * One authenticated API call: pick the provider, attach its token (running its flow if needed),
 * and on a 401 renew once by the provider's rule and retry once — never more.
 */
export async function runCall(deps: Deps, input: CallInput): Promise<CallResult> {
  if (!input.target && input.query === undefined) throw usageError('no path or URL given', 'use `ftauth call [METHOD] <path-or-url>`')
  const provider = await pickProvider(deps, input)
  if (input.as === 'backend' && provider !== 'funtrips') throw usageError('--as backend is only for Funtrips', 'drop --as, or use --provider funtrips')
  const source = await tokenSourceFor(provider, input.as)
  const request = buildRequest(deps, source, input)
  refuseForeignHost(deps, source, request.url)
  // Before the token flow runs: nothing is requested at all for a cleartext target.
  deps.http.checkTransport(request.url, `the call URL ${request.url.origin}`)
  if (provider === 'shuttle' && /\/instances\/[^/]+/.test(request.url.pathname)) {
    deps.report({type: 'warn', text: 'Shuttle tokens identify the merchant instance: drop /instances/{id} from the path'})
  }

  let token = await source.current(deps)
  announce(deps, provider, token)
  let response = await send(deps, request, token)
  let renewed = false
  if (isRejection(provider, response)) {
    deps.report({type: 'step', title: 'Renew', outcome: `${provider} rejected the token (${rejectionOf(response)}); renewing once`, status: 'warn'})
    token = await source.renew(deps, token.token)
    announce(deps, provider, token)
    renewed = true
    response = await send(deps, request, token)
    if (isRejection(provider, response)) {
      // Returned, not thrown: the body (the provider's reason, e.g. "wrong token type") is still printed.
      const failure = credentialsRejected(
        `${provider} still rejects the renewed token (${rejectionOf(response)} from ${request.method} ${request.url.pathname})`,
        'the credentials lack access to this endpoint; check scopes, environment and ids (`ftauth status`)',
      )
      return {provider, method: request.method, url: request.url.toString(), response, renewed, failure}
    }
  }
  if (input.wait) response = await pollWhileAccepted(deps, request, token, response, input.waitTimeoutMs)
  return {provider, method: request.method, url: request.url.toString(), response, renewed, failure: failureOf(provider, request, response)}
}

/**
 * A full URL given with --provider must be on one of that provider's origins (scheme, host and
 * port): the token is a bearer credential, and sending it anywhere else would hand it over.
 */
function refuseForeignHost(deps: Deps, source: TokenSource, url: URL) {
  const origins = new Set(
    [source.apiBase(deps), ...source.hosts(deps)].map((base) => parseBase(base)?.origin).filter((origin): origin is string => origin !== undefined),
  )
  if (origins.has(url.origin)) return
  throw usageError(
    `${url.origin} is not a ${source.provider} origin in profile ${deps.profile.name} (${[...origins].join(', ')}); ftauth will not send the token there`,
    "check --env and --provider, or set the provider's URL with `ftauth config set`",
  )
}

function rejectionOf(response: HttpResponse): string {
  return response.status === 401 ? 'HTTP 401' : `HTTP ${response.status}, ${fluzErrorCodes(response).join(', ')}`
}

async function pickProvider(deps: Deps, input: CallInput): Promise<ProviderName> {
  if (input.provider) return input.provider
  if (input.target && /^https?:\/\//i.test(input.target)) {
    const url = resolveTarget(input.target, '')
    const byHost = await providerOfUrl(deps, url)
    if (byHost) return byHost
    throw usageError(`cannot tell which provider ${url.host}${url.pathname} belongs to in profile ${deps.profile.name}`, 'add --provider funtrips|fluz|shuttle')
  }
  if (input.query) return 'fluz'
  const fallback = deps.profile.profile.defaultProvider
  if (fallback) return fallback
  throw usageError('a bare path needs a provider', 'add --provider funtrips|fluz|shuttle, or set one with `ftauth config set defaultProvider fluz`')
}

interface PreparedRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body: string | undefined
}

function buildRequest(deps: Deps, source: TokenSource, input: CallInput): PreparedRequest {
  if (input.headers.some(([name]) => name.toLowerCase() === 'authorization')) {
    throw usageError(
      '-H Authorization is not allowed: ftauth attaches the provider token itself',
      'drop the header; use --as backend for the Funtrips backend bearer',
    )
  }
  if (input.query !== undefined) {
    if (source.provider !== 'fluz') throw usageError('--query is for Fluz GraphQL', 'use `ftauth call fluz --query …`')
    const graphql: PreparedRequest = {
      method: 'POST',
      url: input.target ? resolveTarget(input.target, source.apiBase(deps)) : new URL(source.apiBase(deps)),
      headers: {'content-type': 'application/json', ...lowercaseNames(input.headers)},
      body: JSON.stringify({query: input.query, variables: input.variables ?? {}}),
    }
    refuseHostOverride(graphql.headers, graphql.url)
    return graphql
  }
  if (!input.target) throw usageError('no path or URL given', 'use `ftauth call [METHOD] <path-or-url>`')
  const url = resolveTarget(input.target, source.apiBase(deps))
  const hasBody = input.body !== undefined || input.fields.length > 0
  const method = (input.method ?? (hasBody ? 'POST' : 'GET')).toUpperCase()
  const headers = lowercaseNames(input.headers)
  let body = input.body
  if (input.fields.length) {
    if (method === 'GET' || method === 'HEAD') {
      for (const [key, value] of input.fields) url.searchParams.append(key, value)
    } else if (body !== undefined) {
      throw usageError('-d and -f cannot be combined for a request body', 'use one of them')
    } else {
      // The content type is set below, case-insensitively, so a user's -H Content-Type is not doubled.
      body = JSON.stringify(Object.fromEntries(input.fields.map(([key, value]) => [key, fieldValue(value)])))
    }
  }
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = looksLikeJson(body) ? 'application/json' : 'text/plain'
  }
  refuseHostOverride(headers, url)
  return {method, url, headers, body}
}

/**
 * A Host (or HTTP/2 :authority) header naming another host than the URL would have a virtual-host
 * proxy route the attached token elsewhere: refused, since `call` always attaches one.
 */
function refuseHostOverride(headers: Record<string, string>, url: URL) {
  for (const name of ['host', ':authority']) {
    const value = headers[name]
    if (value === undefined) continue
    if (value.trim().toLowerCase() === url.host.toLowerCase()) continue
    throw usageError(
      `-H ${name === 'host' ? 'Host' : name}: ${JSON.stringify(value.slice(0, 80))} differs from the URL's host ${url.host}; ftauth will not send the token under another host name`,
      "drop the header, or call that host's URL",
    )
  }
}

/** Header names are case-insensitive: lowercased, a user's `-H Accept: …` replaces the client's default instead of being sent beside it. */
function lowercaseNames(headers: [string, string][]): Record<string, string> {
  return Object.fromEntries(headers.map(([name, value]) => [name.toLowerCase(), value]))
}

function send(deps: Deps, request: PreparedRequest, token: UsableToken): Promise<HttpResponse> {
  deps.secrets.add(token.token)
  return deps.http.request({
    method: request.method,
    url: request.url.toString(),
    headers: {...request.headers, authorization: `Bearer ${token.token}`},
    ...(request.body === undefined ? {} : {body: request.body}),
    // GraphQL queries are reads, but ftauth cannot tell a query from a mutation safely: no blind retries.
    idempotent: request.method === 'GET' || request.method === 'HEAD',
    secrets: [token.token],
  })
}

function announce(deps: Deps, provider: ProviderName, token: UsableToken) {
  deps.report({
    type: 'step',
    title: 'Token',
    outcome: `${provider} token ${ORIGIN_TEXT[token.origin]}, expires ${formatCountdown(token.expiresAt, deps.now())}`,
  })
}

/** 401, or Fluz's in-payload AUTH-0008 (invalid user access), means the token was rejected. */
function isRejection(provider: ProviderName, response: HttpResponse): boolean {
  if (response.status === 401) return true
  return provider === 'fluz' && fluzErrorCodes(response).includes('AUTH-0008')
}

async function pollWhileAccepted(deps: Deps, request: PreparedRequest, token: UsableToken, first: HttpResponse, timeoutMs: number): Promise<HttpResponse> {
  let response = first
  const started = Date.now()
  while (response.status === 202) {
    const retryAfter = Number(response.headers['retry-after'] ?? '1')
    const waitMs = Math.min(Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 1000, 10_000)
    if (Date.now() - started + waitMs > timeoutMs) {
      throw providerError(`still pending (HTTP 202) after ${formatDuration(Date.now() - started)}`, 'run it again later, or raise --wait-timeout')
    }
    deps.report({type: 'step', title: 'Wait', outcome: `HTTP 202 pending; polling again in ${formatDuration(waitMs)}`, status: 'skip'})
    await new Promise((resolve) => setTimeout(resolve, waitMs))
    response = await send(deps, {...request, method: 'GET', body: undefined}, token)
  }
  return response
}

function failureOf(provider: ProviderName, request: PreparedRequest, response: HttpResponse) {
  const where = `${request.method} ${request.url.pathname}`
  if (response.status >= 400) {
    return providerError(`${where} answered HTTP ${response.status}`, "the body above has the provider's explanation", {status: response.status})
  }
  if (provider === 'fluz') {
    const json = parse(response.text())
    const topLevel = (json as {errors?: {message?: string}[]} | undefined)?.errors
    if (Array.isArray(topLevel) && topLevel.length)
      return providerError(`GraphQL error: ${topLevel[0]?.message ?? 'unknown'}`, 'check the query against the schema')
    const codes = fluzErrorCodes(response)
    if (codes.length) return providerError(`Fluz answered success:false (${codes.join(', ')})`, 'see the error in the body above')
  }
  return undefined
}

/** Codes of every `{success:false, error:{code}}` object anywhere in a Fluz payload. */
function fluzErrorCodes(response: HttpResponse): string[] {
  const codes: string[] = []
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>
      const error = record.error as {code?: unknown} | undefined
      if (record.success === false) codes.push(typeof error?.code === 'string' ? error.code : 'unknown')
      Object.values(record).forEach(visit)
    }
  }
  visit(parse(response.text()))
  return codes
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `-f` values in a JSON body: numbers, true, false and null are sent as JSON (like `gh api -F`); the rest as strings. */
export function fieldValue(value: string): unknown {
  if (value === 'true') return true
  if (value === 'false') return false
  if (value === 'null') return null
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(value) && Number.isFinite(Number(value))) return Number(value)
  return value
}

function looksLikeJson(body: string): boolean {
  const trimmed = body.trim()
  return (trimmed.startsWith('{') || trimmed.startsWith('[')) && parse(trimmed) !== undefined
}
