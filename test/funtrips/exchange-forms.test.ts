// The guide's two exchange forms (prose: /v1/session/token + session_code; diagrams: /v1/oauth/token
// + code): the prose form first, the other once when the server names the route or the field as
// unknown, never after a single-use failure, and what the server accepted is remembered.
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/core/errors.js'
import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {exchangeSessionCode} from '../../src/providers/funtrips/exchange.js'
import {createSessionFlow, exchangeFlow} from '../../src/providers/funtrips/flows.js'
import {failure} from '../helpers/errors.js'
import {bodyOf, funtripsCalls, funtripsRequests, makeDeps, type TestDeps} from './helpers.js'

const USER = 'ada@example.com'
let deps: TestDeps | undefined
afterEach(async () => {
  await deps?.cleanup()
  deps = undefined
})

async function withEmulator(options: Parameters<typeof startEmulator>[0], run: (emulator: Emulator) => Promise<void>): Promise<void> {
  const emulator = await startEmulator({port: 0, ...options})
  try {
    await run(emulator)
  } finally {
    await emulator.close()
  }
}

const newCode = async (d: TestDeps) =>
  (await createSessionFlow(d, {userId: USER, integration: 'headless', pkce: false, fresh: false, keepVerifier: false})).code
const exchanges = (emulator: Emulator) => funtripsRequests(emulator).filter((request) => /\/v1\/(session|oauth)\/token$/.test(request.path))

describe('exchange forms', () => {
  it('sends the prose form first: POST /v1/session/token with session_code', async () => {
    await withEmulator({}, async (emulator) => {
      deps = await makeDeps(emulator.url)
      const bearer = await exchangeFlow(deps, {code: await newCode(deps)})
      const [sent] = exchanges(emulator)
      expect(sent?.path).toBe('/funtrips/v1/session/token')
      expect(Object.keys(bodyOf(sent)).sort()).toEqual(['client_id', 'client_secret', 'session_code'])
      expect(bearer.exchange).toMatchObject({path: '/v1/session/token', field: 'session_code', choice: 'documented'})
    })
  })

  it('on a 404 tries the diagram form once, remembers it, and uses it first next time', async () => {
    await withEmulator({funtripsExchangePaths: ['oauth']}, async (emulator) => {
      deps = await makeDeps(emulator.url)
      const first = await exchangeFlow(deps, {code: await newCode(deps)})
      expect(exchanges(emulator).map((r) => `${r.path} ${r.status} ${Object.keys(bodyOf(r)).find((k) => k.includes('code'))}`)).toEqual([
        '/funtrips/v1/session/token 404 session_code',
        '/funtrips/v1/oauth/token 200 code',
      ])
      expect(first.exchange).toMatchObject({path: '/v1/oauth/token', field: 'code', choice: 'fallback'})
      expect(deps.stderr.join('')).toMatch(/\/v1\/session\/token is not a route there \(HTTP 404\); trying \/v1\/oauth\/token/)
      expect(await deps.tokens.serverChoices('funtrips', 'local')).toEqual({exchangePath: '/v1/oauth/token', exchangeField: 'code'})

      emulator.clearRequests()
      const second = await exchangeFlow(deps, {code: await newCode(deps)})
      expect(exchanges(emulator).map((r) => `${r.path} ${r.status}`)).toEqual(['/funtrips/v1/oauth/token 200'])
      expect(second.exchange.choice).toBe('remembered')
      expect(deps.stderr.join('')).toMatch(/public bearer issued by \/v1\/oauth\/token \(code as code, remembered\)/)
    })
  })

  it('on a 400 that names the field sends the code once more under the other name', async () => {
    await withEmulator({funtripsExchangeField: 'code'}, async (emulator) => {
      deps = await makeDeps(emulator.url)
      const bearer = await exchangeFlow(deps, {code: await newCode(deps)})
      expect(funtripsCalls(emulator).slice(-2)).toEqual(['POST /v1/session/token 400', 'POST /v1/session/token 200'])
      expect(bodyOf(exchanges(emulator)[1])).toHaveProperty('code')
      expect(bearer.exchange).toMatchObject({path: '/v1/session/token', field: 'code', choice: 'fallback'})
      expect(await deps.tokens.serverChoices('funtrips', 'local')).toEqual({exchangePath: '/v1/session/token', exchangeField: 'code'})
    })
  })

  it('never tries again after a single-use failure (an expired code is exit 4 after one request)', async () => {
    await withEmulator({codeTtlSeconds: 60}, async (emulator) => {
      deps = await makeDeps(emulator.url)
      const code = await newCode(deps)
      emulator.advanceClock(120)
      emulator.clearRequests()
      const error = await failure(exchangeFlow(deps, {code}))
      expect(error.exitCode).toBe(ExitCode.expiredOrUsed)
      expect(funtripsCalls(emulator)).toEqual(['POST /v1/session/token 400'])
      expect(await deps.tokens.serverChoices('funtrips', 'local')).toEqual({})
    })
  })
})

describe('an API gateway in front of Funtrips', () => {
  let gateway: Server
  let url: string
  const seen: string[] = []
  beforeAll(async () => {
    // AWS API Gateway answers an unknown route with 403 "Missing Authentication Token".
    gateway = createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`)
      if (request.url === '/v1/oauth/token') {
        response
          .writeHead(200, {'content-type': 'application/json'})
          .end(JSON.stringify({access_token: 'opaque-public-bearer', token_type: 'Bearer', expires_in: 600}))
        return
      }
      response.writeHead(403, {'content-type': 'application/json', 'x-amzn-errortype': 'MissingAuthenticationTokenException'})
      response.end(JSON.stringify({message: 'Missing Authentication Token'}))
    })
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => gateway.close(() => resolve())))

  it('counts its 403 for an unknown route as "route unknown" and tries the other path', async () => {
    await withEmulator({}, async (emulator) => {
      deps = await makeDeps(emulator.url)
      const answer = await exchangeSessionCode(
        deps,
        {...deps.profile.funtrips, apiUrl: url},
        {code: 'sc_x', client: {clientId: DEMO.funtrips.clientId, clientSecret: 'secret'}},
      )
      expect(seen).toEqual(['POST /v1/session/token', 'POST /v1/oauth/token'])
      expect(answer).toMatchObject({path: '/v1/oauth/token', field: 'code', refused: ['/v1/session/token 403']})
    })
  })
})
