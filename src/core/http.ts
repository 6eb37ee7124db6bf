import {ExitCode, FtauthError, networkError, providerError} from './errors.js'
import {redactAuthorization, redactForm, redactJson, redactKnown, redactThenTruncate, redactUserinfo} from './redact.js'
import {badProxyVariable, maskProxy, proxyFor} from './proxy.js'
import {formatDuration, timerMs} from './time.js'
import {checkTransport, type TransportPolicy} from './transport.js'

import type * as z from './zod.js'

export interface HttpRequest {
  method: string
  url: string
  headers?: Record<string, string>
  /** Form-urlencoded body (OAuth token endpoints, RFC 6749). */
  form?: Record<string, string | undefined>
  /** JSON body. */
  json?: unknown
  /** Raw body (ftauth call). */
  body?: string | Buffer
  /** Retried on 5xx/429/connection reset only when true; defaults to true for GET/HEAD/PUT/DELETE/OPTIONS. */
  idempotent?: boolean
  timeoutMs?: number
  /** Secret values that must not appear in traces or errors (beyond the secret-named fields). */
  secrets?: readonly string[]
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
  url: string
  method: string
  ms: number
  /** The server's Date header, when it sent a valid one. */
  serverDate: Date | undefined
  text(): string
}

export interface HttpOptions {
  timeoutMs: number
  /** Attempts for idempotent requests (first try included). */
  maxAttempts: number
  /** Longest Retry-After ftauth waits; longer ones fail with the server's wait named. */
  maxRetryAfterMs: number
  trace: ((line: string) => void) | undefined
  sleep?: (ms: number) => Promise<void>
  /** Plain http beyond loopback: refused (exit 2) unless allowed, then warned about on every use. */
  transport?: TransportPolicy
}

const DEFAULT_OPTIONS: HttpOptions = {timeoutMs: 15_000, maxAttempts: 3, maxRetryAfterMs: 10_000, trace: undefined}
const RETRYABLE = new Set([429, 500, 502, 503, 504])
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])

/** What `once` needs of a response, from either transport below. */
interface RawResponse {
  statusCode: number
  headers: Record<string, string | string[] | undefined>
  body: AsyncIterable<Buffer | Uint8Array> & {destroy?: (error?: Error) => void}
}

interface RawRequest {
  method: string
  headers: Record<string, string>
  body: string | Buffer | undefined
  timeoutMs: number
}

type Send = (url: string, request: RawRequest) => Promise<RawResponse>

/** The variables that make undici's EnvHttpProxyAgent send through a proxy. */
const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY'] as const

/**
 * With a proxy variable set: undici's public `request` with an EnvHttpProxyAgent as dispatcher, so
 * HTTP(S)_PROXY and NO_PROXY are honoured. Without one (the usual case): Node's own `http`/`https`.
 * undici's index is 1 MB of JavaScript that also pulls in Node's bundled undici (through the
 * `Headers` global) and compiles llhttp to WebAssembly on the first connection: about +30 MiB peak
 * RSS and a large part of a request-making command's start (docs/performance.md). NODE_EXTRA_CA_CERTS
 * is Node's own, for every TLS connection either way. Loaded on the first request only.
 */
async function loadTransport(): Promise<Send> {
  const badProxy = badProxyVariable(process.env)
  if (badProxy)
    throw new FtauthError(ExitCode.usage, `${badProxy} is not a proxy URL`, {hint: `set it like http://proxy.example.com:3128 (scheme included), or unset it`})
  if (PROXY_VARIABLES.some((name) => process.env[name])) return undiciSend()
  return nodeSend
}

async function undiciSend(): Promise<Send> {
  // undici is CommonJS: Node's import names its exports, the esbuild bundle's lazy chunk puts them on `default`.
  const module = await import('undici')
  const {request, EnvHttpProxyAgent} = ('default' in module ? module.default : module) as typeof module
  const dispatcher = new EnvHttpProxyAgent()
  return async (url, {method, headers, body, timeoutMs}) => {
    const response = await request(url, {
      method: method as 'GET',
      headers,
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher,
    })
    return {statusCode: response.statusCode, headers: response.headers, body: response.body}
  }
}

/** One request with node:http or node:https; the timeout covers the whole exchange, body included. */
const nodeSend: Send = async (url, {method, headers, body, timeoutMs}) => {
  const target = new URL(url)
  const transport = target.protocol === 'https:' ? await import('node:https') : await import('node:http')
  return new Promise<RawResponse>((resolve, reject) => {
    // Options, not the URL: a user:password in the URL is not sent as Basic auth (undici does not either).
    const request = transport.request({
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      method,
      headers: body === undefined ? headers : {...headers, 'content-length': String(Buffer.byteLength(body))},
    })
    const timeout = Object.assign(new Error(`no answer within ${timeoutMs} ms`), {name: 'TimeoutError'})
    const timer = setTimeout(() => request.destroy(timeout), timeoutMs)
    request.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    request.once('response', (response) => {
      // The body is read by the caller: a late timeout ends it with the same error.
      request.removeAllListeners('error')
      request.on('error', () => undefined)
      clearTimeout(timer)
      const bodyTimer = setTimeout(() => response.destroy(timeout), timeoutMs)
      response.once('close', () => clearTimeout(bodyTimer))
      resolve({statusCode: response.statusCode ?? 0, headers: response.headersDistinct, body: response})
    })
    request.end(body)
  })
}

let transport: Promise<Send> | undefined
const loadSend = () => (transport ??= loadTransport())

/** `ftauth/0.1.0 (node/v22.1.0; linux)`: what a provider's logs show. */
export function userAgent(version: string = FTAUTH_VERSION, node: string = process.version, os: string = process.platform): string {
  return `ftauth/${version} (node/${node.replace(/^v/, '')}; ${os})`
}

/** The one HTTP client: Node's http/https (undici behind a proxy), timeouts, bounded retries for idempotent requests, masked traces. */
export class HttpClient {
  private readonly options: HttpOptions

  constructor(options: Partial<HttpOptions> = {}) {
    this.options = {...DEFAULT_OPTIONS, ...options}
  }

  /** Refuses (exit 2) a URL that would carry credentials in cleartext beyond this machine; `source` names where it came from. */
  checkTransport(url: string | URL, source: string): void {
    checkTransport(url, source, this.options.transport ?? {allowHttp: false, warn: () => undefined})
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const method = request.method.toUpperCase()
    const idempotent = request.idempotent ?? IDEMPOTENT.has(method)
    const attempts = idempotent ? this.options.maxAttempts : 1
    let last: HttpResponse | undefined
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const response = await this.once(method, request)
      if (!RETRYABLE.has(response.status) || attempt === attempts) return response
      last = response
      const waitMs = retryDelay(response, attempt)
      if (waitMs > this.options.maxRetryAfterMs) {
        throw networkError(
          `${method} ${endpointOf(request.url)} asked to retry after ${formatDuration(waitMs)} (HTTP ${response.status})`,
          'wait and run the command again',
        )
      }
      this.options.trace?.(`  ↻ HTTP ${response.status}, retrying in ${formatDuration(waitMs)} (attempt ${attempt + 1}/${attempts})`)
      await (this.options.sleep ?? sleep)(waitMs)
    }
    return last as HttpResponse
  }

  private async once(method: string, request: HttpRequest): Promise<HttpResponse> {
    // Every request, whatever built its URL (profile, environment variable, a full URL given to `call`).
    this.checkTransport(request.url, `${method} ${endpointOf(request.url)}`)
    const send = await loadSend()
    const headers: Record<string, string> = {'user-agent': userAgent(), accept: 'application/json', ...request.headers}
    let body: string | Buffer | undefined = request.body
    if (request.form) {
      body = new URLSearchParams(definedEntries(request.form)).toString()
      headers['content-type'] ??= 'application/x-www-form-urlencoded'
    } else if (request.json !== undefined) {
      body = JSON.stringify(request.json)
      headers['content-type'] ??= 'application/json'
    }
    const secrets = request.secrets ?? []
    this.traceRequest(method, request, headers, secrets)
    const timeoutMs = timerMs(request.timeoutMs ?? this.options.timeoutMs)
    const started = performance.now()
    try {
      const response = await send(request.url, {method, headers, body, timeoutMs})
      const buffer = await readCapped(response.body, response.headers['content-length'], `${method} ${endpointOf(request.url)}`)
      const flatHeaders = flattenHeaders(response.headers)
      const dateHeader = flatHeaders.date ? new Date(flatHeaders.date) : undefined
      const result: HttpResponse = {
        status: response.statusCode,
        headers: flatHeaders,
        body: buffer,
        url: request.url,
        method,
        ms: Math.round(performance.now() - started),
        serverDate: dateHeader && !Number.isNaN(dateHeader.getTime()) ? dateHeader : undefined,
        text: () => buffer.toString('utf8'),
      }
      this.traceResponse(result, secrets)
      return result
    } catch (error) {
      throw toNetworkError(error, method, request.url, timeoutMs, performance.now() - started)
    }
  }

  private traceRequest(method: string, request: HttpRequest, headers: Record<string, string>, secrets: readonly string[]) {
    const trace = this.options.trace
    if (!trace) return
    trace(`→ ${method} ${redactUrl(request.url, secrets)}`)
    const proxy = proxyFor(request.url, process.env)
    if (proxy) trace(`  via proxy ${maskProxy(proxy)}`)
    for (const [name, value] of Object.entries(headers)) {
      trace(`  ${name}: ${name.toLowerCase() === 'authorization' ? redactAuthorization(value) : redactKnown(value, secrets)}`)
    }
    if (request.form) trace(`  ${redactForm(new URLSearchParams(definedEntries(request.form)), secrets)}`)
    else if (request.json !== undefined) trace(`  ${JSON.stringify(redactJson(request.json, secrets))}`)
    else if (request.body !== undefined) trace(`  <${Buffer.byteLength(request.body)} bytes>`)
  }

  private traceResponse(response: HttpResponse, secrets: readonly string[]) {
    const trace = this.options.trace
    if (!trace) return
    trace(`← ${response.status} ${response.method} ${redactUrl(response.url, secrets)} (${response.ms}ms)`)
    for (const name of ['content-type', 'date', 'retry-after', 'location', 'www-authenticate']) {
      const value = response.headers[name]
      if (value) trace(`  ${name}: ${name === 'location' ? redactUrl(value, secrets) : value}`)
    }
    trace(`  ${redactBody(response.text(), secrets)}`)
  }
}

/** Masks secrets in a response or request body for traces: by JSON key, by known value, or by length. */
export function redactBody(text: string, secrets: readonly string[]): string {
  const trimmed = text.trim()
  if (!trimmed) return '<empty body>'
  try {
    return JSON.stringify(redactJson(JSON.parse(trimmed), secrets))
  } catch {
    return redactThenTruncate(trimmed, secrets, 500)
  }
}

/** Masks secret-named query parameters (code, state is not secret, access_token…) in a URL. */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  try {
    const parsed = new URL(url)
    // Query and fragment alike: implicit-grant style redirects carry tokens after the #.
    const query = parsed.search ? `?${redactForm(parsed.searchParams, secrets)}` : ''
    const hash = parsed.hash.includes('=') ? `#${redactForm(new URLSearchParams(parsed.hash.slice(1)), secrets)}` : parsed.hash
    parsed.search = ''
    parsed.hash = ''
    if (parsed.password) parsed.password = 'redacted'
    return redactKnown(`${parsed.toString()}${query}${hash}`, secrets)
  } catch {
    return redactKnown(redactUserinfo(url), secrets)
  }
}

/** "POST https://host/path" without the query string, for error messages. */
export function endpointOf(url: string): string {
  try {
    const parsed = new URL(url)
    // origin has no user:password part: a URL's password never reaches an error message.
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return url
  }
}

/**
 * Parses a JSON response with its zod schema; never trusts a body. Failures name the endpoint, the
 * HTTP status and the zod path that did not match (exit 6).
 */
export function parseJsonResponse<S extends z.ZodMiniType>(response: HttpResponse, schema: S): z.infer<S> {
  const where = `${response.method} ${endpointOf(response.url)}`
  let data: unknown
  try {
    data = JSON.parse(response.text())
  } catch {
    throw providerError(
      `${where} returned malformed JSON (HTTP ${response.status})`,
      'the provider or a proxy sent a broken body; retry, or run with --trace to see it',
    )
  }
  const parsed = schema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const path = issue?.path.length ? issue.path.map(String).join('.') : '(root)'
    throw providerError(
      `${where} returned an unexpected response (HTTP ${response.status}): ${path}: ${issue?.message ?? 'invalid'}`,
      'check the base URL for this environment (`ftauth config list`), or run with --trace',
    )
  }
  return parsed.data
}

/** Tries to parse JSON without throwing; for error bodies. */
export function tryJson(response: HttpResponse): unknown {
  try {
    return JSON.parse(response.text())
  } catch {
    return undefined
  }
}

function retryDelay(response: HttpResponse, attempt: number): number {
  const header = response.headers['retry-after']
  if (header) {
    const seconds = Number(header)
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
    const date = new Date(header)
    if (!Number.isNaN(date.getTime())) return Math.max(0, date.getTime() - Date.now())
  }
  return 200 * 2 ** (attempt - 1) + Math.floor(Math.random() * 100)
}

function toNetworkError(error: unknown, method: string, url: string, timeoutMs: number, elapsedMs: number): FtauthError {
  if (error instanceof FtauthError) return error
  const err = error as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException}
  // AbortSignal.timeout rejects with a DOMException whose numeric code (23) says nothing: use names then.
  const code = typeof err.code === 'string' ? err.code : typeof err.cause?.code === 'string' ? err.cause.code : err.name
  const where = `${method} ${endpointOf(url)}`
  const proxy = proxyFor(url, process.env)
  if (proxy && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(code ?? '')) {
    // Undici connects to the proxy, not the provider: the proxy is what did not answer.
    const failure = code === 'ECONNREFUSED' ? 'connection refused' : 'host not found'
    return networkError(
      `cannot reach the proxy ${maskProxy(proxy)} for ${endpointOf(url)}: ${failure}`,
      'check HTTP_PROXY/HTTPS_PROXY, or list the host in NO_PROXY',
      error,
    )
  }
  if (code === 'ECONNREFUSED') {
    return networkError(
      `cannot connect to ${endpointOf(url)}: connection refused`,
      'is the server (or `ftauth emulator`) running, and is the base URL right?',
      error,
    )
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return networkError(`cannot resolve the host of ${endpointOf(url)}`, 'check the network and the base URL (`ftauth config list`)', error)
  }
  if (['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'TimeoutError', 'AbortError', 'UND_ERR_ABORTED'].includes(code ?? '')) {
    return networkError(
      `${where} timed out after ${formatDuration(Math.max(timeoutMs, elapsedMs))}`,
      'the provider is slow or unreachable; retry later or raise --timeout',
      error,
    )
  }
  if (err.name === 'InvalidArgumentError' || code === 'ERR_INVALID_URL' || code === 'ERR_INVALID_PROTOCOL') {
    return new FtauthError(ExitCode.usage, `invalid URL ${endpointOf(url)}`, {hint: 'check the base URL (`ftauth config list`)'})
  }
  if (code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN' || code === 'ERR_HTTP_INVALID_HEADER_VALUE') {
    // Node's http refuses a header name or value it cannot send (undici's InvalidArgumentError above).
    return new FtauthError(ExitCode.usage, `${where}: a request header has a name or value that cannot be sent`, {hint: 'check the -H values'})
  }
  if (/CERT|SSL|TLS|SELF_SIGNED/.test(code ?? '')) {
    // A company proxy that inspects TLS, or a private CA: Node trusts extra CAs given at start-up.
    return networkError(
      `${where} failed: the server's TLS certificate is not trusted (${code})`,
      'if a company proxy or private CA signs it, set NODE_EXTRA_CA_CERTS to its PEM file',
      error,
    )
  }
  return networkError(`${where} failed: ${code ?? 'network error'}`, 'check the network and the base URL', error)
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function definedEntries(form: Record<string, string | undefined>): [string, string][] {
  return Object.entries(form).filter((entry): entry is [string, string] => entry[1] !== undefined)
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, timerMs(ms)))

/** No provider answer ftauth reads is near this; a bigger body is a broken or hostile server (exit 6). */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024

/** Reads a response body up to MAX_RESPONSE_BYTES, giving up (and dropping the connection) beyond it. */
async function readCapped(
  body: AsyncIterable<Buffer | Uint8Array> & {destroy?: (error?: Error) => void},
  contentLength: string | string[] | undefined,
  where: string,
): Promise<Buffer> {
  const tooLarge = () =>
    providerError(
      `${where} sent a response body over ${MAX_RESPONSE_BYTES / 1024 / 1024} MB`,
      'the server or a proxy is misbehaving; check the base URL (`ftauth config list`)',
    )
  if (typeof contentLength === 'string' && Number(contentLength) > MAX_RESPONSE_BYTES) {
    body.destroy?.()
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy?.()
      throw tooLarge()
    }
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}
