// One keychain, several config dirs: each dir's entries live under its own service. These runs use
// the real (throwaway, see scripts/with-keyring.sh) Secret Service without FTAUTH_KEYCHAIN_SERVICE,
// so the CLI chooses the service itself; every entry made here is removed by exact service+account.
import {randomBytes} from 'node:crypto'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {KEYCHAIN_SERVICE, scopedService} from '../../src/core/keychain-scope.js'
import {clearKeychainService, keychainEntries, runCli, type RunOptions} from '../helpers/cli.js'

const hasKeychain = process.platform === 'linux' && Boolean(process.env.DBUS_SESSION_BUS_ADDRESS)
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  cleanups.push(() => rm(dir, {recursive: true, force: true}))
  return dir
}

/** A config dir chosen by FTAUTH_CONFIG_DIR, its keychain service left to the CLI. */
async function configDir() {
  const dir = await tempDir('ftauth-scope-')
  const env = {FTAUTH_CONFIG_DIR: dir, NO_COLOR: '1'}
  const run = (args: string[], options: RunOptions = {}) => runCli(args, {...options, env: {...env, ...options.env}})
  const service = async () => {
    const {keychainId} = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as {keychainId: string}
    return scopedService(keychainId)
  }
  cleanups.push(async () => clearKeychainService(await service().catch(() => 'ftauth-never-used')))
  return {dir, run, service}
}

const login = (run: (args: string[], options?: RunOptions) => ReturnType<typeof runCli>, secret: string, profile = 'default') =>
  run(['login', 'funtrips', '--client-id', 'scope-client', '--client-secret-stdin', '--no-verify', '--env', 'sandbox', '--profile', profile], {stdin: secret})

const funtripsSecret = async (run: (args: string[]) => ReturnType<typeof runCli>, profile = 'default') => {
  const status = JSON.parse((await run(['status', '--json', '--env', 'sandbox', '--profile', profile])).stdout)
  return status.providers.find((provider: {provider: string}) => provider.provider === 'funtrips').credentials[0].storage as string
}

describe.runIf(hasKeychain)('keychain entries scoped to their config dir', () => {
  it("a second config dir neither sees nor deletes the first one's secrets", async () => {
    const first = await configDir()
    const second = await configDir()
    expect((await login(first.run, 'first-dir-secret')).code).toBe(0)
    // The first write gave the dir its id; the secret sits under that dir's service only.
    const service = await first.service()
    expect(service).toMatch(/^ftauth:[0-9a-f]{16}$/)
    expect((await keychainEntries(service)).get('default:funtrips:sandbox.client_secret')).toBe('first-dir-secret')

    expect(await funtripsSecret(second.run)).toBe('missing')
    expect((await second.run(['logout', '--all'])).code).toBe(0)
    expect(await funtripsSecret(first.run)).toBe('keychain')
    expect((await keychainEntries(service)).get('default:funtrips:sandbox.client_secret')).toBe('first-dir-secret')

    // Its own login and logout touch its own service, exactly.
    expect((await login(second.run, 'second-dir-secret')).code).toBe(0)
    expect(await second.service()).not.toBe(service)
    expect((await second.run(['logout', '--all'])).code).toBe(0)
    expect(await funtripsSecret(second.run)).toBe('missing')
    expect((await keychainEntries(service)).get('default:funtrips:sandbox.client_secret')).toBe('first-dir-secret')
  })

  it('the default config dir keeps the service every earlier version used (nothing to migrate, nothing lost)', async () => {
    const home = await tempDir('ftauth-home-')
    // A unique profile, so entries of the shared `ftauth` service are never confused with others.
    const profile = `migration-${randomBytes(4).toString('hex')}`
    const account = `${profile}:funtrips:sandbox.client_secret`
    const {AsyncEntry} = await import('@napi-rs/keyring')
    const entry = new AsyncEntry(KEYCHAIN_SERVICE, account, {linux: {store: 'secret-service'}})
    cleanups.push(async () => {
      await entry.deleteCredential().catch(() => undefined)
    })
    // What an older ftauth left behind: service `ftauth`, account `<profile>:<provider>:<name>`.
    await entry.setPassword('stored-by-an-older-version')
    const defaultDir = {HOME: home, XDG_CONFIG_HOME: undefined, NO_COLOR: '1'}
    const run = (args: string[], options: RunOptions = {}) => runCli(args, {...options, env: {...defaultDir, ...options.env}})

    expect(await funtripsSecret(run, profile)).toBe('keychain')
    // A write in the default dir keeps the old service and gives the dir no id.
    expect(
      (
        await run(
          [
            'login',
            'fluz',
            '--user-id',
            '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
            '--account-id',
            '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
            '--api-key-stdin',
            '--no-verify',
            '--env',
            'sandbox',
            '--profile',
            profile,
          ],
          {stdin: 'fluz-key'},
        )
      ).code,
    ).toBe(0)
    cleanups.push(async () => {
      await new AsyncEntry(KEYCHAIN_SERVICE, `${profile}:fluz:sandbox.api_key`, {linux: {store: 'secret-service'}}).deleteCredential().catch(() => undefined)
    })
    const config = JSON.parse(await readFile(join(home, '.config', 'ftauth', 'config.json'), 'utf8'))
    expect(config.keychainId).toBeUndefined()
    expect(await entry.getPassword()).toBe('stored-by-an-older-version')

    // Another config dir does not see the default dir's entries.
    const other = await configDir()
    expect(await funtripsSecret(other.run, profile)).toBe('missing')
    expect((await other.run(['logout', '--all', '--profile', profile])).code).toBe(0)
    expect(await entry.getPassword()).toBe('stored-by-an-older-version')
  })
})
