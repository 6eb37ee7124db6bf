import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {KeychainBackend} from '../../src/core/keychain.js'
import {startEmulator, type Emulator, type EmulatorOptions} from '../../src/emulator/index.js'
import {codeChallengeS256} from '../../src/core/pkce.js'
import {makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'
import {basicCredentials, formOf, freePort, portIsFree, TEST_BROWSER, tokenRequests} from './helpers.js'

runCliInProcess()

const TOKEN_ACCOUNT = 'default:shuttle:token:oauth.local'
const DEMO_SECRET = 'sh_demo_secret_81d7e3'

interface StoredJson {
  accessToken: string
  refreshToken?: string
  expiresAt: string
  scopes: string[]
  meta: Record<string, unknown>
}

let emulator: Emulator
let sandbox: Sandbox
let scratch: string

async function setUp(options: EmulatorOptions = {}) {
  // Logins here listen on a random port (--port 0), which this emulator accepts for its registered
  // loopback redirect: ftauth's fixed port may be taken by a suite running at the same time.
  emulator = await startEmulator({port: 0, secretMarker: 'CANARY', shuttleLoopbackAnyPort: true, ...options})
  sandbox = await makeSandbox(emulator.url)
  scratch = await mkdtemp(join(tmpdir(), 'ftauth-shuttle-browser-'))
}

async function tearDown() {
  await sandbox?.cleanup()
  await emulator?.close()
  await rm(scratch, {recursive: true, force: true})
}

/** `ftauth shuttle login` with the test browser; extra env picks its button or forges the state. */
function login(args: string[] = [], env: Record<string, string> = {}) {
  const redirect = args.includes('--port') || args.includes('--redirect-uri') ? [] : ['--port', '0']
  return sandbox.run(['shuttle', 'login', '--wait', '20', ...redirect, ...args], {
    env: {BROWSER: TEST_BROWSER, FTAUTH_TEST_BROWSER_LOG: join(scratch, 'browser.json'), ...env},
  })
}

async function browserLog(): Promise<{status: number; title: string; path: string; visited: string[]; forged?: {status: number; title: string}}> {
  return JSON.parse(await readFile(join(scratch, 'browser.json'), 'utf8'))
}

/** The stored token as the CLI wrote it (read through the keychain backend, which joins chunked values). */
async function storedRaw(): Promise<string | null> {
  return new KeychainBackend(sandbox.service, 5000).get(TOKEN_ACCOUNT)
}

async function stored(): Promise<StoredJson | undefined> {
  const value = await storedRaw()
  return value === null ? undefined : (JSON.parse(value) as StoredJson)
}

/** No token, code or refresh token the emulator issued may show up where it was not asked for. */
function expectNoIssuedSecret(...texts: string[]) {
  for (const secret of emulator.issuedSecrets()) for (const text of texts) expect(text).not.toContain(secret)
}

describe('ftauth shuttle login', () => {
  describe('with auto-approve', () => {
    beforeEach(() => setUp({autoApprove: true}))
    afterEach(tearDown)

    it('runs the loopback flow with PKCE and Basic client auth, stores both tokens, prints expiry, scopes and instance', async () => {
      const result = await login()
      expect(result.stderr).toContain('Exchange')
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('Connected to Shuttle')
      expect(result.stdout).toContain('inst_demo_7k2m9d')
      expect(result.stdout).toMatch(/scopes\s+read write/)
      expect(result.stdout).toMatch(/expires\s+\d{4}-\d\d-\d\dT.*\(in (59m|1h)/)
      expectNoIssuedSecret(result.stdout, result.stderr)

      const authorize = emulator.requests().find((request) => request.path === '/shuttle/authorize')!
      expect(authorize.query).toMatchObject({response_type: 'code', client_id: 'sh_demo_client', code_challenge_method: 'S256'})
      expect(authorize.query.redirect_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
      expect(authorize.query.redirect_uri).toBe(authorize.query.redirect_url)
      expect(authorize.query.state?.length).toBeGreaterThanOrEqual(32)

      const [exchange] = tokenRequests(emulator.requests(), 'authorization_code')
      const form = formOf(exchange!)
      expect(basicCredentials(exchange!)).toEqual(['sh_demo_client', DEMO_SECRET])
      expect(form.has('client_secret')).toBe(false)
      expect(form.get('redirect_uri')).toBe(authorize.query.redirect_url)
      expect(codeChallengeS256(form.get('code_verifier')!)).toBe(authorize.query.code_challenge)

      const token = await stored()
      expect(token?.refreshToken).toMatch(/^rt_/)
      expect(token?.scopes).toEqual(['read', 'write'])
      expect(token?.meta.instanceId).toBe('inst_demo_7k2m9d')
      expect(emulator.issuedSecrets()).toContain(token?.accessToken)

      const page = await browserLog()
      expect(page).toMatchObject({status: 200, title: 'Shuttle access approved', path: '/callback'})
      // The listener is gone with the command.
      expect(await portIsFree(Number(new URL(authorize.query.redirect_url!).port))).toBe(true)
    })

    it('sends the client in the body with --client-auth body, no PKCE with --no-pkce, and --json without secrets', async () => {
      const result = await login(['--client-auth', 'body', '--no-pkce', '--scope', 'read', '--json', '--trace'])
      expect(result.code).toBe(0)
      // The trace shows the exchange, masked.
      expect(result.stderr).toContain('→ POST')
      expect(result.stderr).not.toContain(DEMO_SECRET)
      const json = JSON.parse(result.stdout)
      expect(json).toMatchObject({
        provider: 'shuttle',
        env: 'local',
        instanceId: 'inst_demo_7k2m9d',
        scopes: ['read'],
        clientAuth: 'body',
        pkce: false,
        refreshToken: 'stored',
      })
      expectNoIssuedSecret(result.stdout, result.stderr)

      const authorize = emulator.requests().find((request) => request.path === '/shuttle/authorize')!
      expect(authorize.query.code_challenge).toBeUndefined()
      expect(authorize.query.scope).toBe('read')
      const [exchange] = tokenRequests(emulator.requests(), 'authorization_code')
      expect(exchange!.headers.authorization).toBeUndefined()
      expect(formOf(exchange!).get('client_id')).toBe('sh_demo_client')
      expect(formOf(exchange!).get('client_secret')).toBe(DEMO_SECRET)
      expect(formOf(exchange!).has('code_verifier')).toBe(false)
    })

    it('-q prints the access token alone', async () => {
      const result = await login(['-q'])
      expect(result.code).toBe(0)
      expect(result.stdout).toBe(`${(await stored())?.accessToken}\n`)
    })

    it('answers a redirect whose state was forged with an error page and a warning, exchanges nothing, and keeps waiting (exit 5 at --wait)', async () => {
      const result = await sandbox.run(['shuttle', 'login', '--wait', '3'], {
        env: {BROWSER: TEST_BROWSER, FTAUTH_TEST_BROWSER_LOG: join(scratch, 'browser.json'), FTAUTH_TEST_FORGE_STATE: '1'},
      })
      expect(result.code).toBe(5)
      expect(result.stderr).toMatch(/warning: ignored a redirect whose state does not match/)
      expect(result.stderr).toMatch(/error: no authorization came back within 3s/)
      expect(tokenRequests(emulator.requests())).toHaveLength(0)
      expect(await stored()).toBeUndefined()
      expect(await browserLog()).toMatchObject({status: 400, title: 'Not this login'})
    })

    it('a forged redirect first does not end the login: the real one that follows logs in', async () => {
      const result = await login([], {FTAUTH_TEST_FORGE_STATE: 'then-real'})
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toMatch(/warning: ignored a redirect whose state does not match/)
      expect(await browserLog()).toMatchObject({status: 200, title: 'Shuttle access approved', forged: {status: 400, title: 'Not this login'}})
      // Only the real code was exchanged.
      const exchanges = tokenRequests(emulator.requests(), 'authorization_code')
      expect(exchanges).toHaveLength(1)
      expect(formOf(exchanges[0]!).get('code')).not.toBe('ac_forged_code_0000')
      expect((await stored())?.refreshToken).toMatch(/^rt_/)
    })
  })

  describe('with the consent page', () => {
    beforeEach(() => setUp())
    afterEach(tearDown)

    it('logs in when the merchant clicks Approve', async () => {
      const result = await login([], {FTAUTH_TEST_CONSENT: 'approve'})
      expect(result.code).toBe(0)
      expect((await browserLog()).visited).toContain(`POST ${new URL(emulator.url).host}/shuttle/authorize/decision`)
      expect((await stored())?.refreshToken).toMatch(/^rt_/)
    })

    it('says the merchant denied access (exit 3) and stores nothing', async () => {
      const result = await login([], {FTAUTH_TEST_CONSENT: 'deny'})
      expect(result.code).toBe(3)
      expect(result.stderr).toMatch(/error: the merchant denied access .*access_denied/)
      expect(result.stderr).toContain('ftauth shuttle login')
      expect(tokenRequests(emulator.requests())).toHaveLength(0)
      expect(await stored()).toBeUndefined()
    })

    it('gives up after --wait with exit 5, having printed the URL, and frees the port', async () => {
      const port = await freePort()
      const result = await sandbox.run(['shuttle', 'login', '--no-browser', '--wait', '1', '--port', String(port)])
      expect(result.code).toBe(5)
      expect(result.stderr).toContain(`${emulator.url}/shuttle/authorize?response_type=code`)
      expect(result.stderr).toMatch(/error: no authorization came back within 1s \(--wait 1\)/)
      expect(await portIsFree(port)).toBe(true)
      expect(emulator.requests()).toHaveLength(0)
    })

    it('refuses to start without a client secret (exit 3, naming `ftauth login shuttle`) and sends nothing', async () => {
      const result = await sandbox.run(['shuttle', 'login', '--env', 'sandbox', '--no-browser'], {env: {FTAUTH_SHUTTLE_CLIENT_ID: 'my-client'}})
      expect(result.code).toBe(3)
      expect(result.stderr).toMatch(/no Shuttle client secret for sandbox.*ftauth login shuttle --env sandbox/)
      expect(result.stderr).not.toContain('Listen')
    })

    it('rejects --port that contradicts the registered redirect (exit 2)', async () => {
      const result = await sandbox.run(['shuttle', 'login', '--redirect-uri', 'http://127.0.0.1:8765/callback', '--port', '9999'])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/--port 9999 disagrees with the registered redirect/)
    })
  })
})

describe('ftauth shuttle refresh', () => {
  afterEach(tearDown)

  it('gets a new access token and keeps the refresh token (no rotation); -q prints the token', async () => {
    await setUp({autoApprove: true})
    expect((await login()).code).toBe(0)
    const before = await stored()
    const result = await sandbox.run(['shuttle', 'refresh', '--trace'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Refreshed the Shuttle token')
    expect(result.stderr).toContain('grant_type=refresh_token')
    expect(result.stderr).not.toContain(DEMO_SECRET)
    expect(result.stdout).toMatch(/refresh rotated\s+no/)
    expectNoIssuedSecret(result.stdout, result.stderr)
    const after = await stored()
    expect(after?.refreshToken).toBe(before?.refreshToken)
    expect(after?.accessToken).not.toBe(before?.accessToken)
    const [request] = tokenRequests(emulator.requests(), 'refresh_token')
    expect(formOf(request!).get('refresh_token')).toBe(before?.refreshToken)
    expect(basicCredentials(request!)).toEqual(['sh_demo_client', DEMO_SECRET])

    const quiet = await sandbox.run(['shuttle', 'refresh', '-q'])
    expect(quiet.code).toBe(0)
    expect(quiet.stdout).toBe(`${(await stored())?.accessToken}\n`)
  })

  it('stores a rotated refresh token when the server returns one', async () => {
    await setUp({autoApprove: true, shuttleRotateRefresh: true})
    expect((await login()).code).toBe(0)
    const before = await stored()
    const first = await sandbox.run(['shuttle', 'refresh', '--json'])
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({origin: 'refresh', refreshRotated: true})
    const rotated = await stored()
    expect(rotated?.refreshToken).toMatch(/^rt_/)
    expect(rotated?.refreshToken).not.toBe(before?.refreshToken)
    // Only the new one is valid now; the next refresh must send it.
    expect((await sandbox.run(['shuttle', 'refresh'])).code).toBe(0)
    expect(formOf(tokenRequests(emulator.requests(), 'refresh_token').at(-1)!).get('refresh_token')).toBe(rotated?.refreshToken)
  })

  it('uses the client auth chosen at login', async () => {
    await setUp({autoApprove: true})
    expect((await login(['--client-auth', 'body'])).code).toBe(0)
    expect((await sandbox.run(['shuttle', 'refresh'])).code).toBe(0)
    const [request] = tokenRequests(emulator.requests(), 'refresh_token')
    expect(request!.headers.authorization).toBeUndefined()
    expect(formOf(request!).get('client_secret')).toBe(DEMO_SECRET)
  })

  it('says to log in (exit 4) with nothing stored, and removes a refresh token the server declared dead', async () => {
    await setUp({autoApprove: true})
    const nothing = await sandbox.run(['shuttle', 'refresh'])
    expect(nothing.code).toBe(4)
    expect(nothing.stderr).toMatch(/no Shuttle token stored for local.*run `ftauth shuttle login`/)

    expect((await login()).code).toBe(0)
    const token = await stored()
    const revoked = await fetch(`${emulator.url}/shuttle/revoke`, {
      method: 'POST',
      headers: {authorization: `Basic ${Buffer.from(`sh_demo_client:${DEMO_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams({token: token!.refreshToken!}).toString(),
    })
    expect(revoked.status).toBe(200)
    const dead = await sandbox.run(['shuttle', 'refresh'])
    expect(dead.code).toBe(4)
    expect(dead.stderr).toMatch(/invalid, expired or already used.*removed.*run `ftauth shuttle login`/)
    expectNoIssuedSecret(dead.stdout, dead.stderr)
    expect(await stored()).toBeUndefined()
  })

  it('lets 8 parallel processes share one refresh', async () => {
    await setUp({autoApprove: true})
    expect((await login()).code).toBe(0)
    const before = await stored()
    emulator.clearRequests()
    const results = await Promise.all(Array.from({length: 8}, () => sandbox.run(['shuttle', 'refresh', '-q'], {timeoutMs: 60_000})))
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    expect(tokenRequests(emulator.requests(), 'refresh_token')).toHaveLength(1)
    const after = await stored()
    expect(after?.accessToken).not.toBe(before?.accessToken)
    expect(after?.refreshToken).toBe(before?.refreshToken)
    expect(new Set(results.map((result) => result.stdout))).toEqual(new Set([`${after?.accessToken}\n`]))
  }, 90_000)
})

describe('ftauth shuttle revoke', () => {
  beforeAll(() => setUp({autoApprove: true}))
  afterAll(tearDown)
  beforeEach(async () => {
    expect((await login()).code).toBe(0)
    emulator.clearRequests()
  })

  it('revokes the access token, keeps the refresh token, and refresh still works', async () => {
    const before = await stored()
    const result = await sandbox.run(['shuttle', 'revoke'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Revoked the Shuttle access token.*refresh token stays stored/)
    const request = emulator.requests().find((entry) => entry.path === '/shuttle/revoke')!
    expect(request.status).toBe(200)
    expect(formOf(request).get('token')).toBe(before?.accessToken)
    expect(formOf(request).get('token_type_hint')).toBe('access_token')
    expect(basicCredentials(request)).toEqual(['sh_demo_client', DEMO_SECRET])

    const after = await stored()
    expect(JSON.stringify(after)).not.toContain(before!.accessToken)
    expect(after?.refreshToken).toBe(before?.refreshToken)
    const api = await fetch(`${emulator.url}/shuttle/c/api/payment_links`, {headers: {authorization: `Bearer ${before!.accessToken}`}})
    expect(api.status).toBe(401)
    expect((await sandbox.run(['shuttle', 'refresh'])).code).toBe(0)
  })

  it('--refresh revokes the grant and removes the token from the keychain', async () => {
    const before = await stored()
    const result = await sandbox.run(['shuttle', 'revoke', '--refresh', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({revoked: 'refresh_token', removed: 'token'})
    const request = emulator.requests().find((entry) => entry.path === '/shuttle/revoke')!
    expect(formOf(request).get('token')).toBe(before?.refreshToken)
    expect(formOf(request).get('token_type_hint')).toBe('refresh_token')
    expect(await stored()).toBeUndefined()
    const api = await fetch(`${emulator.url}/shuttle/c/api/payment_links`, {headers: {authorization: `Bearer ${before!.accessToken}`}})
    expect(api.status).toBe(401)
  })

  it('keeps the token when the server does not confirm (exit 6)', async () => {
    const before = await storedRaw()
    expect(before).toContain('refreshToken')
    emulator.inject({method: 'POST', path: '/shuttle/revoke', kind: '500', count: 3})
    const result = await sandbox.run(['shuttle', 'revoke', '--refresh'])
    expect(result.code).toBe(6)
    expect(result.stderr).toMatch(/error: Shuttle token revocation failed .*HTTP 500/)
    expect(await storedRaw()).toBe(before)
  })
})
