import {chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {emptyConfig} from '../../src/core/config.js'
import {keychainError} from '../../src/core/errors.js'
import {HttpClient} from '../../src/core/http.js'
import {pathsFor} from '../../src/core/paths.js'
import {resolveProfile} from '../../src/core/profiles.js'
import {FileBackend, type SecretBackend} from '../../src/core/secret-backends.js'
import type {CacheEntry} from '../../src/core/token-cache.js'
import {reportOf} from '../../src/doctor/check.js'
import {checkClock, CLOCK_TOLERANCE_SECONDS} from '../../src/doctor/clock-check.js'
import {checkConfigFile} from '../../src/doctor/config-check.js'
import {checkKeychain, chooseBackend} from '../../src/doctor/keychain-check.js'
import {checkPermissions, chmodFix, findLoosePaths} from '../../src/doctor/permissions-check.js'
import {isWsl, type Platform} from '../../src/doctor/platform.js'
import {checkReachable, type ClockSample} from '../../src/doctor/reachability-check.js'
import {checkTokens, renewCommand} from '../../src/doctor/token-check.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'

const LINUX: Platform = {os: 'linux', wsl: false}
const WSL: Platform = {os: 'linux', wsl: true}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftauth-doctor-'))
  await chmod(dir, 0o700)
})
afterEach(() => rm(dir, {recursive: true, force: true}))

describe('report', () => {
  it('is ok with warnings and not ok with one failure', () => {
    const pass = {id: 'a', title: 'A', status: 'pass' as const, detail: ''}
    expect(reportOf([pass, {...pass, status: 'warn'}]).ok).toBe(true)
    expect(reportOf([pass, {...pass, status: 'fail'}]).ok).toBe(false)
  })
})

describe('config check', () => {
  it('passes without a file, naming the profile', async () => {
    const result = await checkConfigFile(join(dir, 'config.json'), () => 'default')
    expect(result.check).toMatchObject({id: 'config', status: 'pass'})
    expect(result.check.detail).toContain('no config file yet')
    expect(result.config).toEqual({version: 2, profiles: {}})
  })

  it('fails on malformed JSON naming the file, and hands back no config', async () => {
    const path = join(dir, 'config.json')
    await writeFile(path, '{"profiles": ')
    const result = await checkConfigFile(path, () => 'default')
    expect(result.check.status).toBe('fail')
    expect(result.check.detail).toContain(`config file ${path} is not valid JSON`)
    expect(result.check.fix).toBeTruthy()
    expect(result.config).toBeUndefined()
  })

  it('fails on a bad key naming the key', async () => {
    const path = join(dir, 'config.json')
    // A version 1 file: its profile-wide id is read as the id of fluz's environment (sandbox).
    await writeFile(path, JSON.stringify({profiles: {default: {fluz: {userId: 'nope'}}}}))
    const result = await checkConfigFile(path, () => 'default')
    expect(result.check.status).toBe('fail')
    expect(result.check.detail).toContain('profiles.default.fluz.ids.sandbox.userId')
  })
})

/** A keychain that is not there, as when D-Bus has no Secret Service. */
class UnavailableBackend implements SecretBackend {
  readonly kind = 'keychain' as const
  readonly label = 'Secret Service (D-Bus)'
  private fail(): never {
    throw keychainError('the Secret Service (D-Bus) is unavailable (no socket)')
  }
  get(): Promise<string | null> {
    return Promise.resolve().then(() => this.fail())
  }
  set(): Promise<void> {
    return Promise.resolve().then(() => this.fail())
  }
  delete(): Promise<boolean> {
    return Promise.resolve().then(() => this.fail())
  }
  accounts(): Promise<string[]> {
    return Promise.resolve().then(() => this.fail())
  }
}

describe('keychain check', () => {
  it('round-trips through the insecure file and leaves no file behind', async () => {
    const paths = pathsFor(dir)
    const choice = chooseBackend({insecure: true, env: {}, paths, config: emptyConfig(), profile: resolveProfile(emptyConfig(), {env: {}})})
    const result = await checkKeychain(choice, LINUX)
    expect(result).toMatchObject({id: 'keychain', status: 'pass'})
    expect(result.detail).toContain(`insecure file ${paths.insecureCredentials}`)
    expect(result.ms).toBeGreaterThanOrEqual(0)
    await expect(stat(paths.insecureCredentials)).rejects.toThrow(/ENOENT/)
  })

  it('keeps an existing insecure file and its entries', async () => {
    const paths = pathsFor(dir)
    await new FileBackend(paths.insecureCredentials).set('default:fluz:sandbox.api_key', 'kept')
    const result = await checkKeychain(
      chooseBackend({insecure: true, env: {}, paths, config: emptyConfig(), profile: resolveProfile(emptyConfig(), {env: {}})}),
      LINUX,
    )
    expect(result.status).toBe('pass')
    expect(JSON.parse(await readFile(paths.insecureCredentials, 'utf8'))).toEqual({'default:fluz:sandbox.api_key': 'kept'})
  })

  it('fails when the keychain is unavailable, naming every way out on Linux', async () => {
    const result = await checkKeychain({backend: new UnavailableBackend(), fallbackNotes: [], environmentProviders: [], sealedDir: dir}, LINUX)
    expect(result.status).toBe('fail')
    expect(result.detail).toContain('is unavailable')
    for (const way of ['FTAUTH_FLUZ_API_KEY', '--insecure-storage', 'gnome-keyring', 'dbus-run-session']) expect(result.fix).toContain(way)
  })

  it('does not suggest gnome-keyring on macOS', async () => {
    const result = await checkKeychain(
      {backend: new UnavailableBackend(), fallbackNotes: [], environmentProviders: [], sealedDir: dir},
      {os: 'darwin', wsl: false},
    )
    expect(result.fix).not.toContain('gnome-keyring')
    expect(result.fix).toContain('--insecure-storage')
  })
})

describe('clock check', () => {
  const sample = (provider: ClockSample['provider'], offsetSeconds: number): ClockSample => {
    const localDate = new Date('2026-01-01T12:00:00.000Z')
    return {provider, url: `http://x/${provider}`, localDate, serverDate: new Date(localDate.getTime() + offsetSeconds * 1000)}
  }

  it(`passes within ${CLOCK_TOLERANCE_SECONDS}s`, () => {
    const result = checkClock([sample('fluz', 2), sample('shuttle', -30)], LINUX)
    expect(result.status).toBe('pass')
    expect(result.detail).toContain('Fluz +2s')
  })

  it('warns beyond the tolerance, naming the offset and the Linux fix', () => {
    const result = checkClock([sample('funtrips', 600), sample('fluz', 600), sample('shuttle', 601)], LINUX)
    expect(result.status).toBe('warn')
    expect(result.detail).toContain('local clock is 10m 1s behind Shuttle (offset +601s')
    expect(result.fix).toContain('timedatectl')
  })

  it("names WSL's hwclock fix on WSL", () => {
    const result = checkClock([sample('fluz', -45)], WSL)
    expect(result.detail).toContain('ahead of Fluz')
    expect(result.fix).toContain('sudo hwclock -s')
  })

  it('blames the server when the other providers agree with the local clock', () => {
    const result = checkClock([sample('funtrips', 0), sample('fluz', 300)], LINUX)
    expect(result.status).toBe('warn')
    expect(result.detail).toContain("Fluz's clock differs from yours by +300s")
  })

  it('warns when nothing could be measured', () => {
    expect(checkClock([], LINUX)).toMatchObject({status: 'warn', detail: expect.stringContaining('not measured')})
  })

  it('detects WSL from /proc/version or WSL_DISTRO_NAME', () => {
    expect(isWsl({}, 'Linux version 5.15.153.1-microsoft-standard-WSL2')).toBe(true)
    expect(isWsl({WSL_DISTRO_NAME: 'Ubuntu'}, undefined)).toBe(true)
    expect(isWsl({}, 'Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075)')).toBe(false)
  })
})

describe('token check', () => {
  const now = new Date('2026-01-01T12:00:00.000Z')
  const entry = (over: Partial<CacheEntry>): CacheEntry => ({
    provider: 'fluz',
    profile: 'default',
    key: 'user.sandbox',
    env: 'sandbox',
    expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
    obtainedAt: now.toISOString(),
    scopes: [],
    hasRefreshToken: false,
    storage: 'keychain',
    meta: {},
    ...over,
  })

  it('passes with valid tokens and none', () => {
    expect(checkTokens([], 'default', now).status).toBe('pass')
    const result = checkTokens([entry({})], 'default', now)
    expect(result.status).toBe('pass')
    expect(result.detail).toContain('in 1h')
  })

  it('warns on expired and soon-expiring tokens of the profile with the command that renews each', () => {
    const result = checkTokens(
      [
        entry({expiresAt: new Date(now.getTime() - 120_000).toISOString()}),
        entry({provider: 'shuttle', key: 'merchant', env: 'production', hasRefreshToken: true, expiresAt: new Date(now.getTime() + 30_000).toISOString()}),
        entry({profile: 'other', expiresAt: new Date(now.getTime() - 1).toISOString()}),
      ],
      'default',
      now,
    )
    expect(result.status).toBe('warn')
    expect(result.detail).toContain('fluz user.sandbox (sandbox) expired 2m ago')
    expect(result.detail).toContain('shuttle merchant (production) expires in 30s')
    expect(result.detail).not.toContain('other')
    expect(result.fix).toContain('`ftauth fluz token --env sandbox`')
    expect(result.fix).toContain('`ftauth shuttle refresh --env production`')
  })

  it('names the renewing command per kind of token', () => {
    expect(renewCommand(entry({provider: 'funtrips', key: 'public.local.ft', env: 'local'}))).toBe('ftauth session create --headless --exchange --env local')
    expect(renewCommand(entry({provider: 'funtrips', key: 'backend.local.ft', env: 'local', meta: {kind: 'backend'}}))).toBe(
      'ftauth session create --headless --fresh --env local',
    )
    expect(renewCommand(entry({provider: 'shuttle', profile: 'ci'}))).toBe('ftauth shuttle login --env sandbox --profile ci')
  })
})

describe('permissions check', () => {
  it('passes for 0600 files in 0700 dirs and skips lock directories', async () => {
    await writeFile(join(dir, 'config.json'), '{}', {mode: 0o600})
    await mkdir(join(dir, 'locks', 'cache.lock'), {recursive: true, mode: 0o755})
    await chmod(join(dir, 'locks'), 0o700)
    await chmod(join(dir, 'locks', 'cache.lock'), 0o755)
    expect(await checkPermissions(dir, 'linux')).toMatchObject({status: 'pass'})
  })

  it('fails naming each loose path, with a chmod fix', async () => {
    await writeFile(join(dir, 'config.json'), '{}')
    await chmod(join(dir, 'config.json'), 0o644)
    await mkdir(join(dir, 'locks'))
    await chmod(join(dir, 'locks'), 0o755)
    const result = await checkPermissions(dir, 'linux')
    expect(result.status).toBe('fail')
    expect(result.detail).toContain(`${join(dir, 'config.json')} is 0644 (want 0600)`)
    expect(result.detail).toContain(`${join(dir, 'locks')} is 0755 (want 0700)`)
    expect(result.fix).toBe(`chmod 600 ${join(dir, 'config.json')} && chmod 700 ${join(dir, 'locks')}`)
  })

  it('quotes paths with spaces in the fix', () => {
    expect(chmodFix([{path: '/tmp/my dir/config.json', kind: 'file', mode: 0o644}])).toBe("chmod 600 '/tmp/my dir/config.json'")
  })

  it('passes when the dir does not exist yet', async () => {
    expect(await findLoosePaths(join(dir, 'missing'))).toBeUndefined()
    expect((await checkPermissions(join(dir, 'missing'), 'linux')).status).toBe('pass')
  })
})

describe('reachability check', () => {
  let emulator: Emulator
  beforeAll(async () => {
    emulator = await startEmulator({port: 0})
  })
  afterAll(() => emulator.close())

  it('counts any HTTP answer as reachable, sends no credentials, and samples the Date header', async () => {
    emulator.clearRequests()
    const http = new HttpClient({timeoutMs: 5000, maxAttempts: 1})
    const result = await checkReachable(http, 'fluz', 'local', [{key: 'fluz.urls.local.url', url: `${emulator.url}/fluz/api/v1/graphql`}], () => new Date())
    expect(result.check).toMatchObject({id: 'reach.fluz', status: 'pass'})
    expect(result.check.detail).toContain('→ HTTP 405')
    expect(result.samples).toHaveLength(1)
    const seen = emulator.requests()
    expect(seen.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /fluz/api/v1/graphql'])
    expect(seen[0]!.headers.authorization).toBeUndefined()
  })

  it('fails for a refused connection, with a fix naming the variable that set the URL', async () => {
    const http = new HttpClient({timeoutMs: 5000, maxAttempts: 1})
    const result = await checkReachable(
      http,
      'fluz',
      'sandbox',
      [{key: 'fluz.urls.sandbox.url', url: 'http://127.0.0.1:1', source: {source: 'env', origin: 'FTAUTH_FLUZ_URL'}}],
      () => new Date(),
    )
    expect(result.check.status).toBe('fail')
    expect(result.check.detail).toContain('connection refused')
    expect(result.check.fix).toContain('FTAUTH_FLUZ_URL')
    expect(result.samples).toEqual([])
  })
})
