import {mkdtemp, rm} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import type {Deps} from '../../src/core/base-command.js'
import {emptyConfig} from '../../src/core/config.js'
import {CredentialStore} from '../../src/core/credential-store.js'
import {HttpClient} from '../../src/core/http.js'
import {Output} from '../../src/core/output.js'
import {pathsFor} from '../../src/core/paths.js'
import {resolveProfile} from '../../src/core/profiles.js'
import {MemoryBackend} from '../../src/core/secret-backends.js'
import {TokenCache} from '../../src/core/token-cache.js'
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

/** Real flow dependencies for the local environment: real HttpClient, memory secrets, a temp config dir. */
export async function inProcessDeps(emulatorUrl: string, env: NodeJS.ProcessEnv = {}): Promise<InProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'ftauth-shuttle-'))
  const paths = pathsFor(dir)
  const processEnv: NodeJS.ProcessEnv = {FTAUTH_LOCAL_URL: emulatorUrl, FTAUTH_ENV: 'local', ...env}
  const config = emptyConfig()
  const profile = resolveProfile(config, {env: processEnv})
  let err = ''
  const out = new Output({stdout: {write: () => true}, stderr: {write: (chunk: string) => (err += chunk)}}, 'human', {colorOut: false, colorErr: false})
  const store = new CredentialStore(new MemoryBackend(), profile.name, processEnv)
  const deps: Deps = {
    out,
    env: processEnv,
    paths,
    config,
    profile,
    store,
    tokens: new TokenCache(store, paths.cache, paths.locks, (line) => out.warn(line)),
    http: new HttpClient({timeoutMs: 5000, sleep: async () => undefined}),
    now: () => new Date(),
    secrets: new Set(),
  }
  return {deps, stderr: () => err, cleanup: () => rm(dir, {recursive: true, force: true})}
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
  return requests.filter((request) => request.method === 'POST' && request.path === '/shuttle/token' && (!grantType || formOf(request).get('grant_type') === grantType))
}

export function basicCredentials(request: LoggedRequest): [string, string] | undefined {
  const match = /^Basic (\S+)$/.exec(request.headers.authorization ?? '')
  if (!match) return undefined
  const [id, secret] = Buffer.from(match[1] as string, 'base64').toString('utf8').split(':')
  return [decodeURIComponent(id ?? ''), decodeURIComponent(secret ?? '')]
}
