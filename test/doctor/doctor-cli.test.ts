import {chmod, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {CredentialStore} from '../../src/core/credential-store.js'
import {pathsFor} from '../../src/core/paths.js'
import {MemoryBackend} from '../../src/core/secret-backends.js'
import {TokenCache} from '../../src/core/token-cache.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, runCliInProcess, type CliResult, type Sandbox} from '../helpers/cli.js'

runCliInProcess()

interface Report {
  ok: boolean
  checks: {id: string; title: string; status: 'pass' | 'warn' | 'fail'; detail: string; fix?: string; ms?: number}[]
}

/** stdout must be exactly one JSON document. */
function reportOf(result: CliResult): Report {
  return JSON.parse(result.stdout) as Report
}

function checkOf(report: Report, id: string) {
  const found = report.checks.find((item) => item.id === id)
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((item) => item.id).join(', ')}`)
  return found
}

const NO_DBUS = {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent'}

let emulator: Emulator
let sandbox: Sandbox
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())
beforeEach(async () => {
  sandbox = await makeSandbox(emulator.url)
  emulator.clearRequests()
})
afterEach(() => sandbox.cleanup())

describe('ftauth doctor against the emulator', () => {
  it('passes every check and exits 0, sending no credentials', async () => {
    const result = await sandbox.run(['doctor'])
    expect(result.code, result.stdout + result.stderr).toBe(0)
    for (const title of [
      'Config file',
      'Secret storage',
      'Funtrips reachable (local)',
      'Fluz reachable (local)',
      'Shuttle reachable (local)',
      'Clock',
      'Stored tokens',
      'Funtrips settings from the docs (local)',
      'File permissions',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^✓ ${title.replace(/[()]/g, '\\$&')}\\s`, 'm'))
    }
    expect(result.stdout).toContain('0 failed, 0 warnings, 11 passed')
    expect(result.stdout).toContain('Secret Service (D-Bus): write, read and delete of a test entry worked')
    const seen = emulator.requests()
    expect(seen.length).toBeGreaterThanOrEqual(4)
    expect(seen.every((request) => request.method === 'GET' && request.headers.authorization === undefined && request.body === '')).toBe(true)
  })

  it('prints one JSON document with {ok, checks} for --json', async () => {
    const result = await sandbox.run(['doctor', '--json'])
    expect(result.code).toBe(0)
    const report = reportOf(result)
    expect(Object.keys(report).sort()).toEqual(['checks', 'ok', 'schemaVersion'])
    expect(report.ok).toBe(true)
    expect(report.checks.map((item) => item.id)).toEqual([
      'config',
      'keychain',
      'reach.funtrips',
      'reach.fluz',
      'reach.shuttle',
      'clock',
      'tokens',
      'docs.funtrips',
      'docs.fluz',
      'docs.shuttle',
      'permissions',
    ])
    for (const item of report.checks) {
      expect(item.status).toBe('pass')
      expect(typeof item.title).toBe('string')
      expect(typeof item.detail).toBe('string')
      expect(Object.keys(item).every((key) => ['id', 'title', 'status', 'detail', 'fix', 'ms'].includes(key))).toBe(true)
    }
    expect(checkOf(report, 'keychain').ms).toEqual(expect.any(Number))
  })

  it('verifies the credentials with one real call each under --with-credentials, keeping nothing', async () => {
    const result = await sandbox.run(['doctor', '--with-credentials', '--json'])
    expect(result.code).toBe(0)
    const report = reportOf(result)
    expect(checkOf(report, 'credentials.funtrips')).toMatchObject({status: 'pass', detail: expect.stringContaining('client credentials accepted')})
    expect(checkOf(report, 'credentials.fluz')).toMatchObject({status: 'pass', detail: expect.stringContaining('marco → polo')})
    expect(checkOf(report, 'credentials.shuttle')).toMatchObject({status: 'pass'})
    const posts = emulator
      .requests()
      .filter((request) => request.method === 'POST')
      .map((request) => request.path)
    expect(posts).toEqual(['/funtrips/oauth/token', '/fluz/api/v1/graphql', '/shuttle/revoke'])
    // No secret in the output, and no token cached.
    for (const secret of emulator.issuedSecrets()) expect(result.stdout + result.stderr).not.toContain(secret)
    expect(checkOf(report, 'tokens').detail).toContain('no cached tokens')
  })

  it('fails the credentials check when a secret is wrong', async () => {
    const result = await sandbox.run(['doctor', '--with-credentials', '--json'], {env: {FTAUTH_SHUTTLE_CLIENT_SECRET: 'wrong-secret-value'}})
    expect(result.code).toBe(1)
    const shuttle = checkOf(reportOf(result), 'credentials.shuttle')
    expect(shuttle.status).toBe('fail')
    expect(shuttle.fix).toContain('ftauth login shuttle --env local')
    expect(shuttle.fix).toContain('FTAUTH_SHUTTLE_CLIENT_SECRET')
    expect(result.stdout).not.toContain('wrong-secret-value')
  })
})

describe('ftauth doctor: one failing check of each kind', () => {
  it('fails a malformed config file naming it, and still runs the other checks', async () => {
    const path = join(sandbox.configDir, 'config.json')
    await writeFile(path, '{"profiles": ', {mode: 0o600})
    const human = await sandbox.run(['doctor'])
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/^✗ Config file\s+config file .*config\.json is not valid JSON/m)
    const report = reportOf(await sandbox.run(['doctor', '--json']))
    expect(report.ok).toBe(false)
    expect(checkOf(report, 'config')).toMatchObject({status: 'fail', detail: expect.stringContaining(path)})
    expect(checkOf(report, 'config').fix).toBeTruthy()
    expect(checkOf(report, 'reach.fluz').status).toBe('pass')
    expect(checkOf(report, 'keychain').status).toBe('pass')
  })

  it('fails an unreachable URL, naming the variable that set it', async () => {
    const result = await sandbox.run(['doctor'], {env: {FTAUTH_FLUZ_URL: 'http://127.0.0.1:1/'}})
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^✗ Fluz reachable \(local\)\s+cannot connect to http:\/\/127\.0\.0\.1:1\/: connection refused/m)
    expect(result.stdout).toContain('fix: nothing listens there; fluz.urls.local.url comes from FTAUTH_FLUZ_URL: correct or unset that variable')
    expect(result.stdout).toMatch(/^✓ Funtrips reachable/m)
  })

  it('warns about a skewed clock, naming the offset, and still exits 0', async () => {
    const skewed = await startEmulator({port: 0})
    const skewedSandbox = await makeSandbox(skewed.url)
    try {
      skewed.advanceClock(600)
      const result = await skewedSandbox.run(['doctor', '--json'])
      expect(result.code).toBe(0)
      const clock = checkOf(reportOf(result), 'clock')
      expect(clock.status).toBe('warn')
      // The Date header has whole seconds: the measured offset is 600 s give or take one.
      expect(clock.detail).toMatch(/behind .*\(offset \+(599|600|601)s/)
      expect(clock.fix).toBeTruthy()
    } finally {
      await skewedSandbox.cleanup()
      await skewed.close()
    }
  })

  it('warns about an expired stored token with the command that renews it', async () => {
    // Written through the TokenCache API (its schema, its cache.json), with an in-memory secret store.
    const paths = pathsFor(sandbox.configDir)
    const tokens = new TokenCache(new CredentialStore(new MemoryBackend(), 'default', {}), paths.cache, paths.locks, () => undefined)
    const expiredAt = new Date(Date.now() - 5 * 60_000)
    await tokens.put('fluz', 'user.local.test', {
      accessToken: 'expired-token-value',
      expiresAt: expiredAt.toISOString(),
      obtainedAt: new Date(expiredAt.getTime() - 600_000).toISOString(),
      env: 'local',
      scopes: ['LIST_OFFERS'],
      meta: {},
    })
    const result = await sandbox.run(['doctor'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^! Stored tokens\s+fluz user\.local\.test \(local\) expired 5m( \d+s)? ago/m)
    expect(result.stdout).toContain('fix: renew with `ftauth fluz token --env local`')
    expect(result.stdout).not.toContain('expired-token-value')
  })

  it('warns about a token the CLI stored that expires within a minute', async () => {
    const shortLived = await startEmulator({port: 0, tokenTtlSeconds: 30})
    const shortSandbox = await makeSandbox(shortLived.url)
    try {
      const token = await shortSandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'])
      expect(token.code, token.stderr).toBe(0)
      const result = await shortSandbox.run(['doctor', '--json'])
      const tokens = checkOf(reportOf(result), 'tokens')
      expect(tokens.status).toBe('warn')
      expect(tokens.detail).toMatch(/^fluz \S+ \(local\) expires in \d+s$/)
      expect(tokens.fix).toBe('renew with `ftauth fluz token --env local`')
      expect(result.stdout).not.toContain(token.stdout.trim())
    } finally {
      await shortSandbox.cleanup()
      await shortLived.close()
    }
  })

  it('fails a config file readable by others, with the chmod that fixes it', async () => {
    expect((await sandbox.run(['config', 'set', 'env', 'local'])).code).toBe(0)
    const path = join(sandbox.configDir, 'config.json')
    await chmod(path, 0o644)
    const result = await sandbox.run(['doctor'])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(`${path} is 0644 (want 0600)`)
    expect(result.stdout).toContain(`fix: chmod 600 ${path}`)
  })

  it('fails when the keychain is unavailable, exit 1, with --insecure-storage among the fixes', async () => {
    const result = await sandbox.run(['doctor', '--json'], {env: NO_DBUS})
    expect(result.code).toBe(1)
    const report = reportOf(result)
    expect(report.ok).toBe(false)
    const keychain = checkOf(report, 'keychain')
    expect(keychain.status).toBe('fail')
    expect(keychain.detail).toContain('Secret Service (D-Bus)')
    expect(keychain.fix).toContain('--insecure-storage')
    expect(keychain.fix).toContain('dbus-run-session')
    // Only the keychain failed.
    expect(report.checks.filter((item) => item.status === 'fail').map((item) => item.id)).toEqual(['keychain'])
  })

  it('passes the secret storage check with --insecure-storage when the keychain is unavailable', async () => {
    const result = await sandbox.run(['doctor', '--json', '--insecure-storage'], {env: NO_DBUS})
    expect(result.code).toBe(0)
    expect(checkOf(reportOf(result), 'keychain')).toMatchObject({status: 'pass', detail: expect.stringContaining('insecure file')})
  })

  it('warns instead of failing under CI, where tokens fall back to memory', async () => {
    const result = await sandbox.run(['doctor', '--json'], {env: {...NO_DBUS, CI: 'true'}})
    expect(result.code).toBe(0)
    const keychain = checkOf(reportOf(result), 'keychain')
    expect(keychain.status).toBe('warn')
    expect(keychain.detail).toContain('is unavailable')
    expect(keychain.detail).toContain('in memory for this run only')
  })

  it('prints only ok or failed with -q', async () => {
    expect((await sandbox.run(['doctor', '-q'])).stdout).toBe('ok\n')
    expect(await sandbox.run(['doctor', '-q'], {env: NO_DBUS})).toMatchObject({code: 1, stdout: 'failed\n'})
  })
})
