// The emulator's request/response model: handlers get a fully read request and return a
// plain response object, so the server can log statuses and apply faults in one place.
import {Buffer} from 'node:buffer'
import type {IncomingHttpHeaders} from 'node:http'

export interface EmuRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
  /** Path parameters filled in by the router (`:id`). */
  params: Record<string, string>
}

export interface EmuResponse {
  status: number
  headers?: Record<string, string>
  body?: string
}

export type Parsed<T> = {ok: true; value: T} | {ok: false; message: string}

const NO_STORE = {'Cache-Control': 'no-store', Pragma: 'no-cache'}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): EmuResponse {
  return {status, headers: {'Content-Type': 'application/json; charset=utf-8', ...headers}, body: JSON.stringify(value)}
}

/** JSON that carries credentials: never cacheable (RFC 6749 §5.1). */
export function tokenJson(status: number, value: unknown, headers: Record<string, string> = {}): EmuResponse {
  return json(status, value, {...NO_STORE, ...headers})
}

export interface ProblemDetails {
  type: string
  title: string
  status: number
  detail: string
  [extra: string]: unknown
}

/** RFC 7807 problem document. */
export function problem(p: ProblemDetails, headers: Record<string, string> = {}): EmuResponse {
  return {
    status: p.status,
    headers: {'Content-Type': 'application/problem+json; charset=utf-8', ...headers},
    body: JSON.stringify(p),
  }
}

export function html(status: number, page: string, headers: Record<string, string> = {}): EmuResponse {
  return {status, headers: {'Content-Type': 'text/html; charset=utf-8', ...NO_STORE, ...headers}, body: page}
}

export function redirect(location: string): EmuResponse {
  return {status: 302, headers: {Location: location, ...NO_STORE}}
}

export function noContent(): EmuResponse {
  return {status: 204}
}

export function notFound(req: Pick<EmuRequest, 'method' | 'path'>): EmuResponse {
  return json(404, {error: 'not_found', message: `No route for ${req.method} ${req.path}`})
}

export function header(req: Pick<EmuRequest, 'headers'>, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

function isJsonRequest(req: EmuRequest): boolean {
  return /^application\/(.+\+)?json\b/i.test(header(req, 'content-type') ?? '')
}

export function readJson(req: EmuRequest): Parsed<unknown> {
  if (req.body.trim() === '') return {ok: false, message: 'request body is empty; expected JSON'}
  try {
    return {ok: true, value: JSON.parse(req.body) as unknown}
  } catch {
    return {ok: false, message: 'request body is not valid JSON'}
  }
}

/**
 * Flat string parameters from a form-urlencoded or JSON body, as OAuth endpoints accept.
 * A repeated form parameter is an error (RFC 6749 §3.2).
 */
export function readParams(req: EmuRequest): Parsed<Record<string, string>> {
  if (isJsonRequest(req)) {
    const parsed = readJson(req)
    if (!parsed.ok) return parsed
    const v = parsed.value
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {ok: false, message: 'JSON body must be an object'}
    const out: Record<string, string> = {}
    for (const [k, val] of Object.entries(v)) {
      if (val === null || val === undefined) continue
      if (typeof val !== 'string') return {ok: false, message: `parameter "${k}" must be a string`}
      out[k] = val
    }
    return {ok: true, value: out}
  }
  const form = new URLSearchParams(req.body)
  const out: Record<string, string> = {}
  for (const [k, val] of form) {
    if (k in out) return {ok: false, message: `parameter "${k}" is repeated`}
    out[k] = val
  }
  return {ok: true, value: out}
}

export function bearerToken(req: EmuRequest): string | undefined {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '')
  return m?.[1]
}

export interface ClientCredentials {
  clientId: string
  clientSecret: string
}

/** Decodes an RFC 6749 §2.3.1 form-encoded Basic credential part, falling back to the raw text. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/** `undefined` when no Basic header; `'malformed'` when Basic but not `base64(id:secret)`. */
export function basicCredentials(req: EmuRequest): ClientCredentials | 'malformed' | undefined {
  const m = /^Basic[ ]+(\S*)\s*$/i.exec(header(req, 'authorization') ?? '')
  if (!m) return undefined
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return 'malformed'
  return {clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1))}
}

export function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of params) if (!(k in out)) out[k] = v
  return out
}
