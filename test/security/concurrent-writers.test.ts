// Issue 16, "concurrent writers": every read-modify-write of config.json runs under the config
// lock; a login stores its secret and its ids as one unit (restoring the old secret when the
// profile cannot be written); parallel logouts never fail.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {loadConfig} from '../../src/core/config.js'
import {MemoryBackend} from '../../src/core/secret-backends.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {storeIdentity} from '../../src/providers/login.js'
import {keychainEntries, makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'
import {inProcessDeps} from '../helpers/deps.js'

runCliInProcess()

vi.setConfig({testTimeout: 240_000, hookTimeout: 120_000})

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0, autoApprove: true})
})
afterAll(() => emulator?.close())

const UUIDS = ['6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', 'a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d', '0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a']
const failures = (results: {code: number; stderr: string}[]) =>
  results.flatMap((result, index) => (result.code === 0 ? [] : [`#${index}: exit ${result.code} ${result.stderr.trim().split('\n').at(-1)}`]))

describe('parallel writers of config.json lose nothing', () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await makeSandbox(emulator.url)
  })
  afterAll(() => sandbox?.cleanup())

  it('logins of three providers and several `config set`s at once: every setting survives (two rounds)', async () => {
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all([
        sandbox.run(['login', 'funtrips', '--client-id', `ft-client-${round}`, '--client-secret-stdin', '--no-verify'], {
          stdin: `ft-secret-${round}-0123456789`,
        }),
        sandbox.run(['login', 'shuttle', '--client-id', `sh-client-${round}`, '--client-secret-stdin', '--no-verify'], {
          stdin: `sh-secret-${round}-0123456789`,
        }),
        sandbox.run(['login', 'fluz', '--user-id', UUIDS[round]!, '--account-id', UUIDS[2]!, '--api-key-stdin', '--no-verify'], {
          stdin: `fz-key-${round}-0123456789`,
        }),
        sandbox.run(['config', 'set', 'funtrips.campaignId', `campaign-${round}`]),
        sandbox.run(['config', 'set', 'fluz.scopes', `LIST_OFFERS,SCOPE_${round}`]),
        sandbox.run(['config', 'set', 'shuttle.scope', `read-${round}`]),
        sandbox.run(['config', 'set', 'defaultProvider', 'fluz']),
        sandbox.run(['config', 'set', 'funtrips.urls.sandbox.apiUrl', `https://api.example.com/r${round}`]),
      ])
      expect(failures(results)).toEqual([])
      const profile = (await loadConfig(join(sandbox.configDir, 'config.json'))).profiles.default!
      expect(profile).toEqual({
        defaultProvider: 'fluz',
        // Ids belong to the environment logged in to (local here).
        funtrips: {
          ids: {local: {clientId: `ft-client-${round}`}},
          campaignId: `campaign-${round}`,
          urls: {sandbox: {apiUrl: `https://api.example.com/r${round}`}},
        },
        shuttle: {ids: {local: {clientId: `sh-client-${round}`}}, scope: `read-${round}`},
        fluz: {ids: {local: {userId: UUIDS[round], accountId: UUIDS[2]}}, scopes: ['LIST_OFFERS', `SCOPE_${round}`]},
      })
      const secrets = await keychainEntries(sandbox.service)
      expect(secrets.get('default:funtrips:local.client_secret')).toBe(`ft-secret-${round}-0123456789`)
      expect(secrets.get('default:shuttle:local.client_secret')).toBe(`sh-secret-${round}-0123456789`)
      expect(secrets.get('default:fluz:local.api_key')).toBe(`fz-key-${round}-0123456789`)
    }
  })

  it('8 logins of one provider at once always leave a matching client id / secret pair', async () => {
    for (let round = 0; round < 2; round++) {
      const runs = Array.from({length: 8}, (_, index) => `${round}-${index}`)
      const results = await Promise.all(
        runs.map((id) =>
          sandbox.run(['login', 'shuttle', '--client-id', `client-${id}`, '--client-secret-stdin', '--no-verify'], {stdin: `secret-for-${id}-0123456789`}),
        ),
      )
      expect(failures(results)).toEqual([])
      const clientId = (await loadConfig(join(sandbox.configDir, 'config.json'))).profiles.default?.shuttle?.ids?.local?.clientId
      const secret = (await keychainEntries(sandbox.service)).get('default:shuttle:local.client_secret')
      expect(clientId).toMatch(/^client-\d-\d$/)
      expect(secret).toBe(`secret-for-${clientId!.slice('client-'.length)}-0123456789`)
    }
  })

  it('parallel logouts (one provider, all, twice over) never fail, and leave nothing stored', async () => {
    const results = await Promise.all([
      ...Array.from({length: 4}, () => sandbox.run(['logout', '--all'])),
      ...Array.from({length: 2}, () => sandbox.run(['logout', 'shuttle', '--json'])),
      ...Array.from({length: 2}, () => sandbox.run(['logout', 'fluz'])),
    ])
    expect(failures(results)).toEqual([])
    expect([...(await keychainEntries(sandbox.service)).keys()]).toEqual([])
    // Each entry was removed by exactly one of them.
    const removed = results.filter((result) => /^Removed/.test(result.stdout) || /"removed": \[\s*"/.test(result.stdout))
    expect(removed.length).toBeGreaterThan(0)
  })
})

describe('a login whose profile cannot be written keeps the previous secret', () => {
  it('restores the old secret, or removes the new one when there was none', async () => {
    const world = await inProcessDeps(emulator.url)
    try {
      const {deps} = world
      const failing = () => {
        throw new Error('disk full (simulated)')
      }
      await deps.store.setSecret('shuttle', 'client_secret', {env: 'local'}, 'old-secret-0123456789')
      await expect(
        storeIdentity(deps, {provider: 'shuttle', secretName: 'client_secret', env: 'local', secret: 'new-secret-0123456789', profileChange: failing}),
      ).rejects.toThrow('disk full')
      expect(await deps.store.get('shuttle', 'local.client_secret')).toBe('old-secret-0123456789')
      await expect(
        storeIdentity(deps, {provider: 'funtrips', secretName: 'client_secret', env: 'local', secret: 'new-secret-0123456789', profileChange: failing}),
      ).rejects.toThrow('disk full')
      expect(await deps.store.get('funtrips', 'local.client_secret')).toBeNull()
      expect((deps.store.backend as MemoryBackend) instanceof MemoryBackend).toBe(true)
      expect(await readFile(deps.paths.config, 'utf8').catch(() => 'absent')).toBe('absent')
    } finally {
      await world.cleanup()
    }
  })
})
