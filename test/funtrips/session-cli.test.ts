// End to end: the built CLI as a real process against the emulator over HTTP, in a sandbox with its
// own config dir and throwaway keychain service.
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {decodeJwt} from 'jose'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'
import {bodyOf, funtripsCalls, funtripsRequests, storedToken, storedVerifiers} from './helpers.js'

runCliInProcess()

const PUBLIC_KEY = `public.local.${DEMO.funtrips.clientId}`
const BACKEND_KEY = `backend.local.${DEMO.funtrips.clientId}`
const CODE = /^sc_[0-9a-f]{32}$/
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/

let emulator: Emulator
let sandbox: Sandbox

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())
beforeEach(async () => {
  emulator.clearRequests()
  sandbox = await makeSandbox(emulator.url)
})
afterEach(() => sandbox.cleanup())

/** Every secret the emulator issued (codes, bearers) plus the client secret. */
const allSecrets = () => [...emulator.issuedSecrets(), DEMO.funtrips.clientSecret]

describe('ftauth session create --headless', () => {
  it('gets a backend bearer, creates a session and prints the code, its expiry and pkce_required', async () => {
    const result = await sandbox.run(['session', 'create', '--headless'])
    expect(result.code).toBe(0)
    expect(funtripsCalls(emulator)).toEqual(['POST /oauth/token 200', 'POST /v1/session 200'])
    const session = funtripsRequests(emulator).find((request) => request.path === '/funtrips/v1/session')
    // --env local: the demo identity's user, as no --user, FTAUTH_FUNTRIPS_USER or funtrips.userId is set.
    expect(bodyOf(session)).toEqual({integration: 'headless', external_user_id: DEMO.funtrips.userId})
    const code = /session code\s+(\S+)/.exec(result.stdout)?.[1]
    expect(code).toMatch(CODE)
    expect(result.stdout).toMatch(/code expires\s+\d{4}-\d\d-\d\dT\S+Z \(in [45]m/)
    expect(result.stdout).toMatch(/pkce_required\s+false/)
    // Steps on stderr name the code only by its prefix.
    expect(result.stderr).toMatch(/Backend bearer\s+obtained, expires in (1h|59m 5\ds)/)
    expect(result.stderr).toContain(`created ${code!.slice(0, 7)}…`)
    expect(result.stderr).not.toContain(code!)
  })

  it('reuses the cached backend bearer (one token request for two sessions); --fresh gets a new one', async () => {
    expect((await sandbox.run(['session', 'create', '--headless'])).code).toBe(0)
    const second = await sandbox.run(['session', 'create', '--headless'])
    expect(second.code).toBe(0)
    // Steps wrap at 80 columns off a terminal; where the line breaks depends on the clock's digits.
    expect(second.stderr.replace(/\s+/g, ' ')).toMatch(/Backend bearer reused, expires in (1h|59m \d\ds)/)
    expect(funtripsCalls(emulator).filter((call) => call.startsWith('POST /oauth/token'))).toHaveLength(1)
    expect(funtripsCalls(emulator).filter((call) => call.startsWith('POST /v1/session'))).toHaveLength(2)

    const fresh = await sandbox.run(['session', 'create', '--headless', '--fresh'])
    expect(fresh.code).toBe(0)
    expect(fresh.stderr).toMatch(/Backend bearer\s+obtained/)
    expect(funtripsCalls(emulator).filter((call) => call.startsWith('POST /oauth/token'))).toHaveLength(2)
    // The bearer the second session used is the one the keychain holds.
    const stored = (await storedToken(sandbox, BACKEND_KEY))!
    const lastSession = funtripsRequests(emulator)
      .filter((request) => request.path === '/funtrips/v1/session')
      .at(-1)
    expect(lastSession?.headers.authorization).toBe(`Bearer ${stored.accessToken}`)
  })

  it('-q prints only the session code', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '-q'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^sc_[0-9a-f]{32}\n$/)
    expect(result.stderr).toBe('')
  })

  it('--json prints every field the provider returned plus the computed ones', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '--json', '--campaign', 'spring-25'])
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as Record<string, unknown> & {session: Record<string, unknown>}
    const session = funtripsRequests(emulator).find((request) => request.path === '/funtrips/v1/session')
    expect(bodyOf(session)).toEqual({integration: 'headless', external_user_id: DEMO.funtrips.userId, campaign_id: 'spring-25'})
    expect(json).toMatchObject({
      provider: 'funtrips',
      env: 'local',
      profile: 'default',
      integration: 'headless',
      pkce: false,
      backendBearer: {origin: 'new', scopes: ['session:create', 'admin:read']},
    })
    expect(json.session).toEqual({
      session_code: expect.stringMatching(CODE),
      code_expires_at: expect.any(String),
      pkce_required: false,
      integration: 'headless',
      campaign_id: 'spring-25',
      external_user_id: DEMO.funtrips.userId,
    })
    expect(json.codeExpiresAt).toBe(new Date(json.session.code_expires_at as string).toISOString())
    expect(json.codeExpiresInSeconds).toBeGreaterThan(240)
    expect(json.codeExpiresInSeconds).toBeLessThanOrEqual(300)
    // No bearer of any kind in the document.
    for (const secret of emulator.issuedSecrets().filter((value) => JWT.test(value))) expect(result.stdout).not.toContain(secret)
  })
})

describe('ftauth session create --headless --exchange', () => {
  it('runs the whole headless flow; -q prints only the public bearer, which is stored in the keychain', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '--exchange', '-q'])
    expect(result.code).toBe(0)
    expect(funtripsCalls(emulator)).toEqual(['POST /oauth/token 200', 'POST /v1/session 200', 'POST /v1/session/token 200'])
    const token = result.stdout.trimEnd()
    expect(result.stdout).toBe(`${token}\n`)
    expect(token).toMatch(JWT)
    expect(decodeJwt(token)).toMatchObject({typ: 'public', client_id: DEMO.funtrips.clientId})
    const stored = await storedToken(sandbox, PUBLIC_KEY)
    expect(stored).toMatchObject({accessToken: token, env: 'local', meta: {exchangePath: '/v1/session/token', kind: 'public'}})
  })

  it('--json shows claims and expiry but neither the bearer nor the spent code, unless --show', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '--exchange', '--json'])
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as {session: {session_code: string}; publicBearer: Record<string, unknown>}
    expect(json.session.session_code).toMatch(/^sc_[0-9a-f]{4}…$/)
    expect(json.publicBearer).toMatchObject({
      exchangePath: '/v1/session/token',
      tokenType: 'Bearer',
      scopes: ['public', 'merchants:read', 'checkouts:write', 'wallet:read'],
      claims: {typ: 'public', client_id: DEMO.funtrips.clientId},
      stored: {key: `public.local.${DEMO.funtrips.clientId}`, storage: 'keychain'},
      codeVerifierSent: false,
    })
    expect(json.publicBearer.accessToken).toBeUndefined()
    expect(json.publicBearer.expiresInSeconds).toBeGreaterThan(3500)
    for (const secret of allSecrets()) expect(result.stdout).not.toContain(secret)

    const shown = await sandbox.run(['session', 'create', '--headless', '--exchange', '--json', '--show'])
    const token = (JSON.parse(shown.stdout) as {publicBearer: {accessToken: string}}).publicBearer.accessToken
    expect(token).toMatch(JWT)
    expect(await storedToken(sandbox, PUBLIC_KEY)).toMatchObject({accessToken: token})
  })

  it('human output shows a redacted bearer with its claims; --show prints it', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '--exchange'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/token\s+eyJ[\w-]{7}… \(JWT, \d+ chars, signature hidden; --show prints it\)/)
    expect(result.stdout).toMatch(/Claims/)
    expect(result.stdout).toMatch(/typ\s+public/)
    expect(result.stdout).toMatch(/scopes\s+public merchants:read checkouts:write wallet:read/)
    for (const secret of allSecrets()) expect(result.stdout + result.stderr).not.toContain(secret)
    expect(result.stderr).toMatch(/Exchange\s+public bearer issued by \/v1\/session\/token/)
  })

  it('with --trace shows every request but no secret on stderr', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '--pkce', '--exchange', '--trace'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`→ POST ${emulator.url}/funtrips/oauth/token`)
    expect(result.stderr).toContain(`→ POST ${emulator.url}/funtrips/v1/session/token`)
    const exchange = funtripsRequests(emulator).find((request) => request.path === '/funtrips/v1/session/token')
    const verifier = bodyOf(exchange).code_verifier as string
    expect(verifier).toMatch(/^[\w-]{43}$/)
    for (const secret of [...allSecrets(), verifier]) expect(result.stderr).not.toContain(secret)
  })
})

describe('PKCE', () => {
  it('create --pkce sends an S256 challenge and keeps the verifier; exchange sends it and forgets it', async () => {
    const created = await sandbox.run(['session', 'create', '--headless', '--pkce', '-q'])
    expect(created.code).toBe(0)
    const code = created.stdout.trim()
    const session = bodyOf(funtripsRequests(emulator).find((request) => request.path === '/funtrips/v1/session'))
    expect(session).toMatchObject({integration: 'headless', code_challenge_method: 'S256'})
    const pkceEntries = [...(await storedVerifiers(sandbox)).entries()]
    expect(pkceEntries).toHaveLength(1)
    expect(pkceEntries[0]![0]).not.toContain(code)

    const exchanged = await sandbox.run(['session', 'exchange', code, '--json'])
    expect(exchanged.code).toBe(0)
    expect(JSON.parse(exchanged.stdout)).toMatchObject({codeVerifierSent: true, verifierSource: 'stored', sessionCode: `${code.slice(0, 7)}…`})
    const verifier = bodyOf(funtripsRequests(emulator).find((request) => request.path === '/funtrips/v1/session/token')).code_verifier as string
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(session.code_challenge)
    expect((await storedVerifiers(sandbox)).size).toBe(0)
  })

  it('--code-verifier-stdin supplies the verifier of a code made elsewhere; without it the code is refused', async () => {
    const makeCode = async () => (await sandbox.run(['session', 'create', '--headless', '--pkce', '-q'])).stdout.trim()
    const first = await makeCode()
    const [stored] = [...(await storedVerifiers(sandbox)).entries()]
    const verifier = (JSON.parse(stored![1]) as {verifier: string}).verifier
    const second = await makeCode()
    // Another machine (sandbox) has no stored verifier.
    const other = await makeSandbox(emulator.url)
    try {
      const piped = await other.run(['session', 'exchange', first, '--code-verifier-stdin', '--json'], {stdin: verifier})
      expect(piped.code).toBe(0)
      expect(JSON.parse(piped.stdout)).toMatchObject({codeVerifierSent: true, verifierSource: 'stdin'})

      const missing = await other.run(['session', 'exchange', second])
      expect(missing.code).toBe(4)
      expect(missing.stderr).toMatch(/code_verifier is required.*--code-verifier-stdin/)
      expect(missing.stderr).not.toContain(second)
      expect(bodyOf(funtripsRequests(emulator).at(-1))).not.toHaveProperty('code_verifier')
    } finally {
      await other.cleanup()
    }
  })

  it('--code-verifier-stdin needs the code as the argument (exit 2, no request)', async () => {
    const result = await sandbox.run(['session', 'exchange', '--code-verifier-stdin'], {stdin: 'x'.repeat(43)})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/stdin cannot carry both/)
    expect(emulator.requests()).toEqual([])
  })

  it('--webframe --pkce is refused before any request (exit 2)', async () => {
    const result = await sandbox.run(['session', 'create', '--webframe', '--pkce'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/PKCE is not supported/)
    expect(result.stderr).toMatch(/--headless --pkce/)
    expect(emulator.requests()).toEqual([])
  })
})

describe('ftauth session create --webframe', () => {
  it('builds the frame URL by merging session_code into its existing query', async () => {
    const result = await sandbox.run(['session', 'create', '--webframe', '--json'])
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as {session: {session_code: string; frame_url: string}; frameUrl: string}
    expect(json.session.frame_url).toBe(`${emulator.url}/funtrips/frame?theme=light`)
    expect(json.frameUrl).toBe(`${emulator.url}/funtrips/frame?theme=light&session_code=${json.session.session_code}`)
    const human = await sandbox.run(['session', 'create', '--webframe'])
    expect(human.stdout).toMatch(new RegExp(`open\\s+${emulator.url.replace(/\./g, '\\.')}/funtrips/frame\\?theme=light&session_code=sc_[0-9a-f]{32}`))
  })

  it('--open hands the URL to $BROWSER; the frame redeems the code, which is then used', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftauth-browser-'))
    try {
      const script = join(dir, 'browser.mjs')
      const log = join(dir, 'opened.log')
      // A stand-in browser: loads the page like a browser would and notes what it saw.
      await writeFile(
        script,
        `import {appendFileSync} from 'node:fs'
const url = process.argv[2]
const response = await fetch(url)
const page = await response.text()
appendFileSync(${JSON.stringify(log)}, JSON.stringify({url, status: response.status, signedIn: page.includes('Signed in as')}) + '\\n')
`,
      )
      const result = await sandbox.run(['session', 'create', '--webframe', '--open', '--json'], {env: {BROWSER: `"${process.execPath}" "${script}"`}})
      expect(result.code).toBe(0)
      const json = JSON.parse(result.stdout) as {session: {session_code: string}; frameUrl: string; opened: string}
      expect(json.opened).toMatch(/^BROWSER=/)
      const opened = JSON.parse((await readFile(log, 'utf8')).trim()) as {url: string; status: number; signedIn: boolean}
      expect(opened).toEqual({url: json.frameUrl, status: 200, signedIn: true})
      expect(funtripsCalls(emulator).at(-1)).toBe('GET /frame 200')

      const exchange = await sandbox.run(['session', 'exchange', json.session.session_code])
      expect(exchange.code).toBe(4)
      expect(exchange.stderr).toMatch(/already used/)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('--open and --exchange need the right integration (exit 2, no request)', async () => {
    expect((await sandbox.run(['session', 'create', '--headless', '--open'])).code).toBe(2)
    expect((await sandbox.run(['session', 'create', '--webframe', '--exchange'])).code).toBe(2)
    const none = await sandbox.run(['session', 'create'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/choose the integration: --headless or --webframe/)
    expect(emulator.requests()).toEqual([])
  })
})

describe('ftauth session exchange', () => {
  it('reads the code from stdin: create -q | exchange -q', async () => {
    const created = await sandbox.run(['session', 'create', '--headless', '-q'])
    const exchanged = await sandbox.run(['session', 'exchange', '-q'], {stdin: created.stdout})
    expect(exchanged.code).toBe(0)
    expect(exchanged.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    expect(bodyOf(funtripsRequests(emulator).find((request) => request.path === '/funtrips/v1/session/token'))).toMatchObject({
      session_code: created.stdout.trim(),
      client_id: DEMO.funtrips.clientId,
    })
    const stored = await storedToken(sandbox, PUBLIC_KEY)
    expect(stored?.accessToken).toBe(exchanged.stdout.trim())
    // `-` reads stdin too.
    const next = await sandbox.run(['session', 'create', '--headless', '-q'])
    expect((await sandbox.run(['session', 'exchange', '-', '-q'], {stdin: next.stdout})).code).toBe(0)
  })

  it('refuses an empty stdin before sending anything (exit 2)', async () => {
    const result = await sandbox.run(['session', 'exchange'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/no session code/)
    expect(emulator.requests()).toEqual([])
  })

  it('a used code exits 4 naming only its prefix, and is not sent again by ftauth', async () => {
    const code = (await sandbox.run(['session', 'create', '--headless', '-q'])).stdout.trim()
    expect((await sandbox.run(['session', 'exchange', code, '-q'])).code).toBe(0)
    const again = await sandbox.run(['session', 'exchange', code, '--trace'])
    expect(again.code).toBe(4)
    expect(again.stderr).toMatch(
      new RegExp(`session code ${code.slice(0, 7)}… was already used at \\d\\d:\\d\\d:\\d\\d \\(.+ ago\\).*run \`ftauth session create\` again`),
    )
    for (const secret of allSecrets()) expect(again.stderr).not.toContain(secret)
    // One request per exchange: the failed one was neither retried nor sent to the other path.
    expect(funtripsCalls(emulator).filter((call) => call.includes('/v1/session/token') || call.includes('/v1/oauth/token'))).toEqual([
      'POST /v1/session/token 200',
      'POST /v1/session/token 400',
    ])
  })

  it('an expired code exits 4 with its expiry time', async () => {
    const code = (await sandbox.run(['session', 'create', '--headless', '-q'])).stdout.trim()
    emulator.advanceClock(301 + 120)
    const result = await sandbox.run(['session', 'exchange', code, '--json'])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(
      new RegExp(`session code ${code.slice(0, 7)}… expired at \\d\\d:\\d\\d:\\d\\d \\(2m( \\d+s)? ago\\) — run \`ftauth session create\` again`),
    )
    expect(result.stderr).not.toContain(code)
    expect(JSON.parse(result.stdout)).toMatchObject({error: {exitCode: 4, status: 400, exchangePath: '/v1/session/token'}})
    expect(result.stdout).not.toContain(code)
  })

  it('a wrong client secret exits 3 without spending the code, and is never printed', async () => {
    const code = (await sandbox.run(['session', 'create', '--headless', '-q'])).stdout.trim()
    const wrong = 'not-the-funtrips-secret-42'
    const rejected = await sandbox.run(['session', 'exchange', code, '--trace'], {env: {FTAUTH_FUNTRIPS_CLIENT_SECRET: wrong}})
    expect(rejected.code).toBe(3)
    expect(rejected.stderr).toMatch(/rejected the client credentials.*HTTP 401/)
    expect(rejected.stderr).not.toContain(wrong)
    expect(rejected.stderr).not.toContain(code)
    expect((await sandbox.run(['session', 'exchange', code, '-q'])).code).toBe(0)
  })

  it('a wrong client secret stops session create at the backend bearer (exit 3)', async () => {
    const wrong = 'not-the-funtrips-secret-42'
    const result = await sandbox.run(['session', 'create', '--headless', '--trace'], {env: {FTAUTH_FUNTRIPS_CLIENT_SECRET: wrong}})
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/invalid_client/)
    expect(result.stderr).not.toContain(wrong)
    expect(funtripsCalls(emulator)).toEqual(['POST /oauth/token 401'])
  })
})

describe('exchange path fallback (the docs name /v1/session/token and /v1/oauth/token)', () => {
  let oauthOnly: Emulator
  beforeAll(async () => {
    oauthOnly = await startEmulator({port: 0, funtripsExchangePaths: ['oauth']})
  })
  afterAll(() => oauthOnly.close())

  it('tries /v1/session/token, and /v1/oauth/token only after its 404, saying which answered', async () => {
    const local = await makeSandbox(oauthOnly.url)
    try {
      const result = await local.run(['session', 'create', '--headless', '--exchange', '--json'])
      expect(result.code).toBe(0)
      expect(funtripsCalls(oauthOnly).slice(-2)).toEqual(['POST /v1/session/token 404', 'POST /v1/oauth/token 200'])
      expect(JSON.parse(result.stdout)).toMatchObject({
        publicBearer: {exchangePath: '/v1/oauth/token', exchange: {path: '/v1/oauth/token', field: 'code', choice: 'fallback'}},
      })
      // The next run goes straight to what the server accepted, and says so.
      const human = await local.run(['session', 'create', '--headless', '--exchange'])
      expect(funtripsCalls(oauthOnly).slice(-1)).toEqual(['POST /v1/oauth/token 200'])
      expect(human.stderr).toMatch(/public bearer issued by \/v1\/oauth\/token \(code as code, remembered\)/)
      expect(human.stdout).toMatch(/exchanged at\s+\/v1\/oauth\/token \(code as code, remembered\)/)
    } finally {
      await local.cleanup()
    }
  })

  it('uses the profile exchangePath alone', async () => {
    const local = await makeSandbox(oauthOnly.url)
    try {
      const config = {version: 1, profiles: {default: {funtrips: {urls: {local: {exchangePath: '/v1/oauth/token'}}}}}}
      await writeFile(join(local.configDir, 'config.json'), JSON.stringify(config))
      oauthOnly.clearRequests()
      const result = await local.run(['session', 'create', '--headless', '--exchange', '-q'])
      expect(result.code).toBe(0)
      expect(funtripsCalls(oauthOnly)).toEqual(['POST /oauth/token 200', 'POST /v1/session 200', 'POST /v1/oauth/token 200'])
    } finally {
      await local.cleanup()
    }
  })
})

describe('the session user and the code lifetime', () => {
  it("--user and --code-ttl: sends external_user_id and code_ttl; the printed expiry is the server's, ~120 s", async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '--user', 'alice@example.com', '--code-ttl', '120', '--json'])
    expect(result.code).toBe(0)
    const session = funtripsRequests(emulator).find((request) => request.path === '/funtrips/v1/session')
    expect(bodyOf(session)).toEqual({integration: 'headless', external_user_id: 'alice@example.com', code_ttl: 120})
    const json = JSON.parse(result.stdout) as {userId: string; codeExpiresInSeconds: number; session: {code_expires_at: string}}
    expect(json.userId).toBe('alice@example.com')
    expect(json.codeExpiresInSeconds).toBeGreaterThan(110)
    // Rounded against the server's clock: a second either side.
    expect(json.codeExpiresInSeconds).toBeLessThanOrEqual(121)
  })

  it("takes the user from FTAUTH_FUNTRIPS_USER, then the profile's funtrips.userId", async () => {
    expect((await sandbox.run(['config', 'set', 'funtrips.userId', 'profile@example.com'])).code).toBe(0)
    expect((await sandbox.run(['session', 'create', '--headless', '-q'])).code).toBe(0)
    expect((await sandbox.run(['session', 'create', '--headless', '-q'], {env: {FTAUTH_FUNTRIPS_USER: 'env@example.com'}})).code).toBe(0)
    const users = funtripsRequests(emulator)
      .filter((request) => request.path === '/funtrips/v1/session')
      .map((request) => bodyOf(request).external_user_id)
    expect(users).toEqual(['profile@example.com', 'env@example.com'])
  })

  it.each([
    [['--code-ttl', '30'], /--code-ttl 30 is outside 60–900 seconds/],
    [['--code-ttl', '901'], /--code-ttl 901 is outside 60–900 seconds/],
    [['--user', ''], /--user is empty/],
    [['--user', 'x'.repeat(129)], /--user is 129 characters; Funtrips takes 1–128/],
  ])('refuses %j with exit 2 and sends nothing', async (flags, message) => {
    const result = await sandbox.run(['session', 'create', '--headless', ...flags])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(emulator.requests()).toEqual([])
  })

  it('without any user outside local: exit 2 naming --user, FTAUTH_FUNTRIPS_USER and funtrips.userId, nothing sent', async () => {
    const result = await sandbox.run(['session', 'create', '--headless'], {
      env: {FTAUTH_ENV: 'sandbox', FTAUTH_FUNTRIPS_API_URL: `${emulator.url}/funtrips`, FTAUTH_FUNTRIPS_AUTH_URL: `${emulator.url}/funtrips`},
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--user')
    expect(result.stderr).toContain('FTAUTH_FUNTRIPS_USER')
    expect(result.stderr).toContain('funtrips.userId')
    expect(emulator.requests()).toEqual([])
  })
})
