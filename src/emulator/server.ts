// node:http wiring: reads each request whole, logs it, applies injected faults, routes it and
// writes the response with a Date header from the emulator clock.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {ADMIN_PREFIX} from './admin.js'
import type {Clock} from './clock.js'
import type {FaultStore} from './faults.js'
import {firstValues, json, type EmuRequest, type EmuResponse} from './http.js'
import type {RequestLog} from './request-log.js'
import type {Handler} from './router.js'

const MAX_BODY_BYTES = 1024 * 1024

export interface ServerDeps {
  clock: Clock
  log: RequestLog
  faults: FaultStore
  /** Provider routes: logged and subject to faults. */
  app: Handler
  /** /__admin routes: neither logged nor faulted. */
  admin: Handler
}

export interface RunningServer {
  url: string
  close(): Promise<void>
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge())
        req.resume()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

/** Resolves after `ms` (never when undefined) or as soon as the signal aborts. */
function sleep(ms: number | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      if (timer) clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = ms === undefined ? undefined : setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
  })
}

function formatUrl(address: AddressInfo, host: string): string {
  // A wildcard bind is reachable on loopback; print that rather than 0.0.0.0.
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  const hostPart = shown.includes(':') ? `[${shown}]` : shown
  return `http://${hostPart}:${address.port}`
}

export async function startServer(deps: ServerDeps, listen: {host: string; port: number}): Promise<RunningServer> {
  const closing = new AbortController()

  function send(res: ServerResponse, r: EmuResponse): void {
    if (res.destroyed || res.headersSent) return
    res.statusCode = r.status
    for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v)
    res.setHeader('Date', new Date(deps.clock.nowMs()).toUTCString())
    const body = r.body ?? ''
    res.setHeader('Content-Length', Buffer.byteLength(body))
    res.end(body)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', 'http://emulator.invalid')
    let body: string
    try {
      body = await readBody(req)
    } catch (err) {
      if (err instanceof BodyTooLarge) send(res, json(413, {error: 'payload_too_large', message: `Body over ${MAX_BODY_BYTES} bytes`}))
      else res.destroy()
      return
    }
    const request: EmuRequest = {method, path: url.pathname, query: url.searchParams, headers: req.headers, body, params: {}}

    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      send(res, await deps.admin(request))
      return
    }

    const entry = deps.log.add({
      method,
      path: url.pathname,
      query: firstValues(url.searchParams),
      headers: flatHeaders(req),
      body,
      status: 0,
      at: new Date(deps.clock.nowMs()).toISOString(),
    })
    res.on('finish', () => {
      entry.status = res.statusCode
    })

    const fault = deps.faults.take(method, url.pathname, {headers: req.headers, body})
    if (fault?.type === 'reset') {
      req.socket.destroy()
      return
    }
    if (fault?.type === 'respond') {
      send(res, fault.response)
      return
    }
    if (fault?.type === 'hang') {
      await sleep(fault.ms, closing.signal)
      if (closing.signal.aborted) {
        res.destroy()
        return
      }
    }
    send(res, await deps.app(request))
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err)
      send(res, json(500, {error: 'internal_error', message: `Emulator bug: ${message}`}))
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject)
      resolve()
    })
  })

  let closed: Promise<void> | undefined
  return {
    url: formatUrl(server.address() as AddressInfo, listen.host),
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closed
    },
  }
}
