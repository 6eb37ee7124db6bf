// Injectable faults: the next `count` requests matching method+path get a failure instead
// of the real answer, so clients' retry, timeout and parsing paths can be exercised.
import * as z from '../core/zod.js'
import {echoResponse, type EchoKind} from './echo.js'
import {json, type EmuRequest, type EmuResponse} from './http.js'
import type {FaultKind} from './types.js'

export const faultSchema = z.strictObject({
  method: z.optional(
    z.pipe(
      z.string().check(z.regex(/^[A-Za-z]+$/)),
      z.transform((m: string) => m.toUpperCase()),
    ),
  ),
  path: z.string().check(z.startsWith('/')),
  kind: z.enum(['500', '503', '429', 'hang', 'malformed-json', 'wrong-shape', 'reset', 'echo-oauth', 'echo-graphql', 'echo-text', 'huge-body']),
  count: z._default(z.int().check(z.positive()), 1),
  retryAfter: z.optional(z.int().check(z.nonnegative())),
  hangMs: z.optional(z.int().check(z.nonnegative())),
})

type StoredFault = z.output<typeof faultSchema> & {remaining: number}

export type FaultAction = {type: 'respond'; response: EmuResponse} | {type: 'hang'; ms: number | undefined} | {type: 'reset'}

export interface FaultStore {
  add(fault: unknown): z.output<typeof faultSchema>
  clear(): void
  list(): Array<z.output<typeof faultSchema> & {remaining: number}>
  /** Consumes one use of the first fault matching this request, if any. */
  take(method: string, path: string, request?: Pick<EmuRequest, 'headers' | 'body'>): FaultAction | undefined
}

function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern
}

/** Just over the 10 MB a client should accept: a JSON document padded with spaces. */
const HUGE_BODY_BYTES = 10 * 1024 * 1024 + 1024

function respondWith(kind: Exclude<FaultKind, 'hang' | 'reset'>, retryAfter: number | undefined, request: Pick<EmuRequest, 'headers' | 'body'>): EmuResponse {
  const retry: Record<string, string> = retryAfter === undefined ? {} : {'Retry-After': String(retryAfter)}
  switch (kind) {
    case '500':
      return json(500, {error: 'server_error', message: 'Injected fault: internal server error'})
    case '503':
      return json(503, {error: 'temporarily_unavailable', message: 'Injected fault: service unavailable'}, retry)
    case '429':
      return json(429, {error: 'rate_limited', message: 'Injected fault: too many requests'}, retry)
    case 'malformed-json':
      // Deliberately truncated: a client must not trust the content type.
      return {status: 200, headers: {'Content-Type': 'application/json; charset=utf-8'}, body: '{"access_token": '}
    case 'wrong-shape':
      return json(200, {unexpected: true})
    case 'huge-body':
      return {status: 200, headers: {'Content-Type': 'application/json'}, body: `{"padding": "${' '.repeat(HUGE_BODY_BYTES)}"}`}
    case 'echo-oauth':
    case 'echo-graphql':
    case 'echo-text':
      return echoResponse(kind satisfies EchoKind, request)
  }
}

export function createFaultStore(): FaultStore {
  let faults: StoredFault[] = []
  return {
    add(input) {
      const parsed = faultSchema.safeParse(input)
      if (!parsed.success) throw new TypeError(`Invalid fault: ${z.prettifyError(parsed.error)}`)
      faults.push({...parsed.data, remaining: parsed.data.count})
      return parsed.data
    },
    clear() {
      faults = []
    },
    list: () => faults.map((f) => ({...f})),
    take(method, path, request = {headers: {}, body: ''}) {
      const f = faults.find((x) => (x.method === undefined || x.method === method) && pathMatches(x.path, path))
      if (!f) return undefined
      f.remaining -= 1
      if (f.remaining <= 0) faults = faults.filter((x) => x !== f)
      if (f.kind === 'hang') return {type: 'hang', ms: f.hangMs}
      if (f.kind === 'reset') return {type: 'reset'}
      return {type: 'respond', response: respondWith(f.kind, f.retryAfter, request)}
    },
  }
}
