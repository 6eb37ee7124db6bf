// Shared pieces of the `ftauth call` and `ftauth token` tests: a per-test emulator + CLI sandbox,
// readers of the emulator's request log, and ways to seed each provider's token as a user would.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'vitest'

import {KeychainBackend} from '../../src/core/keychain.js'
import {DEMO, startEmulator, type Emulator, type EmulatorOptions, type LoggedRequest} from '../../src/emulator/index.js'
import {makeSandbox, type CliResult, type RunOptions, type Sandbox} from '../helpers/cli.js'
import {TEST_BROWSER} from '../shuttle/helpers.js'

export const SHUTTLE_TOKEN_ACCOUNT = 'default:shuttle:token:oauth.local'
export const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/

export interface World {
  emulator: Emulator
  sandbox: Sandbox
  /** A scratch directory for body files, token files and the test browser's log. */
  scratch: string
  run(args: string[], options?: RunOptions): Promise<CliResult>
  close(): Promise<void>
}

/** A fresh emulator (its own clock, keys and state) and a fresh CLI sandbox pointed at it. */
export async function makeWorld(options: EmulatorOptions = {}): Promise<World> {
  // Shuttle logins listen on a random port (--port 0), accepted for the registered loopback redirect.
  const emulator = await startEmulator({port: 0, autoApprove: true, shuttleLoopbackAnyPort: true, ...options})
  const sandbox = await makeSandbox(emulator.url)
  const scratch = await mkdtemp(join(tmpdir(), 'ftauth-call-'))
  return {
    emulator,
    sandbox,
    scratch,
    // Generous: on a loaded 2-core machine, one keychain round trip can take seconds.
    run: (args, runOptions) => sandbox.run(args, {timeoutMs: 60_000, ...runOptions}),
    async close() {
      await sandbox.cleanup()
      await emulator.close()
      await rm(scratch, {recursive: true, force: true})
    },
  }
}

/** "METHOD /path STATUS" for every request the emulator saw, in order. */
export function calls(emulator: Emulator): string[] {
  return emulator.requests().map((request) => `${request.method} ${request.path} ${request.status}`)
}

/** The GraphQL operation of a Fluz request: 'generate', 'refresh' or 'query'. */
export function fluzOperation(request: LoggedRequest): 'generate' | 'refresh' | 'query' {
  const query = (JSON.parse(request.body) as {query: string}).query
  if (query.includes('generateUserAccessToken')) return 'generate'
  if (query.includes('refreshUserAccessToken')) return 'refresh'
  return 'query'
}

export function fluzOperations(emulator: Emulator): string[] {
  return emulator
    .requests()
    .filter((request) => request.path.startsWith('/fluz/'))
    .map(fluzOperation)
}

export function bearerOf(request: LoggedRequest | undefined): string | undefined {
  return /^Bearer (\S+)$/.exec(request?.headers.authorization ?? '')?.[1]
}

/** Saves default Fluz scopes in the sandbox profile, so `ftauth call fluz` can run the flow unasked. */
export async function configureFluzScopes(world: World, scopes = 'LIST_OFFERS'): Promise<void> {
  const result = await world.run(['config', 'set', 'fluz.scopes', scopes])
  expect(result.code, result.stderr).toBe(0)
}

/** `ftauth shuttle login` with the stand-in browser (the emulator auto-approves the consent). */
export async function shuttleLogin(world: World): Promise<void> {
  const result = await world.run(['shuttle', 'login', '--wait', '60', '--port', '0'], {env: {BROWSER: TEST_BROWSER}})
  expect(result.code, result.stderr).toBe(0)
}

export interface StoredShuttle {
  accessToken: string
  refreshToken?: string
  expiresAt: string
}

export async function storedShuttle(world: World): Promise<StoredShuttle | undefined> {
  const value = await new KeychainBackend(world.sandbox.service, 5000).get(SHUTTLE_TOKEN_ACCOUNT)
  return value === null ? undefined : (JSON.parse(value) as StoredShuttle)
}

/** Revokes a Shuttle token at the emulator (RFC 7009), as the merchant disconnecting the app would. */
export async function revokeShuttle(world: World, token: string): Promise<void> {
  const basic = Buffer.from(`${DEMO.shuttle.clientId}:${DEMO.shuttle.clientSecret}`).toString('base64')
  const response = await fetch(`${world.emulator.url}/shuttle/revoke`, {
    method: 'POST',
    headers: {authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({token}).toString(),
  })
  expect(response.status).toBe(200)
}

/** A stored token's value, read through the CLI itself (`--show -q` prints exactly the token). */
export async function storedTokenValue(world: World, ref: string): Promise<string> {
  const result = await world.run(['token', 'inspect', ref, '--show', '-q'])
  expect(result.code, result.stderr).toBe(0)
  return result.stdout.trim()
}

/** No token, code or refresh token the emulator issued shows up in these texts. */
export function expectNoIssuedSecret(emulator: Emulator, ...texts: string[]): void {
  for (const secret of emulator.issuedSecrets()) for (const text of texts) expect(text).not.toContain(secret)
}
