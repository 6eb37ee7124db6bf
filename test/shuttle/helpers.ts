import {createServer} from 'node:net'
import {resolve} from 'node:path'

import type {Deps} from '../../src/core/deps.js'
import {inProcessDeps as sharedInProcessDeps} from '../helpers/deps.js'
import type {LoggedRequest} from '../../src/emulator/index.js'

export const BROWSER_FIXTURE = resolve(import.meta.dirname, 'fixtures', 'browser.mjs')
/** BROWSER value running the test browser with this node, quoted as a shell would need it. */
export const TEST_BROWSER = `"${process.execPath}" "${BROWSER_FIXTURE}"`

export interface InProcess {
  deps: Deps
  /** Everything written to stderr (steps, warnings, the printed URL). */
  stderr: () => string
  cleanup(): Promise<void>
}

/** Real flow dependencies for the local environment (see test/helpers/deps.ts). */
export async function inProcessDeps(emulatorUrl: string, env: NodeJS.ProcessEnv = {}): Promise<InProcess> {
  const made = await sharedInProcessDeps(emulatorUrl, {env, http: {timeoutMs: 5000}})
  return {deps: made.deps, stderr: () => made.stderr.join(''), cleanup: made.cleanup}
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({host: '127.0.0.1', port: 0}, () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolvePort(port))
    })
  })
}

/** Whether something can listen on 127.0.0.1:port right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer()
    server.once('error', () => resolveFree(false))
    server.listen({host: '127.0.0.1', port, exclusive: true}, () => server.close(() => resolveFree(true)))
  })
}

export function formOf(request: LoggedRequest): URLSearchParams {
  return new URLSearchParams(request.body)
}

export function tokenRequests(requests: LoggedRequest[], grantType?: string): LoggedRequest[] {
  return requests.filter(
    (request) => request.method === 'POST' && request.path === '/shuttle/token' && (!grantType || formOf(request).get('grant_type') === grantType),
  )
}

export function basicCredentials(request: LoggedRequest): [string, string] | undefined {
  const match = /^Basic (\S+)$/.exec(request.headers.authorization ?? '')
  if (!match) return undefined
  const [id, secret] = Buffer.from(match[1] as string, 'base64')
    .toString('utf8')
    .split(':')
  return [decodeURIComponent(id ?? ''), decodeURIComponent(secret ?? '')]
}
