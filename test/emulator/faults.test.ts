import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {DEMO, emulatorUrls, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {FT_BASIC, jsonOf, postForm, postJson} from './helpers.js'

let e: Emulator
beforeEach(async () => {
  e = await startEmulator()
})
afterEach(() => e.close())

const marco = () => postJson(emulatorUrls(e.url).fluz, {query: '{ marco }'})
const tokenCall = () => postForm(`${e.url}/funtrips/oauth/token`, {grant_type: 'client_credentials'}, {authorization: FT_BASIC})

describe('fault kinds', () => {
  it('500 hits the next `count` matching requests, then the real answer returns', async () => {
    e.inject({path: '/fluz/api/v1/graphql', kind: '500', count: 2})
    expect((await marco()).status).toBe(500)
    expect((await marco()).status).toBe(500)
    const ok = await marco()
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({data: {marco: 'polo'}})
    expect(e.requests().map((r) => r.status)).toEqual([500, 500, 200])
  })

  it('503 and 429 carry Retry-After when given', async () => {
    e.inject({path: '/funtrips/oauth/token', kind: '503', retryAfter: 7})
    e.inject({path: '/funtrips/oauth/token', kind: '429', retryAfter: 2})
    const unavailable = await tokenCall()
    expect(unavailable.status).toBe(503)
    expect(unavailable.headers.get('retry-after')).toBe('7')
    const limited = await tokenCall()
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect((await tokenCall()).status).toBe(200)
  })

  it('429 without retryAfter sends no Retry-After', async () => {
    e.inject({path: '/funtrips/oauth/token', kind: '429'})
    const res = await tokenCall()
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBeNull()
  })

  it('malformed-json sends truncated JSON labelled application/json', async () => {
    e.inject({path: '/funtrips/oauth/token', kind: 'malformed-json'})
    const res = await tokenCall()
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const text = await res.text()
    expect(text).toBe('{"access_token": ')
    expect(() => JSON.parse(text) as unknown).toThrow()
  })

  it('wrong-shape sends valid JSON of the wrong shape', async () => {
    e.inject({path: '/funtrips/oauth/token', kind: 'wrong-shape'})
    const res = await tokenCall()
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({unexpected: true})
  })

  it('reset drops the connection without a response', async () => {
    e.inject({path: '/funtrips/oauth/token', kind: 'reset'})
    await expect(tokenCall()).rejects.toThrow()
    expect(e.requests()[0]?.status).toBe(0)
    expect((await tokenCall()).status).toBe(200)
  })

  it('hang with hangMs delays the real answer', async () => {
    e.inject({path: '/fluz/api/v1/graphql', kind: 'hang', hangMs: 300})
    const started = Date.now()
    const res = await marco()
    expect(Date.now() - started).toBeGreaterThanOrEqual(280)
    expect(res.status).toBe(200)
  })

  it('hang without hangMs lasts until close(), which releases it promptly', async () => {
    e.inject({path: '/fluz/api/v1/graphql', kind: 'hang'})
    const pending = postJson(emulatorUrls(e.url).fluz, {query: '{ marco }'}).then(
      (r) => r.status,
      (err: unknown) => err,
    )
    const raced = await Promise.race([pending, new Promise((r) => setTimeout(() => r('still hanging'), 300))])
    expect(raced).toBe('still hanging')
    expect(e.requests()).toHaveLength(1)
    expect(e.requests()[0]?.status).toBe(0)
    const started = Date.now()
    await e.close()
    expect(Date.now() - started).toBeLessThan(2000)
    expect(await pending).toBeInstanceOf(Error)
  })
})

describe('matching', () => {
  it('matches the method when given', async () => {
    e.inject({method: 'get', path: '/funtrips/oauth/token', kind: '500'})
    expect((await tokenCall()).status).toBe(200)
    expect((await fetch(`${e.url}/funtrips/oauth/token`)).status).toBe(500)
  })

  it('treats a trailing * as a prefix and otherwise needs the exact path', async () => {
    e.inject({path: '/fluz/api', kind: '500'})
    expect((await marco()).status).toBe(200)
    e.clearRequests()
    e.inject({path: '/fluz/*', kind: '503', count: 1})
    expect((await marco()).status).toBe(503)
  })

  it('rejects an invalid fault', () => {
    expect(() => e.inject({path: 'no-slash', kind: '500'})).toThrow(TypeError)
    expect(() => e.inject({path: '/x', kind: 'explode' as '500'})).toThrow(TypeError)
  })
})

describe('/__admin/faults over HTTP', () => {
  it('injects, lists and clears faults; admin routes are neither faulted nor logged', async () => {
    const add = await postJson(`${e.url}/__admin/faults`, {path: '/*', kind: '500', count: 5})
    expect(add.status).toBe(201)
    expect(await jsonOf(add)).toMatchObject({path: '/*', kind: '500', count: 5})
    const list = await fetch(`${e.url}/__admin/faults`)
    expect(list.status).toBe(200)
    expect(await list.json()).toEqual([expect.objectContaining({path: '/*', remaining: 5})])
    expect((await marco()).status).toBe(500)
    expect((await fetch(`${e.url}/__admin/faults`, {method: 'DELETE'})).status).toBe(204)
    expect((await marco()).status).toBe(200)
    const logged = await jsonOf<Array<{path: string}>>(await fetch(`${e.url}/__admin/requests`))
    expect(logged.map((r) => r.path)).toEqual(['/fluz/api/v1/graphql', '/fluz/api/v1/graphql'])
  })

  it('answers 400 to an invalid fault', async () => {
    const res = await postJson(`${e.url}/__admin/faults`, {path: '/x', kind: 'explode'})
    expect(res.status).toBe(400)
    const notJson = await fetch(`${e.url}/__admin/faults`, {method: 'POST', body: 'kind=500'})
    expect(notJson.status).toBe(400)
  })

  it('applies a hang fault to the Fluz refresh mutation just like any other request', async () => {
    await postJson(`${e.url}/__admin/faults`, {method: 'POST', path: '/fluz/sandbox/api/v1/graphql', kind: 'hang', hangMs: 150})
    const started = Date.now()
    const res = await postJson(
      emulatorUrls(e.url).fluzSandbox,
      {query: 'mutation($t: String!) { refreshUserAccessToken(userId: $t) { success error { code } } }', variables: {t: 'rt_x'}},
      {authorization: `Basic ${DEMO.fluz.apiKey}`},
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(await res.json()).toMatchObject({data: {refreshUserAccessToken: {success: false, error: {code: 'AUTH-0008'}}}})
  })
})
