import {createServer} from 'node:net'
import {createRemoteJWKSet, decodeProtectedHeader, jwtVerify} from 'jose'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {DEFAULT_EMULATOR_PORT, DEMO, emulatorUrls, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {FT_BASIC, backendToken, claims, createSession, generateToken, jsonOf, postForm, publicToken, shuttleCode, shuttleTokens} from './helpers.js'

let e: Emulator
beforeAll(async () => {
  e = await startEmulator()
})
afterAll(() => e.close())

describe('demo credentials', () => {
  it('has the documented Fluz API key shape: base64 of app_id:app_secret', () => {
    expect(Buffer.from(DEMO.fluz.apiKey, 'base64').toString('utf8')).toBe('demo_app:demo_app_secret')
    for (const id of [DEMO.fluz.userId, DEMO.fluz.accountId, DEMO.fluz.seatId]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }
    expect(DEFAULT_EMULATOR_PORT).toBe(7787)
  })

  it('derives every URL from the base, ignoring a trailing slash', () => {
    expect(emulatorUrls('http://127.0.0.1:7787/')).toEqual({
      funtrips: 'http://127.0.0.1:7787/funtrips',
      fluz: 'http://127.0.0.1:7787/fluz/api/v1/graphql',
      fluzSandbox: 'http://127.0.0.1:7787/fluz/sandbox/api/v1/graphql',
      fluzProduction: 'http://127.0.0.1:7787/fluz/production/api/v1/graphql',
      shuttleAuth: 'http://127.0.0.1:7787/shuttle',
      shuttleApi: 'http://127.0.0.1:7787/shuttle/c/api',
      jwks: 'http://127.0.0.1:7787/.well-known/jwks.json',
      admin: 'http://127.0.0.1:7787/__admin',
    })
  })
})

describe('server basics', () => {
  it('listens on 127.0.0.1 with a random port by default', () => {
    expect(e.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('answers unknown routes with 404 JSON and wrong methods with 405', async () => {
    const res = await fetch(`${e.url}/nope`)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toMatchObject({error: 'not_found'})
    const wrong = await fetch(`${e.url}/funtrips/oauth/token`)
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST')
  })

  it('serves an HTML index listing the endpoints', async () => {
    const res = await fetch(`${e.url}/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const page = await res.text()
    for (const path of ['/funtrips/oauth/token', '/fluz/api/v1/graphql', '/shuttle/authorize', '/__admin/faults']) expect(page).toContain(path)
  })

  it('refuses bodies over 1 MiB with 413', async () => {
    const res = await fetch(`${e.url}/funtrips/oauth/token`, {method: 'POST', body: 'x'.repeat(1024 * 1024 + 1)})
    expect(res.status).toBe(413)
  })

  it('rejects invalid options', async () => {
    await expect(startEmulator({port: -1})).rejects.toThrow(TypeError)
    await expect(startEmulator({secretMarker: 'has space'})).rejects.toThrow(/secretMarker/)
    await expect(startEmulator({fluzEnv: 'staging' as 'sandbox'})).rejects.toThrow(TypeError)
  })
})

describe('JWKS and signatures', () => {
  it('publishes the same RS256 key at the root and under every provider prefix', async () => {
    const paths = [
      '/.well-known/jwks.json',
      '/funtrips/.well-known/jwks.json',
      '/fluz/sandbox/.well-known/jwks.json',
      '/fluz/production/.well-known/jwks.json',
      '/shuttle/.well-known/jwks.json',
    ]
    const bodies = await Promise.all(paths.map(async (p) => jsonOf<{keys: Array<Record<string, unknown>>}>(await fetch(`${e.url}${p}`))))
    for (const b of bodies) expect(b).toEqual(bodies[0])
    const key = bodies[0]?.keys[0]
    expect(key).toMatchObject({kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String)})
    expect(key).not.toHaveProperty('d')
  })

  it('verifies tokens of all three providers with createRemoteJWKSet + jwtVerify', async () => {
    const urls = emulatorUrls(e.url)
    const funtrips = await publicToken(e)
    const fluz = (await generateToken(urls.fluzSandbox, ['LIST_OFFERS'])).accessToken ?? ''
    const shuttle = (await shuttleTokens(e)).access_token
    const cases = [
      {token: funtrips, prefix: '/funtrips', audience: 'funtrips-api'},
      {token: fluz, prefix: '/fluz/sandbox', audience: 'fluz-api'},
      {token: shuttle, prefix: '/shuttle', audience: 'shuttle-api'},
    ]
    for (const c of cases) {
      const jwks = createRemoteJWKSet(new URL(`${e.url}${c.prefix}/.well-known/jwks.json`))
      const {payload, protectedHeader} = await jwtVerify(c.token, jwks, {issuer: `${e.url}${c.prefix}`, audience: c.audience, algorithms: ['RS256']})
      expect(protectedHeader).toMatchObject({alg: 'RS256', kid: expect.any(String)})
      expect(payload).toMatchObject({sub: expect.any(String), jti: expect.any(String), iat: expect.any(Number), exp: expect.any(Number)})
    }
  })

  it('uses a fresh key per emulator: another instance’s JWKS rejects the token', async () => {
    const other = await startEmulator()
    try {
      const token = await backendToken(e)
      const otherKeys = await jsonOf<{keys: Array<{kid: string}>}>(await fetch(`${other.url}/.well-known/jwks.json`))
      expect(otherKeys.keys[0]?.kid).not.toBe(decodeProtectedHeader(token).kid)
      await expect(jwtVerify(token, createRemoteJWKSet(new URL(`${other.url}/.well-known/jwks.json`)))).rejects.toThrow()
    } finally {
      await other.close()
    }
  })
})

describe('clock', () => {
  let clocked: Emulator
  afterEach(() => clocked.close())

  it('moves the Date header and token iat with advanceClock', async () => {
    clocked = await startEmulator()
    const before = Date.parse((await fetch(`${clocked.url}/`)).headers.get('date') ?? '')
    clocked.advanceClock(86_400)
    const after = Date.parse((await fetch(`${clocked.url}/`)).headers.get('date') ?? '')
    expect(after - before).toBeGreaterThanOrEqual(86_399_000)
    expect(after - before).toBeLessThan(86_460_000)
    const iat = Number(claims(await backendToken(clocked)).iat)
    expect(iat * 1000 - Date.now()).toBeGreaterThan(86_000_000)
  })

  it('can be advanced over HTTP with POST /__admin/clock', async () => {
    clocked = await startEmulator()
    const res = await fetch(`${clocked.url}/__admin/clock`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({advanceSeconds: 3600}),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({offsetSeconds: 3600})
    const bad = await fetch(`${clocked.url}/__admin/clock`, {method: 'POST', body: JSON.stringify({advanceSeconds: 'soon'})})
    expect(bad.status).toBe(400)
    expect(() => clocked.advanceClock(Number.NaN)).toThrow(TypeError)
  })
})

describe('request log', () => {
  let logged: Emulator
  afterEach(() => logged.close())

  it('records method, path, query, headers, body, status and time; clears in-process and over HTTP', async () => {
    logged = await startEmulator()
    await postForm(`${logged.url}/funtrips/oauth/token?trace=1`, {grant_type: 'client_credentials'}, {authorization: FT_BASIC})
    await fetch(`${logged.url}/missing`)
    const [first, second] = logged.requests()
    expect(first).toMatchObject({
      method: 'POST',
      path: '/funtrips/oauth/token',
      query: {trace: '1'},
      body: 'grant_type=client_credentials',
      status: 200,
    })
    expect(first?.headers.authorization).toBe(FT_BASIC)
    expect(first?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Date.parse(first?.at ?? '')).not.toBeNaN()
    expect(second).toMatchObject({method: 'GET', path: '/missing', status: 404})

    const overHttp = await jsonOf<unknown[]>(await fetch(`${logged.url}/__admin/requests`))
    expect(overHttp).toEqual(logged.requests())
    logged.clearRequests()
    expect(logged.requests()).toEqual([])
    await fetch(`${logged.url}/`)
    expect((await fetch(`${logged.url}/__admin/requests`, {method: 'DELETE'})).status).toBe(204)
    expect(logged.requests()).toEqual([])
  })

  it('returns copies: mutating the result does not change the log', async () => {
    logged = await startEmulator()
    await fetch(`${logged.url}/`)
    const copy = logged.requests()
    if (copy[0]) copy[0].status = 999
    expect(logged.requests()[0]?.status).toBe(200)
  })
})

describe('issued secrets and secretMarker', () => {
  let marked: Emulator
  afterEach(() => marked.close())

  it('embeds the marker in every code and opaque refresh token, and lists every issued secret', async () => {
    marked = await startEmulator({secretMarker: 'CANARY-42'})
    const session = await createSession(marked)
    const shuttleAuthCode = await shuttleCode(marked)
    const shuttle = await shuttleTokens(marked)
    const fluz = await generateToken(emulatorUrls(marked.url).fluz, ['LIST_OFFERS'])
    expect(session.session_code).toMatch(/^sc_CANARY-42_[0-9a-f]{32}$/)
    expect(shuttleAuthCode).toMatch(/^ac_CANARY-42_/)
    expect(shuttle.refresh_token).toMatch(/^rt_CANARY-42_/)
    expect(fluz.refreshToken).toMatch(/^rt_CANARY-42_/)
    const issued = marked.issuedSecrets()
    for (const s of [session.session_code, shuttleAuthCode, shuttle.refresh_token, shuttle.access_token, fluz.refreshToken, fluz.accessToken]) {
      expect(issued).toContain(s)
    }
    expect(await jsonOf(await fetch(`${marked.url}/__admin/secrets`))).toEqual(issued)
  })
})

describe('close()', () => {
  it('frees the port, even with a keep-alive connection open', async () => {
    const first = await startEmulator()
    const port = Number(new URL(first.url).port)
    await fetch(`${first.url}/`, {headers: {connection: 'keep-alive'}})
    const started = Date.now()
    await first.close()
    expect(Date.now() - started).toBeLessThan(2000)
    await new Promise<void>((resolve, reject) => {
      const probe = createServer()
      probe.once('error', reject)
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()))
    })
    const again = await startEmulator({port})
    expect(again.url).toBe(`http://127.0.0.1:${port}`)
    await again.close()
  })

  it('is idempotent', async () => {
    const x = await startEmulator()
    await x.close()
    await expect(x.close()).resolves.toBeUndefined()
  })
})
