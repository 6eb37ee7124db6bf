// Identities (ids and secrets) belong to an environment: two Fluz logins live side by side in one
// profile, `status --env X` shows each, `token diff fluz:sandbox fluz:production` needs no env
// variables, the default environment changes only with --default, and old files are migrated once.
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {DEMO, emulatorUrls, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {keychainEntries, makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'

runCliInProcess()

let emulator: Emulator
let sandbox: Sandbox
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())
beforeEach(async () => {
  // No FTAUTH_ENV: the environments are chosen per command, as a user would.
  sandbox = await makeSandbox()
  const urls = emulatorUrls(emulator.url)
  for (const [key, value] of [
    ['fluz.urls.sandbox.url', urls.fluzSandbox],
    ['fluz.urls.production.url', urls.fluzProduction],
  ] as const) {
    expect((await sandbox.run(['config', 'set', key, value])).code).toBe(0)
  }
})
afterEach(() => sandbox.cleanup())

// biome-ignore lint/suspicious/noExplicitAny: the test reads deep into the written JSON; a wrong path fails its assertion
const configOf = async () => JSON.parse(await readFile(join(sandbox.configDir, 'config.json'), 'utf8')) as {version: number; profiles: Record<string, any>}
const loginFluz = (env: string, extra: string[] = []) =>
  sandbox.run(['login', 'fluz', '--env', env, '--user-id', DEMO.fluz.userId, '--account-id', DEMO.fluz.accountId, '--api-key-stdin', ...extra], {
    stdin: DEMO.fluz.apiKey,
  })

describe('two Fluz identities in one profile', () => {
  it('login --env production leaves the sandbox identity and the default environment alone', async () => {
    expect((await loginFluz('sandbox')).code).toBe(0)
    const production = await loginFluz('production', ['--seat-id', DEMO.fluz.seatId])
    expect(production.code).toBe(0)
    expect(production.stdout).not.toMatch(/by default/)
    const fluz = (await configOf()).profiles.default.fluz
    expect(fluz.ids).toEqual({
      sandbox: {userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId},
      production: {userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId, seatId: DEMO.fluz.seatId},
    })
    expect(fluz.env).toBeUndefined()
    const accounts = [...(await keychainEntries(sandbox.service)).keys()].sort()
    expect(accounts).toEqual(['default:fluz:production.api_key', 'default:fluz:sandbox.api_key'])

    // status --env X: X is the active one, the other environment is listed with its own ids.
    for (const [env, other] of [
      ['sandbox', 'production'],
      ['production', 'sandbox'],
    ] as const) {
      const status = await sandbox.run(['status', '--env', env, '--json'])
      const fluzStatus = (
        JSON.parse(status.stdout) as {
          providers: {provider: string; env: string; identities: {env: string; active: boolean; secretStored: boolean; ids: Record<string, string>}[]}[]
        }
      ).providers.find((p) => p.provider === 'fluz')!
      expect(fluzStatus.env).toBe(env)
      expect(fluzStatus.identities.map((identity) => [identity.env, identity.active, identity.secretStored])).toEqual([
        ['sandbox', env === 'sandbox', true],
        ['production', env === 'production', true],
      ])
      expect(fluzStatus.identities.find((identity) => identity.env === 'production')?.ids.seatId).toBe(DEMO.fluz.seatId)
      const human = await sandbox.run(['status', '--env', env])
      expect(human.stdout).toMatch(new RegExp(`identity ${other}\\s+${DEMO.fluz.userId}`))
    }
  })

  it('token diff fluz:sandbox fluz:production works in one profile without environment variables', async () => {
    expect((await loginFluz('sandbox')).code).toBe(0)
    expect((await loginFluz('production')).code).toBe(0)
    expect((await sandbox.run(['fluz', 'token', '--env', 'sandbox', '--scopes', 'LIST_OFFERS', '-q'])).code).toBe(0)
    expect((await sandbox.run(['fluz', 'token', '--env', 'production', '--scopes', 'LIST_OFFERS', '-q'])).code).toBe(0)
    const diff = await sandbox.run(['token', 'diff', 'fluz:sandbox', 'fluz:production', '--json'])
    expect(diff.code).toBe(0)
    const body = JSON.stringify(JSON.parse(diff.stdout))
    expect(body).toContain('/fluz/sandbox')
    expect(body).toContain('/fluz/production')
  })

  it("--default makes the login's environment the default, and says so", async () => {
    const result = await loginFluz('production', ['--default'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Fluz now uses production by default in profile default')
    expect((await configOf()).profiles.default.fluz.env).toBe('production')
    const status = JSON.parse((await sandbox.run(['status', '--json'])).stdout) as {providers: {provider: string; env: string}[]}
    expect(status.providers.find((p) => p.provider === 'fluz')?.env).toBe('production')
  })

  it("the emulator's demo ids stay in local: nothing of them shows in sandbox", async () => {
    const local = await sandbox.run(['status', '--env', 'local', '--json'])
    expect(local.stdout).toContain(DEMO.fluz.userId)
    const sandboxStatus = await sandbox.run(['status', '--env', 'sandbox', '--json'])
    expect(sandboxStatus.stdout).not.toContain(DEMO.fluz.userId)
    expect(sandboxStatus.stdout).not.toContain(DEMO.shuttle.clientId)
  })

  it("config set/get address one environment: fluz.userId --env production is production's only", async () => {
    const other = '11111111-2222-4333-8444-555555555555'
    expect((await sandbox.run(['config', 'set', 'fluz.userId', other, '--env', 'production'])).code).toBe(0)
    expect((await configOf()).profiles.default.fluz.ids).toEqual({production: {userId: other}})
    expect((await sandbox.run(['config', 'get', 'fluz.userId', '--env', 'production', '-q'])).stdout).toBe(`${other}\n`)
    expect((await sandbox.run(['config', 'get', 'fluz.userId', '--env', 'sandbox', '-q'])).stdout).toBe('')
    // FTAUTH_* overrides act on the active environment only.
    const overridden = await sandbox.run(['config', 'get', 'fluz.ids.production.userId', '--json', '--env', 'sandbox'], {
      env: {FTAUTH_FLUZ_USER_ID: DEMO.fluz.userId},
    })
    expect(JSON.parse(overridden.stdout)).toMatchObject({value: other, source: 'profile'})
  })
})

describe('migration of a version 1 config', () => {
  it("moves profile-wide ids to the profile's environment on the first write and keeps the old file as config.json.bak, once", async () => {
    const path = join(sandbox.configDir, 'config.json')
    const old = {
      version: 1,
      profiles: {
        default: {
          fluz: {env: 'production', userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId},
          shuttle: {clientId: 'sh_live'},
          funtrips: {clientId: 'ft_x'},
        },
      },
    }
    const oldText = JSON.stringify(old)
    await writeFile(path, oldText, {mode: 0o600})
    // Reading works before any write: the ids already count for their environment.
    expect((await sandbox.run(['config', 'get', 'fluz.userId', '-q'])).stdout).toBe(`${DEMO.fluz.userId}\n`)
    expect((await sandbox.run(['config', 'set', 'env', 'sandbox'])).code).toBe(0)
    const migrated = await configOf()
    expect(migrated.version).toBe(2)
    expect(migrated.profiles.default).toEqual({
      env: 'sandbox',
      fluz: {env: 'production', ids: {production: {userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId}}},
      shuttle: {ids: {production: {clientId: 'sh_live'}}},
      funtrips: {ids: {sandbox: {clientId: 'ft_x'}}},
    })
    expect(await readFile(`${path}.bak`, 'utf8')).toBe(oldText)
    expect((await sandbox.run(['config', 'set', 'env', 'production'])).code).toBe(0)
    expect(await readFile(`${path}.bak`, 'utf8')).toBe(oldText)
  })
})
