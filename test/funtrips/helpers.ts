// Shared pieces of the Funtrips tests: in-process Deps for flow functions (real HttpClient against the
// emulator, in-memory secrets) and readers of the emulator's request log.

import type {Deps} from '../../src/core/deps.js'
import type {Profile} from '../../src/core/config.js'
import {CredentialStore} from '../../src/core/credential-store.js'
import {KeychainBackend} from '../../src/core/keychain.js'
import {pathsFor} from '../../src/core/paths.js'
import {TokenCache, type StoredToken} from '../../src/core/token-cache.js'
import {inProcessDeps} from '../helpers/deps.js'
import type {Emulator, LoggedRequest} from '../../src/emulator/index.js'

export interface TestDeps extends Deps {
  stderr: string[]
  trace: string[]
  cleanup(): Promise<void>
}

/** Real Deps for flow functions (see test/helpers/deps.ts), with stderr and trace captured. */
export async function makeDeps(emulatorUrl: string, options: {funtrips?: Profile['funtrips']; env?: Record<string, string>} = {}): Promise<TestDeps> {
  const made = await inProcessDeps(emulatorUrl, {profile: {funtrips: options.funtrips}, env: options.env})
  return {...made.deps, stderr: made.stderr, trace: made.trace, cleanup: made.cleanup}
}

/** Funtrips requests the emulator saw, as "METHOD /path STATUS" with the /funtrips prefix dropped. */
export function funtripsCalls(emulator: Emulator): string[] {
  return funtripsRequests(emulator).map((request) => `${request.method} ${request.path.replace(/^\/funtrips/, '')} ${request.status}`)
}

export function funtripsRequests(emulator: Emulator): LoggedRequest[] {
  return emulator.requests().filter((request) => request.path.startsWith('/funtrips/'))
}

export function bodyOf(request: LoggedRequest | undefined): Record<string, unknown> {
  if (!request) throw new Error('no such request')
  return JSON.parse(request.body) as Record<string, unknown>
}

/** The keychain of a CLI sandbox, read the way the CLI reads it (values may be chunked). */
export function sandboxStore(sandbox: {service: string}): CredentialStore {
  return new CredentialStore(new KeychainBackend(sandbox.service, 5000), 'default', {})
}

export async function storedToken(sandbox: {configDir: string; service: string}, key: string): Promise<StoredToken | undefined> {
  const paths = pathsFor(sandbox.configDir)
  return new TokenCache(sandboxStore(sandbox), paths.cache, paths.locks, () => undefined).get('funtrips', key)
}

/** Keychain entries holding PKCE verifiers: account → stored value. */
export async function storedVerifiers(sandbox: {service: string}): Promise<Map<string, string>> {
  const store = sandboxStore(sandbox)
  const entries = new Map<string, string>()
  for (const account of await store.accounts('funtrips')) {
    if (account.includes(':pkce.')) entries.set(account, (await store.backend.get(account)) ?? '')
  }
  return entries
}
