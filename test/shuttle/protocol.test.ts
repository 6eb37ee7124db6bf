import {connect} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ExitCode, FtauthError} from '../../src/core/errors.js'
import {DEFAULT_SHUTTLE_REDIRECT, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {displayAvailable, runBrowserCommand, splitCommand} from '../../src/core/browser.js'
import {interpretCallback, parsePasted} from '../../src/providers/shuttle/callback.js'
import {resolveShuttleClient} from '../../src/providers/shuttle/client-auth.js'
import {startLoopback} from '../../src/providers/shuttle/loopback.js'
import {codeChallengeS256, generateCodeVerifier} from '../../src/core/pkce.js'
import {buildAuthorizationUrl, exchangeCode, generateState, refresh, revoke} from '../../src/providers/shuttle/oauth.js'
import {DEFAULT_REDIRECT_URI, planRedirect} from '../../src/providers/shuttle/redirect.js'
import {formOf, inProcessDeps, portIsFree, tokenRequests, type InProcess} from './helpers.js'

async function exitCodeOf(promise: Promise<unknown> | (() => unknown)): Promise<number | undefined> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    if (error instanceof FtauthError) return error.exitCode
    throw error
  }
  return undefined
}

describe('buildAuthorizationUrl', () => {
  const base = {
    authorizationEndpoint: 'https://merchant.shuttleglobal.com/authorize',
    clientId: 'client-1',
    redirectUri: 'http://127.0.0.1:8765/callback',
    state: 'state-0123456789abcdef',
  }

  it('sends response_type=code, the redirect under both names, scope, state and an S256 challenge', () => {
    const verifier = generateCodeVerifier()
    const url = buildAuthorizationUrl({...base, scope: 'read write', codeChallenge: codeChallengeS256(verifier)})
    expect(url.origin + url.pathname).toBe('https://merchant.shuttleglobal.com/authorize')
    const q = url.searchParams
    expect(q.get('response_type')).toBe('code')
    expect(q.get('client_id')).toBe('client-1')
    expect(q.get('redirect_url')).toBe('http://127.0.0.1:8765/callback')
    expect(q.get('redirect_uri')).toBe('http://127.0.0.1:8765/callback')
    expect(q.get('scope')).toBe('read write')
    expect(q.get('state')).toBe('state-0123456789abcdef')
    expect(q.get('code_challenge')).toBe(codeChallengeS256(verifier))
    expect(q.get('code_challenge_method')).toBe('S256')
  })

  it('omits PKCE and scope when not asked for, and keeps a query already in the endpoint', () => {
    const url = buildAuthorizationUrl({...base, authorizationEndpoint: 'https://auth.example/authorize?tenant=eu', scope: ''})
    expect(url.searchParams.get('tenant')).toBe('eu')
    expect(url.searchParams.has('scope')).toBe(false)
    expect(url.searchParams.has('code_challenge')).toBe(false)
    expect(url.searchParams.has('code_challenge_method')).toBe(false)
  })

  it('rejects a redirect with a fragment, a short state or a bad challenge as usage errors', async () => {
    expect(await exitCodeOf(() => buildAuthorizationUrl({...base, redirectUri: 'http://127.0.0.1:1/cb#x'}))).toBe(ExitCode.usage)
    expect(await exitCodeOf(() => buildAuthorizationUrl({...base, state: 'short'}))).toBe(ExitCode.usage)
    expect(await exitCodeOf(() => buildAuthorizationUrl({...base, codeChallenge: 'too-short'}))).toBe(ExitCode.usage)
    expect(await exitCodeOf(() => buildAuthorizationUrl({...base, authorizationEndpoint: 'ftp://x/authorize'}))).toBe(ExitCode.usage)
  })

  it('computes the RFC 7636 Appendix B challenge, and makes fresh 43-character verifiers and states', () => {
    expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
    const verifier = generateCodeVerifier()
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(generateCodeVerifier()).not.toBe(verifier)
    expect(generateState()).not.toBe(generateState())
  })
})

describe('the authorization response', () => {
  const params = (query: string) => new URLSearchParams(query)

  it('yields the code when the state matches', () => {
    expect(interpretCallback(params('code=abc&state=s1'), 's1')).toEqual({ok: true, code: 'abc'})
  })

  it('rejects a different or missing state even when a code is there (exit 3)', () => {
    for (const query of ['code=abc&state=other', 'code=abc']) {
      const verdict = interpretCallback(params(query), 's1')
      expect(verdict?.ok).toBe(false)
      if (verdict && !verdict.ok) {
        expect(verdict.error.exitCode).toBe(ExitCode.credentialsRejected)
        expect(verdict.error.message).toMatch(/state/)
      }
    }
  })

  it('maps RFC 6749 §4.1.2.1 errors to exit codes with the description kept', () => {
    const cases: [string, number][] = [
      ['access_denied', ExitCode.credentialsRejected],
      ['unauthorized_client', ExitCode.credentialsRejected],
      ['invalid_scope', ExitCode.usage],
      ['temporarily_unavailable', ExitCode.network],
      ['server_error', ExitCode.provider],
      ['invalid_request', ExitCode.provider],
      ['something_new', ExitCode.provider],
    ]
    for (const [error, exitCode] of cases) {
      const verdict = interpretCallback(params(`error=${error}&error_description=Because+reasons&state=s1`), 's1')
      expect(verdict?.ok).toBe(false)
      if (verdict && !verdict.ok) {
        expect(verdict.error.exitCode, error).toBe(exitCode)
        expect(verdict.error.message).toContain('Because reasons')
      }
    }
  })

  it('ignores requests that carry neither code nor error', () => {
    expect(interpretCallback(params('foo=1'), 's1')).toBeUndefined()
  })

  it('reads a pasted redirect URL, a query string or a bare code', () => {
    expect(parsePasted(' http://127.0.0.1:5000/callback?code=c1&state=s1 ')).toEqual({params: params('code=c1&state=s1'), checkState: true})
    expect(parsePasted('?code=c2&state=s2')?.params.get('code')).toBe('c2')
    expect(parsePasted('ac_rawcode123')).toEqual({params: params('code=ac_rawcode123'), checkState: false})
    expect(parsePasted('two words')).toBeUndefined()
    expect(parsePasted('https://example.com/callback?nothing=here')).toBeUndefined()
    expect(parsePasted('')).toBeUndefined()
  })
})

describe('the browser opener', () => {
  it('splits BROWSER like a shell: quotes group, backslashes escape', () => {
    expect(splitCommand(`"/opt/my browser/run" --new-window 'a b' c\\ d`)).toEqual(['/opt/my browser/run', '--new-window', 'a b', 'c d'])
    expect(splitCommand('  firefox  ')).toEqual(['firefox'])
  })

  it('reports a BROWSER command that cannot start instead of throwing', async () => {
    const result = await runBrowserCommand('/nonexistent/ftauth-test-browser', 'http://127.0.0.1/')
    expect(result.opened).toBe(false)
    expect(result.problem).toMatch(/ENOENT/)
  })

  it('sees no display over SSH or on Linux without DISPLAY/WAYLAND_DISPLAY', () => {
    expect(displayAvailable({SSH_CONNECTION: '10.0.0.1 5000 10.0.0.2 22', DISPLAY: ':0'}, 'linux')).toBe(false)
    expect(displayAvailable({}, 'linux')).toBe(false)
    expect(displayAvailable({WAYLAND_DISPLAY: 'wayland-0'}, 'linux')).toBe(true)
    expect(displayAvailable({}, 'darwin')).toBe(true)
  })
})

describe('planRedirect', () => {
  const none = {flag: undefined, profile: undefined, port: undefined, canPaste: false}

  it('defaults to the fixed redirect http://127.0.0.1:8765/callback; --port moves it, --port 0 is a random port', () => {
    expect(planRedirect(none)).toEqual({
      kind: 'loopback',
      host: '127.0.0.1',
      port: 8765,
      path: '/callback',
      registered: 'http://127.0.0.1:8765/callback',
      source: 'the default redirect',
    })
    expect(planRedirect({...none, port: 9100})).toMatchObject({kind: 'loopback', port: 9100, registered: 'http://127.0.0.1:9100/callback', source: '--port'})
    expect(planRedirect({...none, port: 0})).toMatchObject({kind: 'loopback', port: 0, registered: undefined})
    expect(DEFAULT_REDIRECT_URI).toBe(DEFAULT_SHUTTLE_REDIRECT)
  })

  it('listens on the port and path of a registered loopback redirect, the flag winning over the profile', () => {
    expect(planRedirect({...none, flag: 'http://localhost:8765/oauth/done', profile: 'http://127.0.0.1:1/x'})).toEqual({
      kind: 'loopback',
      host: '127.0.0.1',
      port: 8765,
      path: '/oauth/done',
      registered: 'http://localhost:8765/oauth/done',
      source: '--redirect-uri',
    })
  })

  it('refuses contradictions and redirects it cannot receive (exit 2)', async () => {
    expect(await exitCodeOf(() => planRedirect({...none, flag: 'http://127.0.0.1:8765/cb', port: 9000}))).toBe(ExitCode.usage)
    expect(await exitCodeOf(() => planRedirect({...none, flag: 'https://example.com/callback'}))).toBe(ExitCode.usage)
    expect(await exitCodeOf(() => planRedirect({...none, flag: 'not a url'}))).toBe(ExitCode.usage)
    expect(planRedirect({...none, flag: 'https://example.com/callback', canPaste: true})).toEqual({
      kind: 'external',
      registered: 'https://example.com/callback',
    })
  })
})

describe('the loopback listener', () => {
  it('answers strays with 404, takes one authorization response, and frees the port on close', async () => {
    const listener = await startLoopback({
      host: '127.0.0.1',
      port: 0,
      path: '/callback',
      handle: (params) => (params.get('code') ? {page: {status: 200, title: 'Done', message: 'close this tab'}, result: params.get('code')} : undefined),
    })
    const base = `http://127.0.0.1:${listener.port}`
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404)
    // A request line that is no URL at all (anything may knock on a loopback port): 404, no crash.
    expect(await rawRequest(listener.port, 'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 404 /)
    expect((await fetch(`${base}/callback?unrelated=1`)).status).toBe(400)
    const page = await fetch(`${base}/callback?code=the-code`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('close this tab')
    expect(await listener.result).toBe('the-code')
    expect((await fetch(`${base}/callback?code=second`)).status).toBe(404)
    await listener.close()
    expect(await portIsFree(listener.port)).toBe(true)
  })

  it('names a busy port (exit 5, the redirect is fixed) and an address it cannot listen on (usage error)', async () => {
    const first = await startLoopback({host: '127.0.0.1', port: 0, path: '/callback', handle: () => undefined})
    try {
      expect(await exitCodeOf(startLoopback({host: '127.0.0.1', port: first.port, path: '/callback', handle: () => undefined}))).toBe(ExitCode.network)
    } finally {
      await first.close()
    }
    // 192.0.2.1 (TEST-NET-1) is on no interface here: EADDRNOTAVAIL.
    expect(await exitCodeOf(startLoopback({host: '192.0.2.1' as '127.0.0.1', port: 0, path: '/callback', handle: () => undefined}))).toBe(ExitCode.usage)
  })
})

/** Sends raw bytes to a local port and returns what came back before the server closed. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = ''
    const socket = connect({host: '127.0.0.1', port}, () => socket.write(text))
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')))
    socket.on('end', () => resolve(reply))
    socket.on('error', reject)
  })
}

describe('token endpoint functions against the emulator', () => {
  let emulator: Emulator
  let ctx: InProcess

  beforeAll(async () => {
    emulator = await startEmulator({port: 0, autoApprove: true, shuttleLoopbackAnyPort: true})
    ctx = await inProcessDeps(emulator.url)
  })
  afterAll(async () => {
    await ctx.cleanup()
    await emulator.close()
  })

  /** Runs /authorize as a browser would and returns the code the redirect carried. */
  async function authorize(redirectUri: string, verifier: string | undefined): Promise<string> {
    const url = buildAuthorizationUrl({
      authorizationEndpoint: `${ctx.deps.profile.shuttle.authUrl}/authorize`,
      clientId: ctx.deps.profile.shuttle.clientId as string,
      redirectUri,
      scope: 'read write',
      state: generateState(),
      codeChallenge: verifier ? codeChallengeS256(verifier) : undefined,
    })
    const response = await fetch(url, {redirect: 'manual'})
    const code = new URL(response.headers.get('location') as string).searchParams.get('code')
    expect(code).toBeTruthy()
    return code as string
  }

  const endpoint = async (path: string, auth: 'basic' | 'body' = 'basic') => ({
    url: `${ctx.deps.profile.shuttle.authUrl}${path}`,
    client: await resolveShuttleClient(ctx.deps),
    auth,
  })

  it('exchanges a code with PKCE and parses the RFC 6749 §5.1 response', async () => {
    const verifier = generateCodeVerifier()
    const redirectUri = 'http://127.0.0.1:5999/callback'
    const code = await authorize(redirectUri, verifier)
    const grant = await exchangeCode(ctx.deps, await endpoint('/token'), {code, redirectUri, codeVerifier: verifier})
    expect(grant.body.token_type).toBe('Bearer')
    expect(grant.body.expires_in).toBe(3600)
    expect(grant.body.refresh_token).toMatch(/^rt_/)
    expect(grant.body.scope).toBe('read write')
    expect(grant.body.instance_id).toBe('inst_demo_7k2m9d')
    // The same code again: RFC 6749 §4.1.2 single use → invalid_grant → exit 4.
    expect(await exitCodeOf(exchangeCode(ctx.deps, await endpoint('/token'), {code, redirectUri, codeVerifier: verifier}))).toBe(ExitCode.expiredOrUsed)
  })

  it('maps a wrong verifier to exit 4, a wrong client secret to exit 3, and a bad body to exit 6', async () => {
    const redirectUri = 'http://127.0.0.1:5999/callback'
    const code = await authorize(redirectUri, generateCodeVerifier())
    expect(await exitCodeOf(exchangeCode(ctx.deps, await endpoint('/token'), {code, redirectUri, codeVerifier: generateCodeVerifier()}))).toBe(
      ExitCode.expiredOrUsed,
    )

    const wrongClient = {...(await endpoint('/token')), client: {clientId: 'sh_demo_client', clientSecret: 'not-the-secret'}}
    expect(await exitCodeOf(refresh(ctx.deps, wrongClient, {refreshToken: 'rt_whatever'}))).toBe(ExitCode.credentialsRejected)

    emulator.inject({method: 'POST', path: '/shuttle/token', kind: 'wrong-shape'})
    expect(await exitCodeOf(refresh(ctx.deps, await endpoint('/token'), {refreshToken: 'rt_whatever'}))).toBe(ExitCode.provider)
    emulator.inject({method: 'POST', path: '/shuttle/token', kind: 'malformed-json'})
    expect(await exitCodeOf(refresh(ctx.deps, await endpoint('/token'), {refreshToken: 'rt_whatever'}))).toBe(ExitCode.provider)
  })

  it('refreshes with body client auth and revokes with token_type_hint', async () => {
    const redirectUri = 'http://127.0.0.1:5999/callback'
    const code = await authorize(redirectUri, undefined)
    const first = await exchangeCode(ctx.deps, await endpoint('/token', 'body'), {code, redirectUri})
    emulator.clearRequests()
    const refreshed = await refresh(ctx.deps, await endpoint('/token', 'body'), {refreshToken: first.body.refresh_token as string})
    expect(refreshed.body.access_token).not.toBe(first.body.access_token)
    expect(refreshed.body.refresh_token).toBeUndefined()
    const [request] = tokenRequests(emulator.requests(), 'refresh_token')
    expect(request?.headers.authorization).toBeUndefined()
    expect(formOf(request!).get('client_secret')).toBe('sh_demo_secret_81d7e3')

    expect((await revoke(ctx.deps, await endpoint('/revoke'), {token: first.body.refresh_token as string, hint: 'refresh_token'})).status).toBe(200)
    const revokeRequest = emulator.requests().find((entry) => entry.path === '/shuttle/revoke')
    expect(formOf(revokeRequest!).get('token_type_hint')).toBe('refresh_token')
    expect(await exitCodeOf(refresh(ctx.deps, await endpoint('/token'), {refreshToken: first.body.refresh_token as string}))).toBe(ExitCode.expiredOrUsed)
  })

  it('treats a revocation answered with anything but 200 as a failure', async () => {
    expect(await exitCodeOf(revoke(ctx.deps, await endpoint('/revoke'), {token: 'not a token', hint: 'access_token'}))).toBe(ExitCode.provider)
    const wrongClient = {...(await endpoint('/revoke')), client: {clientId: 'sh_demo_client', clientSecret: 'nope-nope'}}
    expect(await exitCodeOf(revoke(ctx.deps, wrongClient, {token: 'rt_x', hint: 'refresh_token'}))).toBe(ExitCode.credentialsRejected)
  })
})
