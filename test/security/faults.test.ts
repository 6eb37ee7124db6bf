// Faults (issue 8), injected with the emulator: idempotent requests are retried a bounded number of
// times, Retry-After is honoured up to a bound, timeouts and refused connections exit 5 naming the
// endpoint, broken bodies exit 6 naming the endpoint and the field, non-idempotent requests are sent
// exactly once, and expiries follow the server's clock when it disagrees with ours.
import {createServer} from 'node:net'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {KeychainBackend} from '../../src/core/keychain.js'
import {startEmulator, type Emulator, type Fault, type LoggedRequest} from '../../src/emulator/index.js'
import {makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'
import {TEST_BROWSER} from '../shuttle/helpers.js'

runCliInProcess()

let emulator: Emulator
let sandbox: Sandbox
let deadUrl: string

const FUNTRIPS_API = '/funtrips/v1/merchants'
const FLUZ = '/fluz/api/v1/graphql'
const SHUTTLE_TOKEN = '/shuttle/token'
const SHUTTLE_LINKS = '/shuttle/c/api/payment_links'

beforeAll(async () => {
  emulator = await startEmulator({port: 0, autoApprove: true})
  sandbox = await makeSandbox(emulator.url)
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  deadUrl = `http://127.0.0.1:${(server.address() as {port: number}).port}`
  await new Promise<void>((resolve) => server.close(() => resolve()))
  // One token per provider, so `ftauth call` has something to attach.
  const seeded = await Promise.all([
    sandbox.run(['session', 'create', '--headless', '--exchange']),
    sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS']),
    sandbox.run(['shuttle', 'login', '--wait', '30'], {env: {BROWSER: TEST_BROWSER}}),
  ])
  for (const result of seeded) expect(result.code, result.stderr).toBe(0)
}, 60_000)
afterAll(async () => {
  await sandbox?.cleanup()
  await emulator?.close()
})
afterEach(async () => {
  // Leftover faults of a failed test must not leak into the next one.
  await fetch(`${emulator.url}/__admin/faults`, {method: 'DELETE'})
  emulator.clearRequests()
})

function inject(fault: Fault) {
  emulator.clearRequests()
  emulator.inject(fault)
}

const to = (path: string, method?: string): LoggedRequest[] =>
  emulator.requests().filter((request) => request.path === path && (!method || request.method === method))
const statuses = (path: string, method?: string) => to(path, method).map((request) => request.status)
const operation = (request: LoggedRequest) =>
  /(?:mutation|query)\s+(\w+)|\{\s*(\w+)/
    .exec((JSON.parse(request.body) as {query: string}).query)
    ?.slice(1)
    .find(Boolean)
const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m)

describe('retries of idempotent requests', () => {
  it('GET via ftauth call: a 500, then success, is retried once and succeeds', async () => {
    inject({method: 'GET', path: FUNTRIPS_API, kind: '500'})
    const result = await sandbox.run(['call', '--provider', 'funtrips', '/v1/merchants'])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).data.length).toBeGreaterThan(0)
    expect(statuses(FUNTRIPS_API)).toEqual([500, 200])
  })

  it('GET via ftauth call: two 503s, then success (three attempts in all)', async () => {
    inject({method: 'GET', path: SHUTTLE_LINKS, kind: '503', count: 2})
    const result = await sandbox.run(['call', '--provider', 'shuttle', '/payment_links'])
    expect(result.code, result.stderr).toBe(0)
    expect(statuses(SHUTTLE_LINKS)).toEqual([503, 503, 200])
  })

  it('retries are bounded: a GET that keeps failing is tried 3 times, then the failure is reported', async () => {
    inject({method: 'GET', path: SHUTTLE_LINKS, kind: '503', count: 10})
    const result = await sandbox.run(['call', '--provider', 'shuttle', '/payment_links'])
    expect(result.code).toBe(6)
    expect(statuses(SHUTTLE_LINKS)).toEqual([503, 503, 503])
    expect(result.stderr).toContain('503')
    noStack(result.stderr)
  })

  it('fluz scopes (a read): a 503, then success, is retried', async () => {
    inject({method: 'POST', path: FLUZ, kind: '503'})
    const result = await sandbox.run(['fluz', 'scopes', '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(statuses(FLUZ)).toEqual([503, 200])
  })

  it('429 with Retry-After: 1 is honoured (the retry comes at least a second later)', async () => {
    inject({method: 'GET', path: FUNTRIPS_API, kind: '429', retryAfter: 1})
    const result = await sandbox.run(['call', '--provider', 'funtrips', '/v1/merchants'])
    expect(result.code, result.stderr).toBe(0)
    const [first, second] = to(FUNTRIPS_API)
    expect([first?.status, second?.status]).toEqual([429, 200])
    expect(Date.parse(second!.at) - Date.parse(first!.at)).toBeGreaterThanOrEqual(950)
  })

  it('429 with a Retry-After beyond the bound is not waited out: exit 5 naming the wait, one attempt', async () => {
    inject({method: 'GET', path: FUNTRIPS_API, kind: '429', retryAfter: 3600})
    const result = await sandbox.run(['call', '--provider', 'funtrips', '/v1/merchants'], {timeoutMs: 20_000})
    expect(result.code, result.stderr).toBe(5)
    expect(result.stderr).toMatch(/retry after (1h|60m|3600)/i)
    expect(result.stderr).toContain(FUNTRIPS_API)
    expect(statuses(FUNTRIPS_API)).toEqual([429])
  })
})

describe('non-idempotent requests are never retried blindly (503 injected: one attempt)', () => {
  it('Funtrips client credentials (POST /oauth/token)', async () => {
    inject({method: 'POST', path: '/funtrips/oauth/token', kind: '503', count: 3})
    const result = await sandbox.run(['session', 'create', '--headless', '--fresh'])
    expect([5, 6]).toContain(result.code)
    expect(to('/funtrips/oauth/token')).toHaveLength(1)
    noStack(result.stderr)
  })

  it('Funtrips session create (POST /v1/session): one attempt, or retries that replay one Idempotency-Key', async () => {
    inject({method: 'POST', path: '/funtrips/v1/session', kind: '503', count: 3})
    const result = await sandbox.run(['session', 'create', '--headless'])
    const attempts = to('/funtrips/v1/session')
    const keys = new Set(attempts.map((request) => request.headers['idempotency-key']))
    if (attempts.length > 1) {
      expect(keys.size).toBe(1)
      expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/)
    }
    expect([5, 6]).toContain(result.code)
  })

  it('Funtrips code exchange (POST /v1/session/token)', async () => {
    const code = (await sandbox.run(['session', 'create', '--headless', '-q'])).stdout.trim()
    inject({method: 'POST', path: '/funtrips/v1/session/token', kind: '503', count: 3})
    const result = await sandbox.run(['session', 'exchange'], {stdin: code})
    expect([5, 6]).toContain(result.code)
    expect(to('/funtrips/v1/session/token')).toHaveLength(1)
  })

  it('Fluz generateUserAccessToken (fluz token --fresh), and the cached token is kept', async () => {
    inject({method: 'POST', path: FLUZ, kind: '503', count: 3})
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'])
    expect([5, 6]).toContain(result.code)
    expect(to(FLUZ)).toHaveLength(1)
    const cached = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])
    expect(JSON.parse(cached.stdout).source).toBe('cache')
  })

  it('Fluz refreshUserAccessToken (fluz refresh), and the stored pair is kept', async () => {
    const before = await storedFluz()
    inject({method: 'POST', path: FLUZ, kind: '503', count: 3})
    const result = await sandbox.run(['fluz', 'refresh', '--scopes', 'LIST_OFFERS'])
    expect([5, 6]).toContain(result.code)
    expect(to(FLUZ).map(operation)).toEqual(['refreshUserAccessToken'])
    expect(await storedFluz()).toBe(before)
  })

  it('Shuttle refresh (POST /token grant_type=refresh_token), and the stored token is kept', async () => {
    const before = await storedShuttle()
    inject({method: 'POST', path: SHUTTLE_TOKEN, kind: '503', count: 3})
    const result = await sandbox.run(['shuttle', 'refresh'])
    expect([5, 6]).toContain(result.code)
    expect(to(SHUTTLE_TOKEN)).toHaveLength(1)
    expect(await storedShuttle()).toBe(before)
  })

  it('Shuttle authorization code exchange during login', async () => {
    inject({method: 'POST', path: SHUTTLE_TOKEN, kind: '503', count: 3})
    const result = await sandbox.run(['shuttle', 'login', '--wait', '30'], {env: {BROWSER: TEST_BROWSER}})
    expect([5, 6]).toContain(result.code)
    expect(to(SHUTTLE_TOKEN)).toHaveLength(1)
  })

  it('ftauth call POST', async () => {
    inject({method: 'POST', path: SHUTTLE_LINKS, kind: '503', count: 3})
    const result = await sandbox.run(['call', 'POST', '--provider', 'shuttle', '/payment_links', '-f', 'amount=1000', '-f', 'currency=GBP'])
    expect(result.code).toBe(6)
    expect(to(SHUTTLE_LINKS)).toHaveLength(1)
  })
})

describe('timeouts and unreachable servers: exit 5 naming the endpoint', () => {
  it('a GET hanging past --timeout 1: exit 5 with the endpoint and the time waited', async () => {
    inject({method: 'GET', path: FUNTRIPS_API, kind: 'hang', count: 3})
    const result = await sandbox.run(['call', '--provider', 'funtrips', '/v1/merchants', '--timeout', '1'], {timeoutMs: 20_000})
    expect(result.code, result.stderr).toBe(5)
    expect(result.stderr).toContain(`${emulator.url}${FUNTRIPS_API}`)
    expect(result.stderr).toMatch(/timed out after 1(\.0)?\s?s\b/)
    noStack(result.stderr)
  })

  it('a token request hanging past --timeout 1: exit 5 naming it, sent once', async () => {
    inject({method: 'POST', path: FLUZ, kind: 'hang', count: 3})
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh', '--timeout', '1'], {timeoutMs: 20_000})
    expect(result.code, result.stderr).toBe(5)
    expect(result.stderr).toContain(FLUZ)
    expect(result.stderr).toMatch(/timed out after 1(\.0)?\s?s\b/)
    expect(to(FLUZ)).toHaveLength(1)
  })

  it.each([
    ['call --provider funtrips', ['call', '--provider', 'funtrips', '/v1/merchants'], '/funtrips/v1/merchants'],
    ['session create --fresh', ['session', 'create', '--headless', '--fresh'], '/funtrips/oauth/token'],
    ['fluz token --fresh', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], FLUZ],
    ['shuttle refresh', ['shuttle', 'refresh'], SHUTTLE_TOKEN],
  ])('connection refused (%s): exit 5, says which URL', async (_label, args, path) => {
    const result = await sandbox.run([...args, '--json'], {env: {FTAUTH_LOCAL_URL: deadUrl}})
    expect(result.code, result.stderr).toBe(5)
    expect(result.stderr).toContain(`${deadUrl}${path}`)
    expect(result.stderr).toMatch(/refused/)
    expect(JSON.parse(result.stdout).error.exitCode).toBe(5)
    noStack(result.stderr)
  })
})

describe('broken bodies: exit 6 naming the endpoint (and the field for wrong-shaped JSON)', () => {
  it.each([
    ['Funtrips client credentials', ['session', 'create', '--headless', '--fresh'], '/funtrips/oauth/token'],
    ['Fluz generate', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], FLUZ],
    ['Shuttle refresh', ['shuttle', 'refresh'], SHUTTLE_TOKEN],
  ])('malformed JSON from %s', async (_label, args, path) => {
    inject({method: 'POST', path, kind: 'malformed-json', count: 3})
    const result = await sandbox.run(args)
    expect(result.code, result.stderr).toBe(6)
    expect(result.stderr).toContain(`${emulator.url}${path}`)
    expect(result.stderr).toMatch(/malformed JSON/i)
    noStack(result.stderr)
  })

  it.each([
    ['Funtrips client credentials', ['session', 'create', '--headless', '--fresh'], '/funtrips/oauth/token', /access_token/],
    ['Funtrips session create', ['session', 'create', '--headless'], '/funtrips/v1/session', /session_code/],
    ['Fluz generate', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], FLUZ, /\bdata\b|generateUserAccessToken/],
    ['Shuttle refresh', ['shuttle', 'refresh'], SHUTTLE_TOKEN, /access_token/],
  ])('wrong-shaped JSON from %s', async (_label, args, path, field) => {
    inject({method: 'POST', path, kind: 'wrong-shape', count: 3})
    const result = await sandbox.run(args)
    expect(result.code, result.stderr).toBe(6)
    expect(result.stderr).toContain(`${emulator.url}${path}`)
    expect(result.stderr).toMatch(field)
    noStack(result.stderr)
  })

  it('a wrong-shaped code exchange answer names access_token', async () => {
    const code = (await sandbox.run(['session', 'create', '--headless', '-q'])).stdout.trim()
    inject({method: 'POST', path: '/funtrips/v1/session/token', kind: 'wrong-shape'})
    const result = await sandbox.run(['session', 'exchange'], {stdin: code})
    expect(result.code, result.stderr).toBe(6)
    expect(result.stderr).toContain('/funtrips/v1/session/token')
    expect(result.stderr).toMatch(/access_token/)
  })
})

describe('clock skew between ftauth and the server', () => {
  afterEach(() => emulator.advanceClock(-skew))
  let skew = 0
  const shift = (seconds: number) => {
    skew = seconds
    emulator.advanceClock(seconds)
  }

  it.each([600, -600])('server clock shifted by %i s: the Fluz token still expires ~10 min from local now, and ftauth says it corrected', async (seconds) => {
    shift(seconds)
    const json = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh', '--json'])
    expect(json.code, json.stderr).toBe(0)
    const body = JSON.parse(json.stdout) as {expiresAt: string; expiresInSeconds: number; expiryBasis: string}
    expect(body.expiresInSeconds).toBeGreaterThan(540)
    expect(body.expiresInSeconds).toBeLessThanOrEqual(600)
    const left = (Date.parse(body.expiresAt) - Date.now()) / 1000
    expect(left).toBeGreaterThan(530)
    expect(left).toBeLessThanOrEqual(600)
    expect(body.expiryBasis).toMatch(/skew/)

    const human = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout + human.stderr).toMatch(/skew/i)
    expect(human.stdout).toMatch(/\(in (9m \d+s|10m)\)/)
  })

  it.each([600, -600])('server clock shifted by %i s: Funtrips session code and public bearer lifetimes follow the server', async (seconds) => {
    shift(seconds)
    const result = await sandbox.run(['session', 'create', '--headless', '--exchange', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const body = JSON.parse(result.stdout) as {codeExpiresInSeconds: number; publicBearer: {expiresInSeconds: number; expiryBasis: string}}
    expect(body.codeExpiresInSeconds).toBeGreaterThan(240)
    // The server's Date header has whole-second resolution: the conversion may land one second late.
    expect(body.codeExpiresInSeconds).toBeLessThanOrEqual(301)
    expect(body.publicBearer.expiresInSeconds).toBeGreaterThan(3540)
    expect(body.publicBearer.expiresInSeconds).toBeLessThanOrEqual(3600)
    expect(body.publicBearer.expiryBasis).toMatch(/skew/)
  })

  it('server clock +600 s: a cached Shuttle token is not refreshed early nor treated as valid too long', async () => {
    shift(600)
    const refreshed = await sandbox.run(['shuttle', 'refresh', '--json'])
    expect(refreshed.code, refreshed.stderr).toBe(0)
    const stored = JSON.parse((await storedShuttle()) ?? '{}') as {expiresAt: string}
    const left = (Date.parse(stored.expiresAt) - Date.now()) / 1000
    expect(left).toBeGreaterThan(3500)
    expect(left).toBeLessThanOrEqual(3600)
  })
})

async function storedShuttle(): Promise<string | null> {
  return new KeychainBackend(sandbox.service, 5000).get('default:shuttle:token:oauth.local')
}

async function storedFluz(): Promise<string | null> {
  const backend = new KeychainBackend(sandbox.service, 5000)
  const account = (await backend.accounts()).find((name) => name.startsWith('default:fluz:token:') && name.includes('LIST_OFFERS') && !name.includes('#chunk'))
  return account ? backend.get(account) : null
}
