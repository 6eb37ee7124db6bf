/**
 * A one-shot loopback redirect listener (RFC 8252 §7.3): listens on a loopback address only, takes
 * the first request to its path that carries an OAuth response, answers it with a small page, and
 * stops accepting. The caller always calls close(), whatever happened.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {networkError, usageError} from '../../core/errors.js'
import {escapeHtml} from '../../core/html.js'

export interface CallbackPage {
  status: number
  title: string
  message: string
}

/**
 * What the caller makes of a request: undefined = not an OAuth response; `ignored` = a response
 * that is not for this login (wrong state): answered with the page, and the listener keeps waiting.
 */
export type CallbackHandler<T> = (params: URLSearchParams) => {page: CallbackPage; result: T} | {page: CallbackPage; ignored: true} | undefined

export interface LoopbackOptions<T> {
  /** What fixed the port, named when it is busy (`--port`, the default redirect…). */
  source?: string
  /** 127.0.0.1 unless the registered redirect names [::1]. */
  host: '127.0.0.1' | '::1'
  /** 0 = a random free port. */
  port: number
  /** Path of the redirect, e.g. /callback. */
  path: string
  handle: CallbackHandler<T>
}

export interface Loopback<T> {
  port: number
  /** Settles with the first handled callback. */
  result: Promise<T>
  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void>
}

export async function startLoopback<T>(options: LoopbackOptions<T>): Promise<Loopback<T>> {
  let settle: (value: T) => void = () => undefined
  const result = new Promise<T>((resolve) => (settle = resolve))
  let done = false

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // Anything may knock on a loopback port; a request line that is no URL is not ours either.
    const target = request.url ?? '/'
    const url = URL.canParse(target, 'http://loopback') ? new URL(target, 'http://loopback') : undefined
    if (!url || done || request.method !== 'GET' || url.pathname !== options.path) {
      // favicon.ko, prefetches, a second tab: not ours.
      return answer(response, {status: 404, title: 'Not found', message: 'This address only receives one Shuttle authorization redirect.'})
    }
    const handled = options.handle(url.searchParams)
    if (!handled) {
      return answer(response, {status: 400, title: 'Not an authorization response', message: 'The request carried neither a code nor an error.'})
    }
    answer(response, handled.page)
    // A forged or stale redirect must not end the login: the real one may still come.
    if ('ignored' in handled) return
    done = true
    settle(handled.result)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          networkError(
            `port ${options.port} on ${options.host} is in use (needed by ${options.source ?? 'the redirect'})`,
            'free it, or register another loopback redirect with Shuttle and pass its port with --port (or the whole URI with --redirect-uri / shuttle.redirectUri)',
          ),
        )
      } else if (error.code === 'EACCES') {
        reject(usageError(`not allowed to listen on port ${options.port}`, 'use a port above 1024 with --port, or omit it'))
      } else {
        reject(
          usageError(
            `cannot listen on ${options.host}:${options.port} (${error.code ?? error.message})`,
            'use a redirect URI on 127.0.0.1 (or localhost) with a free port',
          ),
        )
      }
    })
    server.listen({host: options.host, port: options.port, exclusive: true}, () => resolve())
  })

  let closing: Promise<void> | undefined
  return {
    port: (server.address() as AddressInfo).port,
    result,
    close() {
      closing ??= new Promise<void>((resolve) => {
        // The port is released at once; a connection still sending our page gets a moment to finish.
        server.close(() => resolve())
        server.closeIdleConnections()
        setTimeout(() => server.closeAllConnections(), 1000).unref()
      })
      return closing
    },
  }
}

function answer(response: ServerResponse, page: CallbackPage): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ftauth · ${escapeHtml(page.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.3rem}</style>
</head><body><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p></body></html>
`
  response.writeHead(page.status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The page never loads anything, and nothing may frame it.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    connection: 'close',
  })
  response.end(body)
}
