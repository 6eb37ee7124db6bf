// Flow functions against the in-process emulator, with a real HttpClient and no module mocking.
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {fluzApiKey, fluzCacheKey, fluzTokenRequest, resolveFluzIds, type FluzTokenRequest} from '../../src/providers/fluz/request.js'
import {obtainFluzToken, refreshFluzToken, renewFluzToken} from '../../src/providers/fluz/token-flow.js'
import {fluzTokenSource} from '../../src/providers/fluz/token-source.js'
import {refreshUserAccessToken} from '../../src/providers/fluz/user-token.js'
import {failure} from '../helpers/errors.js'
import {fluzOperations, fluzRequests, makeDeps, startOneFieldServer, type TestDeps} from './helpers.js'

let emulator: Emulator
const open: TestDeps[] = []

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(async () => {
  await emulator.close()
})
beforeEach(() => emulator.clearRequests())
afterEach(async () => {
  for (const deps of open.splice(0)) await deps.cleanup()
})

async function deps(options: Parameters<typeof makeDeps>[1] = {}): Promise<TestDeps> {
  const made = await makeDeps(emulator.url, options)
  open.push(made)
  return made
}

const requestFor = (d: TestDeps, scopes: string[], flags = {}): FluzTokenRequest => fluzTokenRequest(d, resolveFluzIds(d, flags), scopes)
const secondsLeft = (at: Date) => (at.getTime() - Date.now()) / 1000

describe('obtainFluzToken: cache → refresh → generate', () => {
  it('generates with Basic <api_key> as is, reuses from the cache, refreshes inside the margin', async () => {
    const d = await deps()
    const request = requestFor(d, ['PURCHASE_GIFTCARD', 'LIST_OFFERS'])
    const first = await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false})
    expect(first).toMatchObject({source: 'new', tokenField: 'accessToken', expiryBasis: 'exp', env: 'local'})
    expect(first.refreshToken).toMatch(/^rt_/)
    expect(first.scopes.sort()).toEqual(['LIST_OFFERS', 'PURCHASE_GIFTCARD'])
    expect(secondsLeft(first.expiresAt)).toBeGreaterThan(590)
    expect(secondsLeft(first.expiresAt)).toBeLessThanOrEqual(600)
    const [generate] = fluzRequests(emulator)
    expect(generate?.headers.authorization).toBe(`Basic ${DEMO.fluz.apiKey}`)

    const reordered = requestFor(d, ['LIST_OFFERS', 'PURCHASE_GIFTCARD'])
    const second = await obtainFluzToken(d, reordered, {minTtlSeconds: 30, fresh: false})
    expect(second).toMatchObject({source: 'cache', accessToken: first.accessToken})
    expect(fluzOperations(emulator)).toEqual(['generateUserAccessToken'])

    const third = await obtainFluzToken(d, request, {minTtlSeconds: 700, fresh: false})
    expect(third.source).toBe('refresh')
    expect(third.accessToken).not.toBe(first.accessToken)
    expect(third.refreshToken).not.toBe(first.refreshToken)
    expect(fluzOperations(emulator)).toEqual(['generateUserAccessToken', 'refreshUserAccessToken'])
    expect(JSON.parse(fluzRequests(emulator)[1]!.body).variables).toEqual({refreshToken: first.refreshToken})
    const stored = await d.tokens.get('fluz', fluzCacheKey(request))
    expect(stored).toMatchObject({accessToken: third.accessToken, refreshToken: third.refreshToken})

    const fresh = await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: true})
    expect(fresh.source).toBe('new')
    expect(fluzOperations(emulator).at(-1)).toBe('generateUserAccessToken')
  })

  it('regenerates when Fluz rejects the refresh token with AUTH-0008', async () => {
    const d = await deps()
    const request = requestFor(d, ['LIST_OFFERS'])
    const first = await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false})
    // Someone else spends the refresh token (rotation makes it single-use).
    await refreshUserAccessToken(d, request, await fluzApiKey(d, 'local'), first.refreshToken!)
    emulator.clearRequests()

    const next = await obtainFluzToken(d, request, {minTtlSeconds: 700, fresh: false})
    expect(next.source).toBe('new')
    expect(fluzOperations(emulator)).toEqual(['refreshUserAccessToken', 'generateUserAccessToken'])
    expect(d.stderr.join('')).toContain('refresh failed (AUTH-0008); generating a new token instead')
    expect((await d.tokens.get('fluz', fluzCacheKey(request)))?.accessToken).toBe(next.accessToken)
  })

  it('corrects the server clock skew when reading exp', async () => {
    const d = await deps()
    emulator.advanceClock(3600)
    try {
      const token = await obtainFluzToken(d, requestFor(d, ['LIST_OFFERS']), {minTtlSeconds: 30, fresh: true})
      expect(token.expiryBasis).toBe('exp (clock skew corrected)')
      expect(secondsLeft(token.expiresAt)).toBeGreaterThan(590)
      expect(secondsLeft(token.expiresAt)).toBeLessThanOrEqual(600)
    } finally {
      emulator.advanceClock(-3600)
    }
  })
})

describe('refreshFluzToken and renewal', () => {
  it('fails with exit 4 on a spent refresh token and drops only that refresh token', async () => {
    const d = await deps()
    const request = requestFor(d, ['LIST_OFFERS'])
    const first = await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false})
    await refreshUserAccessToken(d, request, await fluzApiKey(d, 'local'), first.refreshToken!)

    const error = await failure(refreshFluzToken(d, request))
    expect(error.exitCode).toBe(4)
    expect(error.line).toContain('AUTH-0008')
    expect(error.line).toContain('ftauth fluz token --fresh')
    const stored = await d.tokens.get('fluz', fluzCacheKey(request))
    expect(stored?.accessToken).toBe(first.accessToken)
    expect(stored?.refreshToken).toBeUndefined()

    emulator.clearRequests()
    expect((await failure(refreshFluzToken(d, request))).exitCode).toBe(2)
    expect(fluzRequests(emulator)).toEqual([])
  })

  it('reuses a token that changed since it was read (another process renewed it) without a request', async () => {
    const d = await deps()
    const request = requestFor(d, ['LIST_OFFERS'])
    const first = await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false})
    emulator.clearRequests()
    const reused = await renewFluzToken(d, request, 'an-older-token-that-was-rejected')
    expect(reused).toMatchObject({source: 'cache', accessToken: first.accessToken})
    expect(fluzRequests(emulator)).toEqual([])

    const renewed = await renewFluzToken(d, request, first.accessToken)
    expect(renewed.source).toBe('refresh')
    expect(fluzOperations(emulator)).toEqual(['refreshUserAccessToken'])
  })
})

describe('fluzTokenSource', () => {
  it('uses the profile ids and scopes: generate, then cache, renew by refresh', async () => {
    const d = await deps({fluz: {scopes: ['LIST_OFFERS']}})
    expect(fluzTokenSource.apiBase(d)).toBe(`${emulator.url}/fluz/api/v1/graphql`)
    expect(fluzTokenSource.hosts(d)).toEqual([new URL(emulator.url).origin])
    const first = await fluzTokenSource.current(d)
    expect(first).toMatchObject({origin: 'new', scopes: ['LIST_OFFERS']})
    const again = await fluzTokenSource.current(d)
    expect(again).toMatchObject({origin: 'cache', token: first.token})
    const renewed = await fluzTokenSource.renew(d, first.token)
    expect(renewed.origin).toBe('refresh')
    expect(renewed.token).not.toBe(first.token)
    expect(fluzOperations(emulator)).toEqual(['generateUserAccessToken', 'refreshUserAccessToken'])
  })

  it('falls back to the scope set of the newest cached token, and without one fails with exit 2', async () => {
    const d = await deps()
    const error = await failure(fluzTokenSource.current(d))
    expect(error.exitCode).toBe(2)
    expect(error.line).toContain('--scopes')
    expect(error.line).toContain('ftauth config')
    expect(fluzRequests(emulator)).toEqual([])

    await obtainFluzToken(d, requestFor(d, ['REVEAL_GIFTCARD', 'LIST_OFFERS']), {minTtlSeconds: 30, fresh: false})
    const current = await fluzTokenSource.current(d)
    expect(current.origin).toBe('cache')
    expect(current.scopes.sort()).toEqual(['LIST_OFFERS', 'REVEAL_GIFTCARD'])
  })
})

describe('what Fluz answers', () => {
  it.each(['token', 'accessToken'] as const)('a server with only %s: asks again once without the fields it lacks', async (field) => {
    const server = await startOneFieldServer(field, 'stand-in-api-key')
    try {
      const d = await deps({env: {FTAUTH_FLUZ_URL: server.url, FTAUTH_FLUZ_API_KEY: 'stand-in-api-key'}})
      const request = requestFor(d, ['LIST_OFFERS'])
      const token = await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false})
      expect(token).toMatchObject({source: 'new', tokenField: field, expiryBasis: 'documented lifetime'})
      expect(token.accessToken).toMatch(/^opaque-access-1-/)
      // Opaque token: the documented lifetime (local → sandbox's 10 min).
      expect((token.expiresAt.getTime() - token.obtainedAt.getTime()) / 1000).toBe(600)
      expect(server.requests).toHaveLength(2)
      const other = field === 'token' ? 'accessToken' : 'token'
      expect(server.requests[0]!.query).toMatch(new RegExp(`\\b${other}\\b`))
      expect(server.requests[1]!.query).not.toMatch(new RegExp(`\\b${other}\\b`))
      expect(server.requests[1]!.query).not.toContain('success')
      expect(server.requests.every((r) => r.authorization === 'Basic stand-in-api-key')).toBe(true)
      expect(d.stderr.join('')).toContain('asked again without it')
    } finally {
      await server.close()
    }
  })

  it('maps AUTH-0001 to exit 3 and stores nothing', async () => {
    const d = await deps()
    const request = requestFor(d, ['LIST_OFFERS'], {userId: '11111111-2222-4333-8444-555555555555'})
    const error = await failure(obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false}))
    expect(error.exitCode).toBe(3)
    expect(error.line).toContain('API key or account rejected (AUTH-0001')
    expect(await d.tokens.get('fluz', fluzCacheKey(request))).toBeUndefined()
  })

  it('maps a rejected API key (HTTP 401) to exit 3 and a GraphQL validation error to exit 6', async () => {
    const badKey = await deps({env: {FTAUTH_FLUZ_API_KEY: 'bm90OnRoZWtleQ=='}})
    expect((await failure(obtainFluzToken(badKey, requestFor(badKey, ['LIST_OFFERS']), {minTtlSeconds: 30, fresh: false}))).exitCode).toBe(3)

    const d = await deps()
    const error = await failure(obtainFluzToken(d, requestFor(d, ['LIST_OFER']), {minTtlSeconds: 30, fresh: false}))
    expect(error.exitCode).toBe(6)
    expect(error.line).toContain('LIST_OFER')
  })

  it('maps malformed JSON and a wrong shape to exit 6', async () => {
    const d = await deps()
    emulator.inject({path: '/fluz/api/v1/graphql', kind: 'malformed-json'})
    const malformed = await failure(obtainFluzToken(d, requestFor(d, ['LIST_OFFERS']), {minTtlSeconds: 30, fresh: false}))
    expect(malformed.exitCode).toBe(6)
    expect(malformed.line).toContain('malformed JSON')
    emulator.inject({path: '/fluz/api/v1/graphql', kind: 'wrong-shape'})
    expect((await failure(obtainFluzToken(d, requestFor(d, ['LIST_OFFERS']), {minTtlSeconds: 30, fresh: false}))).exitCode).toBe(6)
    expect(await d.tokens.get('fluz', fluzCacheKey(requestFor(d, ['LIST_OFFERS'])))).toBeUndefined()
  })
})
