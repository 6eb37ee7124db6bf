// The pure pieces of `ftauth token`: decoding and the environment verdict (on tokens signed here
// with jose), the diff rows, and signature verification against the emulator's JWKS (in process).
import {generateKeyPair, SignJWT, type JWTPayload} from 'jose'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FtauthError} from '../../src/core/errors.js'
import type {CacheEntry} from '../../src/core/token-cache.js'
import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {diffReports, inspectToken} from '../../src/tokens/inspect.js'
import {verifyToken} from '../../src/tokens/verify.js'
import {inProcessDeps, type InProcessDeps} from '../helpers/deps.js'
import {tamper} from './helpers.js'

const NOW = new Date('2025-06-01T12:00:00.000Z')
const nowSeconds = NOW.getTime() / 1000
const keys = await generateKeyPair('RS256')

/** A JWT issued at NOW − 60 s with the given lifetime. */
function sign(claims: JWTPayload & Record<string, unknown>, lifetimeSeconds: number): Promise<string> {
  const iat = nowSeconds - 60
  return new SignJWT(claims)
    .setProtectedHeader({alg: 'RS256', typ: 'JWT'})
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetimeSeconds)
    .sign(keys.privateKey)
}

describe('inspectToken', () => {
  it('reads issuer, audience, subject, scopes, times and lifetime from a JWT', async () => {
    const token = await sign(
      {iss: 'https://transactional-graph.staging.fluzapp.com', aud: ['fluz-api'], sub: 'user-1', scopes: ['LIST_OFFERS', 'LIST_PURCHASES']},
      600,
    )
    const report = inspectToken(token, NOW)
    expect(report).toMatchObject({
      kind: 'jwt',
      length: token.length,
      header: {alg: 'RS256', typ: 'JWT'},
      provider: 'fluz',
      issuer: 'https://transactional-graph.staging.fluzapp.com',
      audience: ['fluz-api'],
      subject: 'user-1',
      scopes: ['LIST_OFFERS', 'LIST_PURCHASES'],
      issuedAt: '2025-06-01T11:59:00.000Z',
      expiresAt: '2025-06-01T12:09:00.000Z',
      expired: false,
      secondsLeft: 540,
      lifetimeSeconds: 600,
    })
  })

  it('tells a 10-minute Fluz token is sandbox and a 3-minute one production, from the lifetime alone', async () => {
    // A host that says nothing either way: only the lifetime can decide.
    const sandbox = inspectToken(await sign({iss: 'fluz'}, 600), NOW)
    expect(sandbox.environment).toEqual({verdict: 'sandbox', reasons: ['a 10-minute Fluz token is sandbox']})
    const production = inspectToken(await sign({iss: 'fluz'}, 180), NOW)
    expect(production.environment).toEqual({verdict: 'production', reasons: ['a 3-minute Fluz token is production']})
    expect(inspectToken(await sign({iss: 'fluz'}, 3600), NOW).environment.verdict).toBe('unknown')
  })

  it('judges by the issuer host: sandbox hosts, production hosts, loopback', async () => {
    const verdict = async (iss: string) => inspectToken(await sign({iss, scope: 'read'}, 3600), NOW).environment
    expect(await verdict('https://merchant.shuttlestaging.com')).toMatchObject({
      verdict: 'sandbox',
      reasons: ['issuer host merchant.shuttlestaging.com is a sandbox host'],
    })
    expect(await verdict('https://api.acc.funtrips.io/acc')).toMatchObject({verdict: 'sandbox'})
    expect(await verdict('https://merchant.shuttleglobal.com')).toMatchObject({
      verdict: 'production',
      reasons: ['issuer host merchant.shuttleglobal.com is not a sandbox host'],
    })
    expect(await verdict('http://127.0.0.1:7787/shuttle')).toMatchObject({verdict: 'local'})
  })

  it('an env claim beats loopback: the emulator serving Fluz production is production', async () => {
    const report = inspectToken(await sign({iss: 'http://127.0.0.1:7787/fluz/production', env: 'production'}, 180), NOW)
    expect(report.environment.verdict).toBe('production')
    expect(report.environment.reasons).toEqual([
      'env claim is "production"',
      'issuer host 127.0.0.1 is loopback (the emulator)',
      'a 3-minute Fluz token is production',
    ])
  })

  it('reports an expired JWT as expired, with negative seconds left', async () => {
    const report = inspectToken(await sign({iss: 'https://api.funtrips.io/prod'}, 30), NOW)
    expect(report).toMatchObject({provider: 'funtrips', expired: true, secondsLeft: -30, lifetimeSeconds: 30})
  })

  it('treats iat/exp that no date can hold, or that are not numbers, as absent instead of throwing', async () => {
    const header = Buffer.from(JSON.stringify({alg: 'RS256'})).toString('base64url')
    const payload = Buffer.from(JSON.stringify({iat: 1e22, exp: '2030-01-01', iss: 'https://x.fluzapp.com'})).toString('base64url')
    const report = inspectToken(`${header}.${payload}.AAAA`, NOW)
    expect(report).toMatchObject({kind: 'jwt', provider: 'fluz'})
    expect(report).not.toHaveProperty('issuedAt')
    expect(report).not.toHaveProperty('expiresAt')
    expect(report).not.toHaveProperty('lifetimeSeconds')
    expect(() => JSON.stringify(report)).not.toThrow()
  })

  it('reports an opaque token as such, with what the cache knows of it', () => {
    expect(inspectToken('opaque-abc', NOW)).toEqual({
      kind: 'opaque',
      length: 10,
      provider: 'unknown',
      scopes: [],
      environment: {verdict: 'unknown', reasons: ['opaque token: nothing inside to tell']},
    })
    const cached: CacheEntry = {
      key: 'k',
      profile: 'default',
      provider: 'fluz',
      env: 'production',
      scopes: ['LIST_OFFERS'],
      expiresAt: '2025-06-01T12:03:00.000Z',
      obtainedAt: '2025-06-01T12:00:00.000Z',
      meta: {},
    } as unknown as CacheEntry
    expect(inspectToken('opaque-abc', NOW, cached)).toEqual({
      kind: 'opaque',
      length: 10,
      provider: 'fluz',
      scopes: ['LIST_OFFERS'],
      expiresAt: '2025-06-01T12:03:00.000Z',
      expired: false,
      secondsLeft: 180,
      environment: {verdict: 'production', reasons: ['stored for the production environment']},
    })
  })
})

describe('diffReports', () => {
  it('puts environment, iss, aud, sub, scopes and lifetime first, then every other claim (env included)', async () => {
    const a = inspectToken(await sign({iss: 'https://x.staging.fluzapp.com', aud: 'fluz-api', scopes: ['B', 'A'], env: 'sandbox', extra: 1}, 600), NOW)
    const b = inspectToken(await sign({iss: 'https://x.fluzapp.com', aud: 'fluz-api', scope: 'A B', env: 'production'}, 180), NOW)
    const rows = diffReports(a, b)
    expect(rows.map((row) => row.claim)).toEqual(['environment', 'iss', 'aud', 'sub', 'scopes', 'lifetime', 'env', 'exp', 'extra', 'iat'])
    const row = (claim: string) => rows.find((entry) => entry.claim === claim)
    expect(row('environment')).toEqual({claim: 'environment', a: 'sandbox', b: 'production', same: false, key: true})
    expect(row('lifetime')).toEqual({claim: 'lifetime', a: 600, b: 180, same: false, key: true})
    // The same scopes in another claim spelling and order are the same scopes.
    expect(row('scopes')).toEqual({claim: 'scopes', a: 'A B', b: 'A B', same: true, key: true})
    expect(row('aud')).toMatchObject({same: true})
    expect(row('sub')).toEqual({claim: 'sub', a: undefined, b: undefined, same: true, key: true})
    expect(row('env')).toEqual({claim: 'env', a: 'sandbox', b: 'production', same: false, key: false})
    expect(row('extra')).toEqual({claim: 'extra', a: 1, b: undefined, same: false, key: false})
    expect(row('iat')).toMatchObject({same: true})
  })
})

describe('verifyToken (emulator JWKS)', () => {
  let emulator: Emulator
  let backendToken: string
  let world: InProcessDeps
  const verifyAgainstIssuer = (token: string, issuer: string | undefined, timeoutMs: number, pinnedJwks?: string) =>
    verifyToken(world.deps, token, issuer, {timeoutMs, pinnedJwks})

  beforeAll(async () => {
    emulator = await startEmulator({port: 0})
    world = await inProcessDeps(emulator.url)
    const response = await fetch(`${emulator.url}/funtrips/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${DEMO.funtrips.clientId}:${DEMO.funtrips.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    })
    backendToken = ((await response.json()) as {access_token: string}).access_token
  })
  afterAll(async () => {
    await world.cleanup()
    await emulator.close()
  })

  const exitCodeOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(FtauthError)
    return (error as FtauthError).exitCode
  }

  it('verifies against <iss>/.well-known/jwks.json', async () => {
    expect(await verifyAgainstIssuer(backendToken, `${emulator.url}/funtrips`, 5000)).toEqual({
      verified: true,
      jwksUrl: `${emulator.url}/funtrips/.well-known/jwks.json`,
      algorithm: 'RS256',
      trustedAs: {provider: 'funtrips', env: 'local'},
    })
  })

  it('a changed claim (exit 3), a foreign key (exit 3), no issuer (exit 3), an unreachable issuer (exit 5)', async () => {
    expect(
      await exitCodeOf(verifyAgainstIssuer(tamper(backendToken, {scope: 'session:create admin:read admin:write'}), `${emulator.url}/funtrips`, 5000)),
    ).toBe(3)
    const foreign = await new SignJWT({})
      .setProtectedHeader({alg: 'RS256', kid: 'elsewhere'})
      .setIssuer(`${emulator.url}/funtrips`)
      .setExpirationTime('1h')
      .sign(keys.privateKey)
    expect(await exitCodeOf(verifyAgainstIssuer(foreign, `${emulator.url}/funtrips`, 5000))).toBe(3)
    expect(await exitCodeOf(verifyAgainstIssuer(backendToken, undefined, 5000))).toBe(3)
    expect(await exitCodeOf(verifyAgainstIssuer(backendToken, 'not a url', 5000))).toBe(3)
    // An issuer on no host of this profile is not even fetched from (exit 3), unless pinned with --jwks.
    expect(await exitCodeOf(verifyAgainstIssuer(backendToken, 'http://127.0.0.1:9/funtrips', 2000))).toBe(3)
    expect(await exitCodeOf(verifyAgainstIssuer(backendToken, undefined, 2000, 'http://127.0.0.1:9/funtrips/.well-known/jwks.json'))).toBe(5)
  })

  it('an issuer that is not the one in the token fails (exit 3)', async () => {
    // The JWKS at /shuttle holds the same key, but the iss claim says /funtrips.
    expect(await exitCodeOf(verifyAgainstIssuer(backendToken, `${emulator.url}/shuttle`, 5000))).toBe(3)
  })
})
