// `ftauth call --provider shuttle` against the emulator's merchant API: the access token from
// `ftauth shuttle login` (no token means the user must log in first), refresh after a 401,
// the /instances/{id} warning, and what happens when the refresh itself is refused.
import {afterEach, describe, expect, it, vi} from 'vitest'

import {bearerOf, calls, expectNoIssuedSecret, makeWorld, revokeShuttle, shuttleLogin, storedShuttle, type World} from './helpers.js'
import {runCliInProcess} from '../helpers/cli.js'

runCliInProcess()

// Each test runs several CLI processes against one shared Secret Service: allow for a loaded machine.
vi.setConfig({testTimeout: 180_000, hookTimeout: 120_000})

let world: World
afterEach(() => world?.close())

const refreshes = (w: World) =>
  w.emulator.requests().filter((request) => request.path === '/shuttle/token' && new URLSearchParams(request.body).get('grant_type') === 'refresh_token')

describe('ftauth call --provider shuttle', () => {
  it('with no token tells the user to log in (exit 4, no request); after `ftauth shuttle login` the call succeeds', async () => {
    world = await makeWorld()
    const refused = await world.run(['call', '--provider', 'shuttle', '/payment_links'])
    expect(refused.code).toBe(4)
    expect(refused.stderr).toContain('no Shuttle token stored for local')
    expect(refused.stderr).toContain('ftauth shuttle login')
    expect(world.emulator.requests()).toEqual([])

    await shuttleLogin(world)
    world.emulator.clearRequests()
    const result = await world.run(['call', '--provider', 'shuttle', '/payment_links'])
    expect(result.code, result.stderr).toBe(0)
    expect(calls(world.emulator)).toEqual(['GET /shuttle/c/api/payment_links 200'])
    expect(bearerOf(world.emulator.requests()[0])).toBe((await storedShuttle(world))?.accessToken)
    expect((JSON.parse(result.stdout) as {data: {id: string}[]}).data.map((link) => link.id)).toEqual(['pl_seed_deposit', 'pl_seed_balance'])
    expect(result.stderr).toMatch(/Token\s+shuttle token from the cache/)
    expectNoIssuedSecret(world.emulator, result.stdout, result.stderr)
  })

  it('with a cached token that expired (by our clock) refreshes once, then calls', async () => {
    // 20 s is inside the 30 s margin: the stored access token needs refreshing on the next call.
    world = await makeWorld({tokenTtlSeconds: 20})
    await shuttleLogin(world)
    const before = await storedShuttle(world)
    world.emulator.clearRequests()
    const result = await world.run(['call', '--provider', 'shuttle', '/payment_links'])
    expect(result.code, result.stderr).toBe(0)
    expect(calls(world.emulator)).toEqual(['POST /shuttle/token 200', 'GET /shuttle/c/api/payment_links 200'])
    expect(refreshes(world)).toHaveLength(1)
    const after = await storedShuttle(world)
    expect(after?.accessToken).not.toBe(before?.accessToken)
    expect(bearerOf(world.emulator.requests().at(-1))).toBe(after?.accessToken)
  })

  it('when the server says the token expired (401), refreshes once and retries once', async () => {
    world = await makeWorld()
    await shuttleLogin(world)
    world.emulator.advanceClock(3700)
    world.emulator.clearRequests()
    const result = await world.run(['call', '--provider', 'shuttle', '/payment_links'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/Renew\s+shuttle rejected the token \(HTTP 401\); renewing once/)
    expect(calls(world.emulator)).toEqual(['GET /shuttle/c/api/payment_links 401', 'POST /shuttle/token 200', 'GET /shuttle/c/api/payment_links 200'])
    expect(refreshes(world)).toHaveLength(1)
  })

  it('when the access token was revoked server-side, refreshes once and retries once', async () => {
    world = await makeWorld()
    await shuttleLogin(world)
    const before = await storedShuttle(world)
    await revokeShuttle(world, before!.accessToken)
    world.emulator.clearRequests()
    const result = await world.run(['call', '--provider', 'shuttle', '/payment_links'])
    expect(result.code, result.stderr).toBe(0)
    expect(calls(world.emulator)).toEqual(['GET /shuttle/c/api/payment_links 401', 'POST /shuttle/token 200', 'GET /shuttle/c/api/payment_links 200'])
    expect((await storedShuttle(world))?.refreshToken).toBe(before?.refreshToken)
  })

  it('when the whole grant was revoked, the one refresh is refused and the call stops there (no loop)', async () => {
    world = await makeWorld()
    await shuttleLogin(world)
    const before = await storedShuttle(world)
    await revokeShuttle(world, before!.refreshToken!)
    world.emulator.clearRequests()
    const result = await world.run(['call', '--provider', 'shuttle', '/payment_links'])
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('ftauth shuttle login')
    expect(await storedShuttle(world)).toBeUndefined() // the dead grant is not kept
    expect(calls(world.emulator)).toEqual(['GET /shuttle/c/api/payment_links 401', 'POST /shuttle/token 400'])
    expectNoIssuedSecret(world.emulator, result.stdout, result.stderr)
  })

  it('warns when the path names /instances/{id} (the token already names the instance)', async () => {
    world = await makeWorld()
    await shuttleLogin(world)
    world.emulator.clearRequests()
    const result = await world.run(['call', '--provider', 'shuttle', '/instances/inst_demo_7k2m9d/payment_links'])
    expect(result.stderr).toContain('warning: Shuttle tokens identify the merchant instance: drop /instances/{id} from the path')
    expect(result.code).toBe(6)
    expect(calls(world.emulator)).toEqual(['GET /shuttle/c/api/instances/inst_demo_7k2m9d/payment_links 404'])
  })

  it('does not warn about a path without /instances/', async () => {
    world = await makeWorld()
    await shuttleLogin(world)
    const result = await world.run(['call', '--provider', 'shuttle', '/payment_links/pl_seed_deposit'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).not.toContain('/instances/')
  })

  it('POST with -f sends a JSON body (numbers as numbers); PUT with -d - sends stdin', async () => {
    world = await makeWorld()
    await shuttleLogin(world)
    world.emulator.clearRequests()
    const created = await world.run(['call', '--provider', 'shuttle', '/payment_links', '-f', 'amount=1000', '-f', 'currency=GBP', '-f', 'reference=BK-7'])
    expect(created.code, created.stdout + created.stderr).toBe(0)
    const post = world.emulator.requests()[0]
    expect(post?.method).toBe('POST')
    expect(post?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(post?.body ?? '')).toEqual({amount: 1000, currency: 'GBP', reference: 'BK-7'})
    const {id} = JSON.parse(created.stdout) as {id: string}

    const body = '{"description":"Balance – villa"}\n'
    const updated = await world.run(['call', 'PUT', '--provider', 'shuttle', `/payment_links/${id}`, '-d', '-'], {stdin: body})
    expect(updated.code, updated.stdout + updated.stderr).toBe(0)
    const put = world.emulator.requests().at(-1)
    expect(put?.method).toBe('PUT')
    expect(put?.body).toBe(body)
    expect(JSON.parse(updated.stdout)).toMatchObject({id, description: 'Balance – villa', amount: 1000})
  })
})
