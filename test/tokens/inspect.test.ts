// `ftauth token inspect` end to end: tokens from stdin, @file, env:VAR and the store; opaque tokens;
// argv tokens refused; --verify against the emulator's JWKS; the token never printed unless --show.
import {exportJWK, generateKeyPair, SignJWT} from 'jose'
import {afterEach, describe, expect, it, vi} from 'vitest'

import {DEMO} from '../../src/emulator/index.js'
import {calls, makeWorld, shuttleLogin, type World} from '../call/helpers.js'
import {fluzToken, tamper, tokenFile} from './helpers.js'
import {runCliInProcess} from '../helpers/cli.js'

runCliInProcess()

// Each test runs several CLI processes against one shared Secret Service: allow for a loaded machine.
vi.setConfig({testTimeout: 180_000, hookTimeout: 120_000})

let world: World
afterEach(() => world?.close())

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z/
/** Human output shows instants to the second. */
const HUMAN_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/

interface InspectJson {
  origin: string
  kind: 'jwt' | 'opaque'
  length: number
  header?: Record<string, unknown>
  claims?: Record<string, unknown>
  provider: string
  issuer?: string
  audience?: string
  subject?: string
  scopes: string[]
  issuedAt?: string
  expiresAt?: string
  expired?: boolean
  secondsLeft?: number
  lifetimeSeconds?: number
  environment: {verdict: string; reasons: string[]}
  verification?: {verified: boolean; jwksUrl: string; algorithm: string}
  token?: string
}

describe('ftauth token inspect', () => {
  it('decodes a JWT from stdin: issuer, audience, subject, scopes, issued/expiry, lifetime and the environment verdict', async () => {
    world = await makeWorld()
    const token = await fluzToken(world, 'sandbox')
    for (const args of [
      ['token', 'inspect', '-'],
      ['token', 'inspect'],
    ]) {
      const result = await world.run(args, {stdin: `${token}\n`, env: {COLUMNS: '300'}})
      expect(result.code, result.stderr).toBe(0)
      const out = result.stdout
      expect(out).toMatch(/^JWT from stdin · \d+ chars · fluz\s+SANDBOX/)
      expect(out).toMatch(new RegExp(`issuer\\s+${world.emulator.url}/fluz/sandbox\\n`))
      expect(out).toMatch(/audience\s+"fluz-api"/)
      expect(out).toMatch(new RegExp(`subject\\s+${DEMO.fluz.userId}`))
      expect(out).toMatch(/scopes\s+LIST_OFFERS\n/)
      expect(out).toMatch(new RegExp(`issued\\s+${HUMAN_ISO.source} \\(`))
      expect(out).toMatch(new RegExp(`expires\\s+${HUMAN_ISO.source} \\(in (9m|10m)`))
      expect(out).toMatch(/lifetime\s+10m\n/)
      expect(out).toMatch(/environment\s+sandbox — env claim is "sandbox"; .*a 10-minute Fluz token is sandbox/)
      expect(out).toMatch(/claims\n/)
      expect(out + result.stderr).not.toContain(token)
    }
  })

  it('--json has the decoded report and no token', async () => {
    world = await makeWorld()
    const token = await fluzToken(world, 'production', 'LIST_OFFERS,LIST_PURCHASES')
    const result = await world.run(['token', 'inspect', '-', '--json'], {stdin: token})
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as InspectJson
    expect(report).toMatchObject({
      origin: 'stdin',
      kind: 'jwt',
      length: token.length,
      header: {alg: 'RS256', typ: 'JWT'},
      provider: 'fluz',
      issuer: `${world.emulator.url}/fluz/production`,
      audience: 'fluz-api',
      subject: DEMO.fluz.userId,
      scopes: ['LIST_OFFERS', 'LIST_PURCHASES'],
      expired: false,
      lifetimeSeconds: 180,
      environment: {verdict: 'production'},
    })
    expect(report.environment.reasons).toContain('a 3-minute Fluz token is production')
    expect(report.claims).toMatchObject({env: 'production', account_id: DEMO.fluz.accountId})
    expect(report.expiresAt).toMatch(ISO)
    expect(report.issuedAt).toMatch(ISO)
    expect(report.secondsLeft).toBeGreaterThan(0)
    expect(report).not.toHaveProperty('token')
    expect(result.stdout + result.stderr).not.toContain(token)
  })

  it('-q prints the expiry only', async () => {
    world = await makeWorld()
    const token = await fluzToken(world, 'sandbox')
    const result = await world.run(['token', 'inspect', '-', '-q'], {stdin: token})
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(new RegExp(`^${ISO.source}\\n$`))
  })

  it('reads stored tokens: fluz, fluz:local, shuttle and funtrips', async () => {
    world = await makeWorld()
    const fluz = await fluzToken(world, 'sandbox')
    await shuttleLogin(world)
    expect((await world.run(['call', '--provider', 'funtrips', '/v1/merchants'])).code).toBe(0)

    for (const ref of ['fluz', 'fluz:local']) {
      const result = await world.run(['token', 'inspect', ref, '--json'])
      expect(result.code, result.stderr).toBe(0)
      const report = JSON.parse(result.stdout) as InspectJson
      expect(report.origin).toBe('stored fluz (local)')
      expect(report).toMatchObject({kind: 'jwt', provider: 'fluz', scopes: ['LIST_OFFERS'], length: fluz.length})
      expect(report.environment.reasons).toContain('stored for the local environment')
    }

    const shuttle = await world.run(['token', 'inspect', 'shuttle'])
    expect(shuttle.code, shuttle.stderr).toBe(0)
    expect(shuttle.stdout).toMatch(/^JWT from stored shuttle \(local\) · \d+ chars · shuttle\s+LOCAL/)
    expect(shuttle.stdout).toMatch(/scopes\s+read write\n/)
    expect(shuttle.stdout).toMatch(/lifetime\s+1h\n/)
    expect(shuttle.stdout).toMatch(/subject\s+inst_demo_7k2m9d/)

    const funtrips = await world.run(['token', 'inspect', 'funtrips', '--json'])
    expect(funtrips.code, funtrips.stderr).toBe(0)
    // The public bearer is preferred over the backend bearer that the flow also cached.
    expect(JSON.parse(funtrips.stdout)).toMatchObject({provider: 'funtrips', claims: {typ: 'public'}, environment: {verdict: 'local'}})

    for (const text of [shuttle.stdout, shuttle.stderr, funtrips.stdout, funtrips.stderr]) {
      for (const secret of world.emulator.issuedSecrets()) expect(text).not.toContain(secret)
    }
  })

  it('a stored reference with nothing stored is exit 2 naming the command that gets one', async () => {
    world = await makeWorld()
    const result = await world.run(['token', 'inspect', 'shuttle'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('no stored shuttle token for local in profile default')
    expect(result.stderr).toContain('ftauth shuttle login --env local')
  })

  it('reports an opaque token as opaque (from @file)', async () => {
    world = await makeWorld()
    const opaque = 'rt_0123456789abcdef0123456789abcdef'
    const file = await tokenFile(world, 'opaque.txt', opaque)
    const result = await world.run(['token', 'inspect', `@${file}`])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`Opaque token from @${file} · ${opaque.length} chars`)
    expect(result.stdout).toMatch(/environment\s+unknown — opaque token: nothing inside to tell/)
    expect(result.stdout + result.stderr).not.toContain(opaque)

    const json = JSON.parse((await world.run(['token', 'inspect', `@${file}`, '--json'])).stdout) as InspectJson
    expect(json).toEqual({
      schemaVersion: 1,
      origin: `@${file}`,
      kind: 'opaque',
      length: opaque.length,
      provider: 'unknown',
      scopes: [],
      environment: {verdict: 'unknown', reasons: ['opaque token: nothing inside to tell']},
    })

    const verify = await world.run(['token', 'inspect', `@${file}`, '--verify'])
    expect(verify.code).toBe(0)
    expect(verify.stderr).toContain('an opaque token has no signature to verify')
  })

  it('reads env:VAR; an empty one is exit 2', async () => {
    world = await makeWorld()
    const token = await fluzToken(world, 'sandbox')
    const result = await world.run(['token', 'inspect', 'env:MY_TOKEN'], {env: {MY_TOKEN: `Bearer ${token}`}})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^JWT from env:MY_TOKEN/)
    const empty = await world.run(['token', 'inspect', 'env:NOT_SET_ANYWHERE'])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('environment variable NOT_SET_ANYWHERE is empty')
  })

  it('refuses a token given as an argument (exit 2) without echoing it', async () => {
    world = await makeWorld()
    const token = await fluzToken(world, 'sandbox')
    for (const ref of [token, 'opaque-secret-value-123']) {
      const result = await world.run(['token', 'inspect', ref])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain('tokens are not accepted as arguments (ps and shell history would keep them)')
      expect(result.stderr).not.toContain(ref)
    }
    const typo = await world.run(['token', 'inspect', 'fluz:prod'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('unknown environment after fluz:')
    expect(typo.stderr).toContain('fluz:production')
  })

  it('an empty stdin is exit 2', async () => {
    world = await makeWorld()
    const result = await world.run(['token', 'inspect', '-'], {stdin: '\n'})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('the token input is empty')
  })

  it('--show prints the token (and -q --show only the token); without it the token appears nowhere', async () => {
    world = await makeWorld()
    const token = await fluzToken(world, 'sandbox')
    const shown = await world.run(['token', 'inspect', '-', '--show'], {stdin: token})
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain(`token\n${token}\n`)
    const quiet = await world.run(['token', 'inspect', '-', '--show', '-q'], {stdin: token})
    expect(quiet.stdout).toBe(`${token}\n`)
    const json = await world.run(['token', 'inspect', '-', '--show', '--json'], {stdin: token})
    expect((JSON.parse(json.stdout) as InspectJson).token).toBe(token)

    for (const args of [[], ['--json'], ['-q'], ['--verify'], ['--verify', '--json'], ['--trace']]) {
      const result = await world.run(['token', 'inspect', '-', ...args], {stdin: token})
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout + result.stderr).not.toContain(token)
      // Not even its signature part (a partial leak).
      expect(result.stdout + result.stderr).not.toContain(token.split('.')[2])
    }
  })
})

describe('ftauth token inspect --verify', () => {
  it("checks the signature against the issuer's JWKS on the emulator", async () => {
    world = await makeWorld()
    const token = await fluzToken(world, 'sandbox')
    world.emulator.clearRequests()
    const result = await world.run(['token', 'inspect', '-', '--verify'], {stdin: token, env: {COLUMNS: '200'}})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`signature    valid (RS256, ${world.emulator.url}/fluz/sandbox/.well-known/jwks.json)`)
    expect(calls(world.emulator)).toEqual(['GET /fluz/sandbox/.well-known/jwks.json 200'])

    const json = await world.run(['token', 'inspect', '-', '--verify', '--json'], {stdin: token})
    expect((JSON.parse(json.stdout) as InspectJson).verification).toEqual({
      verified: true,
      jwksUrl: `${world.emulator.url}/fluz/sandbox/.well-known/jwks.json`,
      algorithm: 'RS256',
      trustedAs: {provider: 'fluz', env: 'local'},
    })
  })

  it('a tampered token fails (exit 3)', async () => {
    world = await makeWorld()
    const token = await fluzToken(world, 'sandbox')
    const forged = tamper(token, {scopes: ['LIST_OFFERS', 'MAKE_WIDTHDRAW']})
    const result = await world.run(['token', 'inspect', '-', '--verify'], {stdin: forged})
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(`error: the token does NOT verify against ${world.emulator.url}/fluz/sandbox/.well-known/jwks.json`)
    expect(result.stdout).toBe('')
    expect(result.stderr).not.toContain(forged)
  })

  it('a token signed by another key fails (exit 3): no key in the JWKS matches', async () => {
    world = await makeWorld()
    const {privateKey, publicKey} = await generateKeyPair('RS256')
    const kid = 'not-the-emulators-key'
    expect((await exportJWK(publicKey)).kty).toBe('RSA')
    const forged = await new SignJWT({scope: 'read write'})
      .setProtectedHeader({alg: 'RS256', kid})
      .setIssuer(`${world.emulator.url}/shuttle`)
      .setAudience('shuttle-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey)
    const result = await world.run(['token', 'inspect', '-', '--verify'], {stdin: forged})
    expect(result.code).toBe(3)
    expect(result.stderr).toContain("matches the token's kid")
  })

  it('an expired token with a valid signature is exit 4', async () => {
    world = await makeWorld()
    world.emulator.advanceClock(-7200) // issued two hours ago by the emulator's clock
    const token = await fluzToken(world, 'sandbox')
    const result = await world.run(['token', 'inspect', '-', '--verify'], {stdin: token})
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('the signature is valid but the token expired')
  })
})
