// Concurrency (issue 8): 20 processes needing a refresh at once spend the refresh token exactly
// once and all succeed; a lock left by a killed process does not block the next command for long.
import {spawn} from 'node:child_process'
import {mkdir, readdir, stat, utimes} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CredentialStore} from '../../src/core/credential-store.js'
import {KeychainBackend} from '../../src/core/keychain.js'
import {pathsFor} from '../../src/core/paths.js'
import {TokenCache, type StoredToken} from '../../src/core/token-cache.js'
import {startEmulator, type Emulator, type LoggedRequest} from '../../src/emulator/index.js'
import {BIN, makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'
import {TEST_BROWSER} from '../shuttle/helpers.js'

runCliInProcess()

const PARALLEL = 20
const FLUZ = '/fluz/api/v1/graphql'
const SHUTTLE_KEY = 'oauth.local'

let emulator: Emulator
let sandbox: Sandbox
let fluzKey: string

beforeAll(async () => {
  // Shuttle rotates refresh tokens here, so "the stored refresh token is the newest" can be told apart.
  emulator = await startEmulator({port: 0, autoApprove: true, shuttleRotateRefresh: true, shuttleLoopbackAnyPort: true})
  sandbox = await makeSandbox(emulator.url)
  const fluz = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])
  expect(fluz.code, fluz.stderr).toBe(0)
  fluzKey = (JSON.parse(fluz.stdout) as {cacheKey: string}).cacheKey
  const shuttle = await sandbox.run(['shuttle', 'login', '--wait', '30', '--port', '0'], {env: {BROWSER: TEST_BROWSER}})
  expect(shuttle.code, shuttle.stderr).toBe(0)
}, 60_000)
afterAll(async () => {
  await sandbox?.cleanup()
  await emulator?.close()
})

/** The sandbox's token cache, read and written as the CLI does (keychain + cache.json). */
function tokens(): TokenCache {
  const store = new CredentialStore(new KeychainBackend(sandbox.service, 5000), 'default', {})
  const paths = pathsFor(sandbox.configDir)
  return new TokenCache(store, paths.cache, paths.locks, () => undefined)
}

async function stored(provider: 'fluz' | 'shuttle', key: string): Promise<StoredToken> {
  const token = await tokens().get(provider, key)
  if (!token) throw new Error(`no ${provider} token under ${key}`)
  return token
}

/** Marks the stored access token expired; its refresh token stays valid at the server. */
async function expire(provider: 'fluz' | 'shuttle', key: string): Promise<StoredToken> {
  const token = await stored(provider, key)
  await tokens().put(provider, key, {...token, expiresAt: new Date(Date.now() - 60_000).toISOString()})
  return token
}

const fluzOperations = (requests: LoggedRequest[]) =>
  requests
    .filter((request) => request.path === FLUZ)
    .map((request) => (JSON.parse(request.body) as {query: string}).query.match(/(?:mutation|query)\s+(\w+)/)?.[1] ?? '?')
const refreshGrants = (requests: LoggedRequest[]) =>
  requests.filter((request) => request.path === '/shuttle/token' && new URLSearchParams(request.body).get('grant_type') === 'refresh_token')
const newestRefreshToken = () =>
  emulator
    .issuedSecrets()
    .filter((secret) => secret.startsWith('rt_'))
    .at(-1)

async function lockName(prefix: string): Promise<string> {
  const name = (await readdir(join(sandbox.configDir, 'locks'))).find((entry) => entry.startsWith(prefix) && !entry.endsWith('.lock'))
  if (!name) throw new Error(`no lock target starting with ${prefix} in ${sandbox.configDir}/locks`)
  return name
}

describe('20 parallel processes with an expired token', () => {
  it(`Fluz: ${PARALLEL} × ftauth call fluz — one refresh reaches the server, all succeed, the newest refresh token is stored`, {timeout: 180_000}, async () => {
    const before = await expire('fluz', fluzKey)
    emulator.clearRequests()
    const results = await Promise.all(
      Array.from({length: PARALLEL}, () => sandbox.run(['call', 'fluz', '--query', 'query Marco { marco }'], {timeoutMs: 150_000})),
    )
    const failed = results.flatMap((result, index) =>
      result.code === 0 ? [] : [`#${index}: exit ${result.code} ${result.stderr.split('\n').find((line) => line.startsWith('error:')) ?? ''}`],
    )
    expect(failed).toEqual([])
    for (const result of results) expect(JSON.parse(result.stdout)).toEqual({data: {marco: 'polo'}})
    const operations = fluzOperations(emulator.requests())
    expect(operations.filter((name) => name !== 'Marco')).toEqual(['refreshUserAccessToken'])
    const after = await stored('fluz', fluzKey)
    expect(after.accessToken).not.toBe(before.accessToken)
    expect(after.refreshToken).toBe(newestRefreshToken())
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.now())
  })

  it(`Shuttle: ${PARALLEL} × ftauth call --provider shuttle — one refresh, all succeed, the rotated refresh token is stored`, {timeout: 180_000}, async () => {
    const before = await expire('shuttle', SHUTTLE_KEY)
    emulator.clearRequests()
    const results = await Promise.all(
      Array.from({length: PARALLEL}, () => sandbox.run(['call', '--provider', 'shuttle', '/payment_links'], {timeoutMs: 150_000})),
    )
    const failed = results.flatMap((result, index) =>
      result.code === 0 ? [] : [`#${index}: exit ${result.code} ${result.stderr.split('\n').find((line) => line.startsWith('error:')) ?? ''}`],
    )
    expect(failed).toEqual([])
    expect(refreshGrants(emulator.requests())).toHaveLength(1)
    const after = await stored('shuttle', SHUTTLE_KEY)
    expect(after.accessToken).not.toBe(before.accessToken)
    expect(after.refreshToken).not.toBe(before.refreshToken)
    expect(after.refreshToken).toBe(newestRefreshToken())
  })
})

describe('a lock left behind does not block others forever', () => {
  it.each([
    ['fluz', 'fluz-token-', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json']],
    ['shuttle', 'shuttle-default-local', ['shuttle', 'refresh', '--json']],
  ] as const)('%s: a stale <name>.lock dir (mtime a minute old) is taken over and the refresh succeeds', {timeout: 60_000}, async (provider, prefix, args) => {
    const key = () => (provider === 'fluz' ? fluzKey : SHUTTLE_KEY)
    const name = await lockName(prefix)
    const lockDir = join(sandbox.configDir, 'locks', `${name}.lock`)
    await mkdir(lockDir, {mode: 0o700})
    const old = new Date(Date.now() - 60_000)
    await utimes(lockDir, old, old)
    const before = await expire(provider, key())

    const result = await sandbox.run([...args], {timeoutMs: 20_000})
    expect(result.code, result.stderr).toBe(0)
    expect((await stored(provider, key())).accessToken).not.toBe(before.accessToken)
    await expect(stat(lockDir)).rejects.toThrow()
  })

  it('fluz: a process SIGKILLed mid-refresh (lock held, request hanging) does not block the next one beyond the stale time', {timeout: 90_000}, async () => {
    const before = await expire('fluz', fluzKey)
    emulator.clearRequests()
    // The first refresh hangs at the server until the emulator closes: its holder is killed meanwhile.
    emulator.inject({method: 'POST', path: FLUZ, kind: 'hang'})
    const child = spawn(process.execPath, [BIN, 'fluz', 'token', '--scopes', 'LIST_OFFERS'], {env: cliEnv(), stdio: 'ignore'})
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
    await until(() => emulator.requests().some((request) => request.path === FLUZ), 20_000)
    const name = await lockName('fluz-token-')
    const lockDir = join(sandbox.configDir, 'locks', `${name}.lock`)
    expect((await stat(lockDir)).isDirectory()).toBe(true)
    child.kill('SIGKILL')
    await exited

    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'], {timeoutMs: 25_000})
    expect(result.code, result.stderr).toBe(0)
    const after = await stored('fluz', fluzKey)
    expect(after.accessToken).not.toBe(before.accessToken)
    expect(JSON.parse(result.stdout).token).toBe(after.accessToken)
  })
})

function cliEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('FTAUTH_') && name !== 'CI') env[name] = value
  return {...env, ...sandbox.env}
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
