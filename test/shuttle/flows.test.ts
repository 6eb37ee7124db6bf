import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/core/errors.js'
import {DEFAULT_SHUTTLE_REDIRECT, startEmulator, type Emulator, type EmulatorOptions} from '../../src/emulator/index.js'
import type {UrlOpener} from '../../src/core/browser.js'
import {shuttleLogin} from '../../src/providers/shuttle/login.js'
import {refreshShuttleToken, reuseWhileUsable} from '../../src/providers/shuttle/refresh.js'
import {revokeShuttleToken} from '../../src/providers/shuttle/revoke.js'
import {shuttleTokenSource} from '../../src/providers/shuttle/token-source.js'
import {readShuttleToken, saveShuttleToken} from '../../src/providers/shuttle/token-store.js'
import {failure} from '../helpers/errors.js'
import {formOf, freePort, inProcessDeps, portIsFree, tokenRequests, type InProcess} from './helpers.js'

/** Plays the browser in-process, as the demo does: follows the authorize URL and its redirects. */
const followInProcess: UrlOpener = async (url) => {
  await fetch(url)
  return {opened: true, via: 'in-process fetch'}
}

let emulator: Emulator
let ctx: InProcess

async function setUp(options: EmulatorOptions = {}) {
  // Tests never bind ftauth's fixed redirect port (other suites run at once): they listen on a random
  // port (`port: 0`), which this emulator accepts for its registered loopback redirect (RFC 8252 §7.3).
  emulator = await startEmulator({
    port: 0,
    autoApprove: true,
    shuttleRedirects: [DEFAULT_SHUTTLE_REDIRECT, 'https://example.com/callback'],
    shuttleLoopbackAnyPort: true,
    ...options,
  })
  ctx = await inProcessDeps(emulator.url)
}

afterEach(async () => {
  await ctx?.cleanup()
  await emulator?.close()
})

describe('shuttleLogin (in-process, injected browser)', () => {
  beforeEach(() => setUp())

  it('runs the whole flow, stores access and refresh token, and closes the listener', async () => {
    const result = await shuttleLogin(ctx.deps, {port: 0, openUrl: followInProcess, paste: false, scope: 'read'})
    expect(result.received).toBe('loopback')
    expect(result.token.meta.instanceId).toBe('inst_demo_7k2m9d')
    expect(result.token.scopes).toEqual(['read'])
    expect(result.token.refreshToken).toMatch(/^rt_/)
    expect(await readShuttleToken(ctx.deps)).toEqual(result.token)

    const authorize = emulator.requests().find((request) => request.path === '/shuttle/authorize')
    expect(authorize?.query.redirect_uri).toBe(result.redirectUri)
    expect(authorize?.query.redirect_url).toBe(result.redirectUri)
    const [exchange] = tokenRequests(emulator.requests(), 'authorization_code')
    expect(formOf(exchange!).get('redirect_uri')).toBe(result.redirectUri)
    expect(await portIsFree(Number(new URL(result.redirectUri).port))).toBe(true)
  })

  it('times out after --wait with exit 5 and leaves the port free', async () => {
    const port = await freePort()
    const nobody: UrlOpener = async () => ({opened: true, via: 'a browser that never comes back'})
    const error = await failure(shuttleLogin(ctx.deps, {openUrl: nobody, paste: false, waitSeconds: 1, port}))
    expect(error.exitCode).toBe(ExitCode.network)
    expect(error.message).toMatch(/no authorization came back within 1s/)
    expect(await portIsFree(port)).toBe(true)
    expect(tokenRequests(emulator.requests())).toHaveLength(0)
  })

  it('still times out when the opener itself never returns', async () => {
    const stuck: UrlOpener = () => new Promise(() => undefined)
    const error = await failure(shuttleLogin(ctx.deps, {port: 0, openUrl: stuck, paste: false, waitSeconds: 1}))
    expect(error.exitCode).toBe(ExitCode.network)
  })

  it('prints the URL when told not to open a browser', async () => {
    const port = await freePort()
    await failure(shuttleLogin(ctx.deps, {openBrowser: false, paste: false, waitSeconds: 1, port}))
    expect(ctx.stderr()).toContain(`${emulator.url}/shuttle/authorize?response_type=code`)
    expect(ctx.stderr()).toContain(encodeURIComponent(`http://127.0.0.1:${port}/callback`))
  })
})

describe('shuttleLogin with a pasted redirect', () => {
  beforeEach(() => setUp())

  /** A browser on another machine: it gets the redirect but cannot reach the listener; the user pastes what it shows. */
  function remoteBrowser(mangle: (location: URL) => string = (location) => location.toString()) {
    let landed: (text: string) => void = () => undefined
    const pasted = new Promise<string>((resolve) => (landed = resolve))
    const opener: UrlOpener = async (url) => {
      const response = await fetch(`${url}&auto_approve=1`, {redirect: 'manual'})
      landed(mangle(new URL(response.headers.get('location') as string)))
      return {opened: true, via: 'remote browser'}
    }
    return {opener, readPaste: () => pasted}
  }

  it('accepts the pasted redirect URL and closes the unused listener', async () => {
    const browser = remoteBrowser()
    const port = await freePort()
    const result = await shuttleLogin(ctx.deps, {openUrl: browser.opener, readPaste: browser.readPaste, port})
    expect(result.received).toBe('pasted')
    expect(result.token.refreshToken).toMatch(/^rt_/)
    expect(await portIsFree(port)).toBe(true)
  })

  it('works with a registered redirect that is not a loopback address, by paste only', async () => {
    const browser = remoteBrowser()
    const result = await shuttleLogin(ctx.deps, {openUrl: browser.opener, readPaste: browser.readPaste, redirectUri: 'https://example.com/callback'})
    expect(result).toMatchObject({received: 'pasted', redirectUri: 'https://example.com/callback'})
    expect(formOf(tokenRequests(emulator.requests(), 'authorization_code')[0]!).get('redirect_uri')).toBe('https://example.com/callback')
  })

  it('accepts a bare pasted code, and rejects a pasted URL with another state (exit 3)', async () => {
    const bare = remoteBrowser((location) => location.searchParams.get('code') as string)
    expect((await shuttleLogin(ctx.deps, {port: 0, openUrl: bare.opener, readPaste: bare.readPaste})).received).toBe('pasted')

    const forged = remoteBrowser((location) => {
      location.searchParams.set('state', 'from-another-login-0000000000')
      return location.toString()
    })
    emulator.clearRequests()
    const error = await failure(shuttleLogin(ctx.deps, {port: 0, openUrl: forged.opener, readPaste: forged.readPaste}))
    expect(error.exitCode).toBe(ExitCode.credentialsRejected)
    expect(tokenRequests(emulator.requests())).toHaveLength(0)
  })
})

describe('refresh, revoke and the token source (in-process)', () => {
  it('refreshes once for concurrent callers and keeps the refresh token', async () => {
    await setUp()
    const login = await shuttleLogin(ctx.deps, {port: 0, openUrl: followInProcess, paste: false})
    emulator.clearRequests()
    const results = await Promise.all([1, 2, 3, 4].map(() => refreshShuttleToken(ctx.deps)))
    expect(tokenRequests(emulator.requests(), 'refresh_token')).toHaveLength(1)
    expect(results.filter((result) => result.origin === 'refresh')).toHaveLength(1)
    expect(new Set(results.map((result) => result.token.accessToken)).size).toBe(1)
    const stored = await readShuttleToken(ctx.deps)
    expect(stored?.refreshToken).toBe(login.token.refreshToken)
    expect(stored?.accessToken).not.toBe(login.token.accessToken)
  })

  it('stores a rotated refresh token, and the next refresh uses it', async () => {
    await setUp({shuttleRotateRefresh: true})
    const login = await shuttleLogin(ctx.deps, {port: 0, openUrl: followInProcess, paste: false})
    const first = await refreshShuttleToken(ctx.deps)
    expect(first.rotated).toBe(true)
    expect(first.token.refreshToken).not.toBe(login.token.refreshToken)
    expect((await readShuttleToken(ctx.deps))?.refreshToken).toBe(first.token.refreshToken)
    emulator.clearRequests()
    const second = await refreshShuttleToken(ctx.deps, {reuse: () => false})
    expect(second.origin).toBe('refresh')
    expect(formOf(tokenRequests(emulator.requests(), 'refresh_token')[0]!).get('refresh_token')).toBe(first.token.refreshToken)
  })

  it('on invalid_grant re-reads the store: a token stored meanwhile is kept and used', async () => {
    await setUp()
    const fresh = await shuttleLogin(ctx.deps, {port: 0, openUrl: followInProcess, paste: false})
    await saveShuttleToken(ctx.deps, {...fresh.token, refreshToken: 'rt_dead_one', expiresAt: new Date(Date.now() - 1000).toISOString()})
    // The refresh request is held for a moment; meanwhile a process that ignores the lock stores the good token.
    emulator.inject({method: 'POST', path: '/shuttle/token', kind: 'hang', hangMs: 400})
    const pending = refreshShuttleToken(ctx.deps, {reuse: () => false})
    await new Promise((resolve) => setTimeout(resolve, 100))
    await saveShuttleToken(ctx.deps, fresh.token)
    const result = await pending
    expect(result.origin).toBe('cache')
    expect(result.token.accessToken).toBe(fresh.token.accessToken)
    expect((await readShuttleToken(ctx.deps))?.refreshToken).toBe(fresh.token.refreshToken)
  })

  it('removes a really dead refresh token and says to log in (exit 4)', async () => {
    await setUp()
    const login = await shuttleLogin(ctx.deps, {port: 0, openUrl: followInProcess, paste: false})
    await fetch(`${emulator.url}/shuttle/revoke`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('sh_demo_client:sh_demo_secret_81d7e3').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({token: login.token.refreshToken as string}).toString(),
    })
    const error = await failure(refreshShuttleToken(ctx.deps, {reuse: () => false}))
    expect(error.exitCode).toBe(ExitCode.expiredOrUsed)
    expect(error.line).toContain('ftauth shuttle login')
    expect(await readShuttleToken(ctx.deps)).toBeUndefined()
  })

  it('revoking the access token keeps the refresh token, which still works', async () => {
    await setUp()
    const login = await shuttleLogin(ctx.deps, {port: 0, openUrl: followInProcess, paste: false})
    const result = await revokeShuttleToken(ctx.deps)
    expect(result).toMatchObject({revoked: 'access_token', removed: 'access token', refreshTokenKept: true})
    const stored = await readShuttleToken(ctx.deps)
    expect(stored?.accessToken).not.toBe(login.token.accessToken)
    expect(stored?.refreshToken).toBe(login.token.refreshToken)
    // The token source sees no usable access token and refreshes.
    const usable = await shuttleTokenSource.current(ctx.deps)
    expect(usable.origin).toBe('refresh')
    expect((await revokeShuttleToken(ctx.deps, {which: 'refresh'})).removed).toBe('token')
    expect(await readShuttleToken(ctx.deps)).toBeUndefined()
  })

  it('token source: cache while valid, refresh when near expiry, renew after a 401, exit 4 with nothing stored', async () => {
    // 20 s tokens are inside the 30 s margin: every cached one counts as expiring.
    await setUp()
    expect(shuttleTokenSource.apiBase(ctx.deps)).toBe(`${emulator.url}/shuttle/c/api`)
    expect(shuttleTokenSource.hosts(ctx.deps)).toEqual([new URL(emulator.url).origin])
    const none = await failure(shuttleTokenSource.current(ctx.deps))
    expect(none.exitCode).toBe(ExitCode.expiredOrUsed)
    expect(none.line).toContain('ftauth shuttle login')

    const login = await shuttleLogin(ctx.deps, {port: 0, openUrl: followInProcess, paste: false})
    const cached = await shuttleTokenSource.current(ctx.deps)
    expect(cached).toMatchObject({token: login.token.accessToken, origin: 'cache', scopes: ['read', 'write']})
    const api = await fetch(`${shuttleTokenSource.apiBase(ctx.deps)}/payment_links`, {headers: {authorization: `Bearer ${cached.token}`}})
    expect(api.status).toBe(200)

    const renewed = await shuttleTokenSource.renew(ctx.deps, cached.token)
    expect(renewed.origin).toBe('refresh')
    expect(renewed.token).not.toBe(cached.token)
    // A 401 for a token that was already replaced: the newer stored one is reused, no second refresh.
    emulator.clearRequests()
    expect(await shuttleTokenSource.renew(ctx.deps, cached.token)).toMatchObject({token: renewed.token, origin: 'cache'})
    expect(tokenRequests(emulator.requests())).toHaveLength(0)

    await saveShuttleToken(ctx.deps, {...(await readShuttleToken(ctx.deps))!, expiresAt: new Date(Date.now() + 20_000).toISOString()})
    const refreshed = await shuttleTokenSource.current(ctx.deps)
    expect(refreshed.origin).toBe('refresh')
    expect(reuseWhileUsable((await readShuttleToken(ctx.deps))!, new Date())).toBe(true)
  })
})
