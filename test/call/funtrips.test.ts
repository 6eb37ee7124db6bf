// `ftauth call` against the emulator's Funtrips API: the public bearer (obtained through backend
// bearer → session → exchange), its renewal by a new session after a 401, --as backend, and --wait.
import {afterEach, describe, expect, it, vi} from 'vitest'

import {bearerOf, calls, expectNoIssuedSecret, makeWorld, storedTokenValue, type World} from './helpers.js'
import {runCliInProcess} from '../helpers/cli.js'

runCliInProcess()

// Each test runs several CLI processes against one shared Secret Service: allow for a loaded machine.
vi.setConfig({testTimeout: 180_000, hookTimeout: 120_000})

let world: World
afterEach(() => world?.close())

const MERCHANTS = ['mer_aquapark', 'mer_zoo', 'mer_museum']
const exchanges = (w: World) => calls(w.emulator).filter((call) => call.startsWith('POST /funtrips/v1/session/token'))

describe('ftauth call --provider funtrips', () => {
  it('with no token runs the flow first (backend bearer → session → exchange), then calls with the public bearer', async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants'])
    expect(result.code, result.stderr).toBe(0)
    expect((JSON.parse(result.stdout) as {data: {id: string}[]}).data.map((m) => m.id)).toEqual(MERCHANTS)
    expect(calls(world.emulator)).toEqual([
      'POST /funtrips/oauth/token 200',
      'POST /funtrips/v1/session 200',
      'POST /funtrips/v1/session/token 200',
      'GET /funtrips/v1/merchants 200',
    ])
    expect(result.stderr).toMatch(/Token\s+funtrips token obtained/)
    const used = bearerOf(world.emulator.requests().at(-1))
    expect(used).toBe(await storedTokenValue(world, 'funtrips'))
    expectNoIssuedSecret(world.emulator, result.stdout, result.stderr)
  })

  it('with a cached token makes exactly one request', async () => {
    world = await makeWorld()
    expect((await world.run(['call', '--provider', 'funtrips', '/v1/merchants'])).code).toBe(0)
    world.emulator.clearRequests()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants'])
    expect(result.code, result.stderr).toBe(0)
    expect(calls(world.emulator)).toEqual(['GET /funtrips/v1/merchants 200'])
    expect(result.stderr).toMatch(/Token\s+funtrips token from the cache/)
  })

  it('with a cached token that expired (by our clock) gets a new one through one new session, then calls', async () => {
    // 20 s is inside the 60 s reuse margin: the cached bearer counts as expired on the next call.
    world = await makeWorld({tokenTtlSeconds: 20})
    expect((await world.run(['call', '--provider', 'funtrips', '/v1/merchants'])).code).toBe(0)
    const first = await storedTokenValue(world, 'funtrips')
    world.emulator.clearRequests()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants'])
    expect(result.code, result.stderr).toBe(0)
    expect(exchanges(world)).toHaveLength(1)
    expect(calls(world.emulator).filter((call) => call.startsWith('GET'))).toEqual(['GET /funtrips/v1/merchants 200'])
    expect(bearerOf(world.emulator.requests().at(-1))).not.toBe(first)
  })

  it('when the server says the cached token expired (401), renews once by a new session and exchange, and retries once', async () => {
    world = await makeWorld()
    expect((await world.run(['call', '--provider', 'funtrips', '/v1/merchants'])).code).toBe(0)
    const first = await storedTokenValue(world, 'funtrips')
    // The emulator moves past the bearer's expiry; ftauth's cache still thinks it has an hour left.
    world.emulator.advanceClock(3700)
    world.emulator.clearRequests()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/Renew\s+funtrips rejected the token \(HTTP 401\); renewing once/)
    expect(result.stderr).toMatch(/Token\s+funtrips token obtained/)
    const merchants = calls(world.emulator).filter((call) => call.startsWith('GET'))
    expect(merchants).toEqual(['GET /funtrips/v1/merchants 401', 'GET /funtrips/v1/merchants 200'])
    expect(exchanges(world)).toEqual(['POST /funtrips/v1/session/token 200'])
    expect((JSON.parse(result.stdout) as {data: unknown[]}).data).toHaveLength(3)
    const renewed = await storedTokenValue(world, 'funtrips')
    expect(renewed).not.toBe(first)
    expect(bearerOf(world.emulator.requests().at(-1))).toBe(renewed)
  })

  it('a 401 that persists after the renewal exits 3 with the body printed, after exactly one renewal', async () => {
    world = await makeWorld()
    // The public bearer is the wrong kind for an admin endpoint: a new one is rejected just the same.
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/admin/fulfillments'])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/error: funtrips still rejects the renewed token \(HTTP 401 from GET \/funtrips\/v1\/admin\/fulfillments\)/)
    expect(JSON.parse(result.stdout)).toMatchObject({title: 'Wrong token type', status: 401})
    expect(calls(world.emulator).filter((call) => call.includes('/admin/'))).toEqual([
      'GET /funtrips/v1/admin/fulfillments 401',
      'GET /funtrips/v1/admin/fulfillments 401',
    ])
    expect(exchanges(world)).toHaveLength(2) // the first token, and the one renewal
  })

  it('--as backend calls backend-bearer endpoints with the client-credentials bearer', async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '--as', 'backend', '/v1/admin/fulfillments'])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({data: []})
    expect(calls(world.emulator)).toEqual(['POST /funtrips/oauth/token 200', 'GET /funtrips/v1/admin/fulfillments 200'])
  })

  it('--as backend is refused for other providers (exit 2, no request)', async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'shuttle', '--as', 'backend', '/payment_links'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--as backend is only for Funtrips')
    expect(world.emulator.requests()).toEqual([])
  })

  it('--wait polls /v1/checkouts/{id}/fulfillment through two 202s (Retry-After) to the 200', async () => {
    world = await makeWorld()
    // -f values that are numbers go out as JSON numbers: the API rejects "2" as a quantity.
    const checkout = await world.run([
      'call',
      '--provider',
      'funtrips',
      '/v1/merchants/mer_aquapark/checkouts',
      '-f',
      'product_id=prd_aqua_day',
      '-f',
      'quantity=2',
    ])
    expect(checkout.code, checkout.stdout + checkout.stderr).toBe(0)
    const {id} = JSON.parse(checkout.stdout) as {id: string}
    const sent = world.emulator.requests().find((request) => request.path.endsWith('/checkouts'))
    expect(sent?.method).toBe('POST')
    expect(JSON.parse(sent?.body ?? '')).toEqual({product_id: 'prd_aqua_day', quantity: 2})
    world.emulator.clearRequests()

    const result = await world.run(['call', '--provider', 'funtrips', `/v1/checkouts/${id}/fulfillment`, '--wait'])
    expect(result.code, result.stderr).toBe(0)
    expect(calls(world.emulator)).toEqual([
      `GET /funtrips/v1/checkouts/${id}/fulfillment 202`,
      `GET /funtrips/v1/checkouts/${id}/fulfillment 202`,
      `GET /funtrips/v1/checkouts/${id}/fulfillment 200`,
    ])
    expect(result.stderr.match(/Wait\s+HTTP 202 pending; polling again in 1s/g)).toHaveLength(2)
    const fulfilled = JSON.parse(result.stdout) as {status: string; tickets: unknown[]}
    expect(fulfilled.status).toBe('fulfilled')
    expect(fulfilled.tickets).toHaveLength(2)
  })

  it('without --wait a 202 is printed as it is and exits 0', async () => {
    world = await makeWorld()
    const checkout = await world.run(['call', 'POST', '--provider', 'funtrips', '/v1/merchants/mer_zoo/checkouts', '-d', '{"product_id":"prd_zoo_adult"}'])
    expect(checkout.code, checkout.stderr).toBe(0)
    const {id} = JSON.parse(checkout.stdout) as {id: string}
    const result = await world.run(['call', '--provider', 'funtrips', `/v1/checkouts/${id}/fulfillment`, '-i'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^HTTP 202\n/)
    expect(result.stdout).toMatch(/\nretry-after: 1\n/)
    expect(result.stdout).toContain('"status":"pending"')
  })

  it('an HTTP error exits non-zero (6) and still prints the body', async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants/mer_nowhere/products'])
    expect(result.code).toBe(6)
    expect(JSON.parse(result.stdout)).toMatchObject({status: 404, detail: 'Unknown merchant "mer_nowhere"'})
    expect(result.stderr).toContain('error: GET /funtrips/v1/merchants/mer_nowhere/products answered HTTP 404')
  })

  it('an HTTP error with --json prints one document: the error with the response inside', async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants/mer_nowhere/products', '--json'])
    expect(result.code).toBe(6)
    const document = JSON.parse(result.stdout) as {error: {exitCode: number; status: number; response: {status: number; body: {detail: string}}}}
    expect(document.error).toMatchObject({exitCode: 6, status: 404, response: {status: 404, body: {detail: 'Unknown merchant "mer_nowhere"'}}})
  })
})
