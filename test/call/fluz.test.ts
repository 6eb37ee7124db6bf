// `ftauth call fluz --query …` against the emulator's Fluz GraphQL: the user access token (generated
// when none is cached), refresh after AUTH-0008, in-payload and top-level errors.
import {afterEach, describe, expect, it, vi} from 'vitest'

import {bearerOf, configureFluzScopes, expectNoIssuedSecret, fluzOperations, makeWorld, storedTokenValue, type World} from './helpers.js'
import {runCliInProcess} from '../helpers/cli.js'

runCliInProcess()

// Each test runs several CLI processes against one shared Secret Service: allow for a loaded machine.
vi.setConfig({testTimeout: 180_000, hookTimeout: 120_000})

let world: World
afterEach(() => world?.close())

const OFFERS = 'query { offers(first: 2) { success error { code message } totalCount } }'

async function fluzWorld(options: Parameters<typeof makeWorld>[0] = {}) {
  world = await makeWorld(options)
  await configureFluzScopes(world)
  return world
}

describe('ftauth call fluz --query', () => {
  it('with no token generates one with the profile scopes first, then posts the query with it', async () => {
    await fluzWorld()
    const result = await world.run(['call', 'fluz', '--query', OFFERS])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({data: {offers: {success: true, error: null, totalCount: 3}}})
    expect(fluzOperations(world.emulator)).toEqual(['generate', 'query'])
    const query = world.emulator.requests().at(-1)
    expect(query?.path).toBe('/fluz/api/v1/graphql')
    expect(JSON.parse(query?.body ?? '')).toEqual({query: OFFERS, variables: {}})
    expect(bearerOf(query)).toBe(await storedTokenValue(world, 'fluz'))
    expectNoIssuedSecret(world.emulator, result.stdout, result.stderr)
  })

  it('with a cached token makes exactly one request; --variables are sent along', async () => {
    await fluzWorld()
    expect((await world.run(['call', 'fluz', '--query', OFFERS])).code).toBe(0)
    world.emulator.clearRequests()
    const query = 'query ($n: Int) { offers(first: $n) { success totalCount offers { merchantName } } }'
    const result = await world.run(['call', 'fluz', '--query', query, '--variables', '{"n": 1}'])
    expect(result.code, result.stderr).toBe(0)
    expect(fluzOperations(world.emulator)).toEqual(['query'])
    expect(JSON.parse(world.emulator.requests()[0]?.body ?? '')).toEqual({query, variables: {n: 1}})
    expect(JSON.parse(result.stdout)).toEqual({data: {offers: {success: true, totalCount: 3, offers: [{merchantName: 'Target'}]}}})
  })

  it('--variables that are not a JSON object: exit 2, no request', async () => {
    await fluzWorld()
    const result = await world.run(['call', 'fluz', '--query', OFFERS, '--variables', '[1]'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--variables must be a JSON object')
    expect(world.emulator.requests().filter((request) => request.path.startsWith('/fluz/'))).toEqual([])
  })

  it('with a cached token that expired (by our clock) refreshes it once, then posts the query', async () => {
    // 20 s is inside the 30 s margin: the cached token needs renewing on the next call.
    await fluzWorld({tokenTtlSeconds: 20})
    expect((await world.run(['call', 'fluz', '--query', OFFERS])).code).toBe(0)
    world.emulator.clearRequests()
    const result = await world.run(['call', 'fluz', '--query', OFFERS])
    expect(result.code, result.stderr).toBe(0)
    expect(fluzOperations(world.emulator)).toEqual(['refresh', 'query'])
    expect(result.stderr).toMatch(/Token\s+fluz token refreshed/)
  })

  it('when Fluz answers AUTH-0008 (token expired server-side), refreshes once and retries once', async () => {
    await fluzWorld()
    expect((await world.run(['call', 'fluz', '--query', OFFERS])).code).toBe(0)
    const first = await storedTokenValue(world, 'fluz')
    world.emulator.advanceClock(700) // past the 10-minute sandbox lifetime; our cache still says valid
    world.emulator.clearRequests()
    const human = await world.run(['call', 'fluz', '--query', OFFERS])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stderr).toMatch(/Renew\s+fluz rejected the token \(HTTP 200, AUTH-0008\); renewing once/)
    expect(fluzOperations(world.emulator)).toEqual(['query', 'refresh', 'query'])
    const renewed = await storedTokenValue(world, 'fluz')
    expect(renewed).not.toBe(first)
    expect(bearerOf(world.emulator.requests().at(-1))).toBe(renewed)
    expect(JSON.parse(human.stdout)).toMatchObject({data: {offers: {success: true}}})
  })

  it('--json reports renewed: true after a renewal', async () => {
    await fluzWorld()
    expect((await world.run(['call', 'fluz', '--query', OFFERS])).code).toBe(0)
    world.emulator.advanceClock(700)
    world.emulator.clearRequests()
    const result = await world.run(['call', 'fluz', '--query', OFFERS, '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({provider: 'fluz', method: 'POST', status: 200, renewed: true, body: {data: {offers: {success: true}}}})
    expect(fluzOperations(world.emulator)).toEqual(['query', 'refresh', 'query'])
  })

  it('a rejection that persists after the renewal exits 3 with the body printed, after exactly one refresh', async () => {
    // The profile's endpoint is production, the URL called is sandbox: every production token is refused there.
    await fluzWorld()
    const production = `${world.emulator.url}/fluz/production/api/v1/graphql`
    const env = {FTAUTH_FLUZ_URL: production}
    expect((await world.run(['fluz', 'token', '--scopes', 'LIST_OFFERS'], {env})).code).toBe(0)
    world.emulator.clearRequests()
    const result = await world.run(['call', `${world.emulator.url}/fluz/sandbox/api/v1/graphql`, '--query', OFFERS], {env})
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('error: fluz still rejects the renewed token (HTTP 200, AUTH-0008 from POST /fluz/sandbox/api/v1/graphql)')
    expect(JSON.parse(result.stdout)).toMatchObject({data: {offers: {success: false, error: {code: 'AUTH-0008'}}}})
    expect(fluzOperations(world.emulator)).toEqual(['query', 'refresh', 'query'])
    expect(world.emulator.requests().map((request) => request.path)).toEqual([
      '/fluz/sandbox/api/v1/graphql',
      '/fluz/production/api/v1/graphql',
      '/fluz/sandbox/api/v1/graphql',
    ])
  })

  it('a scope the token lacks (a GraphQL error: the docs name no code for it) exits 6 with the body printed and no renewal', async () => {
    await fluzWorld()
    const result = await world.run(['call', 'fluz', '--query', 'query { purchases(first: 1) { success error { code } totalCount } }'])
    expect(result.code).toBe(6)
    const body = JSON.parse(result.stdout) as {data: unknown; errors: {message: string}[]}
    expect(body.errors[0]?.message).toBe('Scope LIST_PURCHASES is not granted to this token')
    expect(JSON.stringify(body)).not.toContain('AUTH-0026')
    expect(fluzOperations(world.emulator)).toEqual(['generate', 'query'])
  })

  it('a top-level GraphQL error exits 6 with the body printed', async () => {
    await fluzWorld()
    const result = await world.run(['call', 'fluz', '--query', 'query { nonsense }'])
    expect(result.code).toBe(6)
    expect((JSON.parse(result.stdout) as {errors: {message: string}[]}).errors[0]?.message).toContain('Cannot query field "nonsense"')
    expect(result.stderr).toContain('error: GraphQL error: Cannot query field "nonsense"')
  })

  it('--query is only for Fluz (exit 2, no request)', async () => {
    await fluzWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '--query', OFFERS])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--query is for Fluz GraphQL')
    expect(world.emulator.requests().filter((request) => !request.path.startsWith('/__admin'))).toEqual([])
  })
})
