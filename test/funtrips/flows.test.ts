import {createHash} from 'node:crypto'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/core/errors.js'
import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {obtainBackendBearer, backendTokenKey} from '../../src/providers/funtrips/backend-token.js'
import {exchangeSessionCode} from '../../src/providers/funtrips/exchange.js'
import {expiresIn, serverInstantToLocal} from '../../src/providers/funtrips/expiry.js'
import {createSessionFlow, exchangeFlow, headlessFlow} from '../../src/providers/funtrips/flows.js'
import {createPkcePair} from '../../src/core/pkce.js'
import {codePrefix, frameUrlWithCode} from '../../src/providers/funtrips/session.js'
import {funtripsBackendTokenSource, funtripsPublicTokenSource} from '../../src/providers/funtrips/token-source.js'
import {failure} from '../helpers/errors.js'
import {bodyOf, funtripsCalls, funtripsRequests, makeDeps, type TestDeps} from './helpers.js'

const CLIENT = {clientId: DEMO.funtrips.clientId, clientSecret: DEMO.funtrips.clientSecret}

describe('frameUrlWithCode', () => {
  it('appends session_code to a frame URL without a query', () => {
    expect(frameUrlWithCode('https://app.funtrips.io/frame', 'sc_1')).toBe('https://app.funtrips.io/frame?session_code=sc_1')
  })
  it('merges into an existing query, keeping it byte for byte', () => {
    expect(frameUrlWithCode('https://app.funtrips.io/frame?theme=light&q=a%20b', 'sc_1')).toBe(
      'https://app.funtrips.io/frame?theme=light&q=a%20b&session_code=sc_1',
    )
  })
  it('does not double an ampersand or lose a fragment', () => {
    expect(frameUrlWithCode('https://x.test/frame?theme=dark&#top', 'sc_1')).toBe('https://x.test/frame?theme=dark&session_code=sc_1#top')
  })
  it('replaces a stale session_code instead of adding a second one', () => {
    const url = new URL(frameUrlWithCode('https://x.test/frame?session_code=old&theme=dark', 'sc_new'))
    expect(url.searchParams.getAll('session_code')).toEqual(['sc_new'])
    expect(url.searchParams.get('theme')).toBe('dark')
  })
  it('encodes characters that would break the query', () => {
    expect(new URL(frameUrlWithCode('https://x.test/frame', 'a&b=c')).searchParams.get('session_code')).toBe('a&b=c')
  })
})

describe('codePrefix', () => {
  it('shows the kind and four characters only', () => {
    expect(codePrefix('sc_8f4fdd3b9a8c4a8085f2a3b5a1f2e9c1')).toBe('sc_8f4f…')
  })
  it('shows nothing of a short code but its kind', () => {
    expect(codePrefix('sc_12345678')).toBe('sc_…')
    expect(codePrefix('abc')).toBe('…')
  })
})

describe('PKCE pair', () => {
  it('is an RFC 7636 S256 pair: 43-character base64url verifier, challenge = BASE64URL(SHA256(verifier))', () => {
    const pair = createPkcePair()
    expect(pair.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(pair.challenge).toBe(createHash('sha256').update(pair.verifier).digest('base64url'))
    expect(pair.method).toBe('S256')
    expect(createPkcePair().verifier).not.toBe(pair.verifier)
  })
})

describe('expiry helpers', () => {
  const now = new Date('2030-01-01T12:00:00Z')
  it('words the step line in the one duration style every command uses', () => {
    expect(expiresIn(new Date(now.getTime() + 41 * 60_000 + 10_000), now)).toBe('expires in 41m 10s')
    expect(expiresIn(new Date(now.getTime() + 3600_000), now)).toBe('expires in 1h')
    expect(expiresIn(new Date(now.getTime() + 30_000), now)).toBe('expires in 30s')
    expect(expiresIn(new Date(now.getTime() - 120_000), now)).toBe('expired 2m ago')
  })
  it('moves a server instant into our clock only when the server clock is off by more than a minute', () => {
    const instant = new Date('2030-01-01T12:05:00Z')
    expect(serverInstantToLocal(instant, {serverDate: new Date(now.getTime() + 20_000)}, now)).toEqual(instant)
    expect(serverInstantToLocal(instant, {serverDate: new Date(now.getTime() + 600_000)}, now)).toEqual(new Date('2030-01-01T11:55:00Z'))
    expect(serverInstantToLocal(instant, {serverDate: undefined}, now)).toEqual(instant)
  })
})

describe('flows against the emulator', () => {
  let emulator: Emulator
  let deps: TestDeps
  beforeAll(async () => {
    emulator = await startEmulator({port: 0})
  })
  afterAll(() => emulator.close())
  afterEach(async () => {
    await deps?.cleanup()
    emulator.clearRequests()
  })

  it('reuses a cached backend bearer and gets a new one when the cached one is rejected', async () => {
    deps = await makeDeps(emulator.url)
    const first = await obtainBackendBearer(deps, {fresh: false})
    expect(first.origin).toBe('new')
    expect((await obtainBackendBearer(deps, {fresh: false})).origin).toBe('cache')
    // A revoked (here: forged) cached bearer: the session call answers 401, ftauth gets a fresh one once.
    const key = backendTokenKey(deps.profile.funtrips, DEMO.funtrips.clientId)
    const cached = await deps.tokens.get('funtrips', key)
    await deps.tokens.put('funtrips', key, {...cached!, accessToken: 'forged.backend.bearer'})
    emulator.clearRequests()
    const created = await createSessionFlow(deps, {userId: 'ada@example.com', integration: 'headless', pkce: false, fresh: false, keepVerifier: false})
    expect(funtripsCalls(emulator)).toEqual(['POST /v1/session 401', 'POST /oauth/token 200', 'POST /v1/session 200'])
    expect(created.backend.origin).toBe('new')
    expect((await deps.tokens.get('funtrips', key))?.accessToken).toBe(created.backend.token)
  })

  it('retries POST /v1/session after a 503 with the same Idempotency-Key (one code, not two)', async () => {
    deps = await makeDeps(emulator.url)
    await obtainBackendBearer(deps, {fresh: false})
    emulator.clearRequests()
    emulator.inject({method: 'POST', path: '/funtrips/v1/session', kind: '503'})
    await createSessionFlow(deps, {userId: 'ada@example.com', integration: 'webframe', pkce: false, fresh: false, keepVerifier: false})
    const sessions = funtripsRequests(emulator).filter((request) => request.path === '/funtrips/v1/session')
    expect(sessions.map((request) => request.status)).toEqual([503, 200])
    expect(sessions[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(sessions[1]!.headers['idempotency-key']).toBe(sessions[0]!.headers['idempotency-key'])
  })

  it('never retries an exchange: a 500 is final and names the endpoint', async () => {
    deps = await makeDeps(emulator.url)
    const created = await createSessionFlow(deps, {userId: 'ada@example.com', integration: 'headless', pkce: false, fresh: false, keepVerifier: false})
    emulator.clearRequests()
    emulator.inject({method: 'POST', path: '/funtrips/v1/session/token', kind: '500'})
    const error = await failure(exchangeFlow(deps, {code: created.code}))
    expect(error.exitCode).toBe(ExitCode.provider)
    expect(error.message).toMatch(/\/funtrips\/v1\/session\/token \(HTTP 500\)/)
    expect(funtripsCalls(emulator)).toEqual(['POST /v1/session/token 500'])
  })

  it('reports malformed and wrongly shaped exchange answers as exit 6 naming endpoint and status', async () => {
    deps = await makeDeps(emulator.url)
    for (const kind of ['malformed-json', 'wrong-shape'] as const) {
      const created = await createSessionFlow(deps, {userId: 'ada@example.com', integration: 'headless', pkce: false, fresh: false, keepVerifier: false})
      emulator.inject({method: 'POST', path: '/funtrips/v1/session/token', kind})
      const error = await failure(exchangeSessionCode(deps, deps.profile.funtrips, {code: created.code, client: CLIENT}))
      expect(error.exitCode).toBe(ExitCode.provider)
      expect(error.message).toContain(`POST ${emulator.url}/funtrips/v1/session/token`)
      expect(error.message).toContain('HTTP 200')
      if (kind === 'wrong-shape') expect(error.message).toContain('access_token')
      expect(error.line).not.toContain(created.code)
    }
  })

  it('uses a configured exchange path alone, without trying the other', async () => {
    const sessionOnly = await startEmulator({port: 0, funtripsExchangePaths: ['session']})
    try {
      deps = await makeDeps(sessionOnly.url, {funtrips: {urls: {local: {exchangePath: '/v1/oauth/token'}}}})
      const created = await createSessionFlow(deps, {userId: 'ada@example.com', integration: 'headless', pkce: false, fresh: false, keepVerifier: false})
      const error = await failure(exchangeFlow(deps, {code: created.code}))
      expect(error.exitCode).toBe(ExitCode.provider)
      expect(error.line).toMatch(/HTTP 404.*exchangePath/)
      expect(funtripsCalls(sessionOnly).slice(-1)).toEqual(['POST /v1/oauth/token 404'])
      expect(funtripsCalls(sessionOnly).filter((call) => call.includes('/v1/session/token'))).toEqual([])
    } finally {
      await sessionOnly.close()
    }
  })

  it('fails with exit 6 when neither documented path exists', async () => {
    const none = await startEmulator({port: 0, funtripsExchangePaths: []})
    try {
      deps = await makeDeps(none.url)
      const created = await createSessionFlow(deps, {userId: 'ada@example.com', integration: 'headless', pkce: false, fresh: false, keepVerifier: false})
      const error = await failure(exchangeFlow(deps, {code: created.code}))
      expect(error.exitCode).toBe(ExitCode.provider)
      expect(funtripsCalls(none).slice(-2)).toEqual(['POST /v1/session/token 404', 'POST /v1/oauth/token 404'])
    } finally {
      await none.close()
    }
  })

  it('keeps the PKCE verifier under a hash of the code, sends it, then forgets it', async () => {
    deps = await makeDeps(emulator.url)
    const created = await createSessionFlow(deps, {userId: 'ada@example.com', integration: 'headless', pkce: true, fresh: false, keepVerifier: true})
    const accounts = await deps.store.accounts('funtrips')
    const pkceAccounts = accounts.filter((account) => account.includes(':pkce.'))
    expect(pkceAccounts).toHaveLength(1)
    expect(pkceAccounts[0]).not.toContain(created.code)
    const bearer = await exchangeFlow(deps, {code: created.code})
    expect(bearer.verifierSource).toBe('stored')
    const exchange = funtripsRequests(emulator).find((request) => request.path === '/funtrips/v1/session/token')
    expect(bodyOf(exchange).code_verifier).toBe(created.pkce?.verifier)
    expect((await deps.store.accounts('funtrips')).filter((account) => account.includes(':pkce.'))).toEqual([])
  })

  it('exits 3 naming `ftauth login funtrips` when no client id is configured', async () => {
    deps = await makeDeps(emulator.url, {env: {FTAUTH_ENV: 'sandbox'}})
    const error = await failure(obtainBackendBearer(deps, {fresh: false}))
    expect(error.exitCode).toBe(ExitCode.credentialsRejected)
    expect(error.line).toContain('ftauth login funtrips')
    expect(error.line).toContain('FTAUTH_FUNTRIPS_CLIENT_SECRET')
  })

  it('public token source: runs the headless flow once, then serves the cache; renew makes a new session', async () => {
    deps = await makeDeps(emulator.url)
    const first = await funtripsPublicTokenSource.current(deps)
    expect(first.origin).toBe('new')
    expect(funtripsCalls(emulator)).toEqual(['POST /oauth/token 200', 'POST /v1/session 200', 'POST /v1/session/token 200'])
    const again = await funtripsPublicTokenSource.current(deps)
    expect(again).toMatchObject({origin: 'cache', token: first.token})
    expect(funtripsCalls(emulator)).toHaveLength(3)

    const renewed = await funtripsPublicTokenSource.renew(deps, first.token)
    expect(renewed.origin).toBe('new')
    expect(renewed.token).not.toBe(first.token)
    // New session + exchange, reusing the backend bearer: no refresh token exists for Funtrips.
    expect(funtripsCalls(emulator).slice(3)).toEqual(['POST /v1/session 200', 'POST /v1/session/token 200'])
    expect((await funtripsPublicTokenSource.current(deps)).token).toBe(renewed.token)

    // It really is a public bearer: the emulator's public endpoints accept it.
    const merchants = await fetch(`${funtripsPublicTokenSource.apiBase(deps)}/v1/merchants`, {headers: {authorization: `Bearer ${renewed.token}`}})
    expect(merchants.status).toBe(200)
    expect(funtripsPublicTokenSource.hosts(deps)).toEqual([new URL(emulator.url).origin])
  })

  it('backend token source: cached bearer, renewal by a fresh client-credentials grant', async () => {
    deps = await makeDeps(emulator.url)
    const first = await funtripsBackendTokenSource.current(deps)
    expect((await funtripsBackendTokenSource.current(deps)).origin).toBe('cache')
    const renewed = await funtripsBackendTokenSource.renew(deps, first.token)
    expect(renewed.origin).toBe('new')
    expect(funtripsCalls(emulator)).toEqual(['POST /oauth/token 200', 'POST /oauth/token 200'])
    expect(renewed.scopes).toContain('session:create')
  })

  it('headless flow with PKCE keeps the verifier in memory only and masks every secret in the trace', async () => {
    deps = await makeDeps(emulator.url)
    const {created, bearer} = await headlessFlow(deps, {userId: 'ada@example.com', fresh: false, pkce: true})
    expect(bearer.verifierSource).toBe('session')
    expect((await deps.store.accounts('funtrips')).some((account) => account.includes(':pkce.'))).toBe(false)
    const trace = deps.trace.join('\n')
    expect(trace).toContain('POST')
    for (const secret of [...emulator.issuedSecrets(), DEMO.funtrips.clientSecret, created.pkce!.verifier]) {
      expect(trace).not.toContain(secret)
    }
  })
})
