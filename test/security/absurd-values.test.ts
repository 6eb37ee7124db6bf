// Issue 16, "absurd values end in documented codes, not exit 1": an expires_in of 1e308, a response
// body over 10 MB (exit 6), stdin over its cap (exit 2), timers beyond 2^31 ms (capped), a full
// disk (exit 1 "disk full", no temp file, no orphan secret). Plus a Shuttle login that a forged
// redirect cannot end (wrong state: error page, warning, still waiting).
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {expiryOf} from '../../src/core/jwt.js'
import {MAX_TIMER_MS, timerMs} from '../../src/core/time.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {clearKeychainService, keychainEntries, makeSandbox, runCli, runCliInProcess, type Sandbox} from '../helpers/cli.js'
import {TEST_BROWSER} from '../shuttle/helpers.js'

runCliInProcess()

vi.setConfig({testTimeout: 180_000, hookTimeout: 120_000})
const exec = promisify(execFile)

let emulator: Emulator
let sandbox: Sandbox
beforeAll(async () => {
  emulator = await startEmulator({port: 0, autoApprove: true})
  sandbox = await makeSandbox(emulator.url)
})
afterAll(async () => {
  await sandbox?.cleanup()
  await emulator?.close()
})

describe('absurd numbers', () => {
  it('an expires_in of 1e308 (or Infinity, or 1e22) gives a valid expiry, never an Invalid Date', () => {
    const receivedAt = new Date('2026-01-01T00:00:00Z')
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(1e308, Number.MAX_VALUE, 1e22, 2 ** 53, Infinity), fc.double({min: 1, max: 1e308, noNaN: true})), (expiresIn) => {
        const {expiresAt} = expiryOf({token: 'opaque-token-value', receivedAt, expiresInSeconds: expiresIn})
        expect(Number.isNaN(expiresAt.getTime())).toBe(false)
        expect(() => expiresAt.toISOString()).not.toThrow()
      }),
    )
  })

  it('timers beyond 2^31 ms are capped, not fired at once', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({noNaN: true}), fc.constantFrom(Infinity, -Infinity, 2 ** 31, 2 ** 40, 1e308)), (ms) => {
        const capped = timerMs(ms)
        expect(capped).toBeGreaterThanOrEqual(0)
        expect(capped).toBeLessThanOrEqual(MAX_TIMER_MS)
        if (ms >= MAX_TIMER_MS) expect(capped).toBe(MAX_TIMER_MS)
      }),
    )
  })

  it('a --timeout or FTAUTH_KEYCHAIN_TIMEOUT beyond 2^31 ms does not fire at once (no TimeoutOverflowWarning, the command works)', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '--timeout', String(3e9)], {env: {FTAUTH_KEYCHAIN_TIMEOUT: '1e10'}})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).not.toContain('TimeoutOverflowWarning')
  })
})

describe('oversized input', () => {
  it('a response body over 10 MB is exit 6 naming the endpoint, in every mode', async () => {
    emulator.inject({method: 'POST', path: '/funtrips/oauth/token', kind: 'huge-body', count: 2})
    for (const mode of [[], ['--json']]) {
      const result = await sandbox.run(['session', 'create', '--headless', '--fresh', ...mode])
      expect(result.code, result.stderr).toBe(6)
      expect(result.stderr).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/funtrips\/oauth\/token sent a response body over 10 MB/)
    }
  })

  it('stdin over its cap is exit 2, for secrets, tokens and codes alike', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10)
    for (const args of [
      ['login', 'shuttle', '--client-id', 'c', '--client-secret-stdin', '--no-verify'],
      ['token', 'inspect', '-'],
      ['session', 'exchange'],
    ]) {
      const result = await sandbox.run(args, {stdin: big})
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2)
      expect(result.stderr).toMatch(/stdin is larger than \d+ [KM]B/)
    }
    expect([...(await keychainEntries(sandbox.service)).keys()].filter((account) => account.includes('client_secret'))).toEqual([])
  })
})

/** A tiny tmpfs, filled up: needs root and mount(2); skipped where neither is available. */
async function fullDisk(): Promise<{dir: string; release: () => Promise<void>} | undefined> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined
  const dir = await mkdtemp(join(tmpdir(), 'ftauth-full-'))
  try {
    await exec('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir])
  } catch {
    await rm(dir, {recursive: true, force: true})
    return undefined
  }
  const release = async () => {
    await exec('umount', [dir]).catch(() => undefined)
    await rm(dir, {recursive: true, force: true})
  }
  return {dir, release}
}

describe('a full disk', () => {
  it('is exit 1 "disk full": no temp file, the old config intact, no orphan secret', async (context) => {
    const disk = await fullDisk()
    if (!disk) return context.skip()
    const service = `ftauth-test-${randomBytes(4).toString('hex')}`
    try {
      const configDir = join(disk.dir, 'ftauth')
      const env = {FTAUTH_CONFIG_DIR: configDir, FTAUTH_KEYCHAIN_SERVICE: service, FTAUTH_ENV: 'local', FTAUTH_LOCAL_URL: emulator.url}
      const first = await runCli(['config', 'set', 'funtrips.campaignId', 'before'], {env})
      expect(first.code, first.stderr).toBe(0)
      const before = await readdir(configDir)
      // Fill what is left (a file that takes every free block).
      await writeFile(join(disk.dir, 'filler'), Buffer.alloc(256 * 1024)).catch(() => undefined)
      for (let i = 0; i < 64; i++) await writeFile(join(disk.dir, `filler-${i}`), Buffer.alloc(1024)).catch(() => undefined)

      const set = await runCli(['config', 'set', 'funtrips.campaignId', `after-${'x'.repeat(4000)}`], {env})
      expect(set.code, set.stderr).toBe(1)
      expect(set.stderr).toMatch(/^error: disk full \(ENOSPC/m)

      const login = await runCli(['login', 'shuttle', '--client-id', `client-${'y'.repeat(4000)}`, '--client-secret-stdin', '--no-verify'], {
        env,
        stdin: 'a-new-secret-0123456789',
      })
      expect(login.code, login.stderr).toBe(1)
      expect(login.stderr).toContain('disk full')

      expect((await readdir(configDir)).filter((name) => name.endsWith('.tmp'))).toEqual([])
      expect((await readdir(configDir)).sort()).toEqual(before.sort())
      const stored = await runCli(['config', 'get', 'funtrips.campaignId', '-q'], {env})
      expect(stored.stdout.trim()).toBe('before')
      // The secret written before the failed config write was taken back.
      expect([...(await keychainEntries(service)).keys()]).toEqual([])
    } finally {
      await clearKeychainService(service)
      await disk.release()
    }
  })
})

describe('Shuttle login and a forged redirect', () => {
  it('answers a wrong state with an error page and a warning, keeps waiting, and logs in with the real redirect', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'ftauth-state-'))
    try {
      await mkdir(scratch, {recursive: true})
      for (const mode of [[], ['--json']]) {
        emulator.clearRequests()
        const log = join(scratch, `browser-${mode.length}.json`)
        const result = await sandbox.run(['shuttle', 'login', '--wait', '30', ...mode], {
          env: {BROWSER: TEST_BROWSER, FTAUTH_TEST_FORGE_STATE: 'then-real', FTAUTH_TEST_BROWSER_LOG: log},
        })
        expect(result.code, result.stderr).toBe(0)
        expect(result.stderr).toMatch(/^warning: ignored a redirect whose state does not match/m)
        const page = JSON.parse(await (await import('node:fs/promises')).readFile(log, 'utf8')) as {status: number; forged?: {status: number; title: string}}
        expect(page.status).toBe(200)
        expect(page.forged).toEqual({status: 400, title: 'Not this login'})
        const exchanges = emulator
          .requests()
          .filter((request) => request.path === '/shuttle/token' && new URLSearchParams(request.body).get('grant_type') === 'authorization_code')
        expect(exchanges).toHaveLength(1)
        expect(new URLSearchParams(exchanges[0]!.body).get('code')).not.toBe('ac_forged_code_0000')
      }
    } finally {
      await rm(scratch, {recursive: true, force: true})
    }
  })
})
