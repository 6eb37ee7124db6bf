// The end-to-end layer: every command once as a real process (`node bin/run.js`, what users run),
// against the emulator. Most other tests run the same built CLI inside their worker
// (test/helpers/in-process.ts); this file keeps bin/run.js, process exit codes, stdin pipes and
// flushing on exit covered for each command. `emulator` runs as a process in
// test/package/pack.test.ts and test/ux/examples.test.ts; here, like `demo`, its --help.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {DEMO} from '../../src/emulator/index.js'
import {JWT, makeWorld, type World} from '../call/helpers.js'
import {ROOT, type CliResult} from '../helpers/cli.js'
import {TEST_BROWSER} from '../shuttle/helpers.js'

vi.setConfig({testTimeout: 180_000, hookTimeout: 60_000})

let world: World
beforeAll(async () => {
  world = await makeWorld()
})
afterAll(() => world?.close())

/** `ftauth <args>` as a new process, always. */
function spawned(args: string[], options: {stdin?: string; env?: Record<string, string>} = {}): Promise<CliResult> {
  return world.run(args, {...options, spawn: true})
}

function ok(result: CliResult): CliResult {
  expect(result.code, result.stderr).toBe(0)
  return result
}

describe('every command as a process (bin/run.js)', () => {
  it('status, login, logout, doctor', async () => {
    expect(ok(await spawned(['status'])).stdout).toMatch(/Funtrips/)
    ok(await spawned(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin'], {stdin: DEMO.funtrips.clientSecret}))
    expect(JSON.parse(ok(await spawned(['status', '--json'])).stdout)).toBeTypeOf('object')
    const doctor = await spawned(['doctor', '--json'])
    expect([0, 1], doctor.stderr).toContain(doctor.code)
    expect(JSON.parse(doctor.stdout)).toHaveProperty('checks')
    ok(await spawned(['logout', 'funtrips']))
  })

  it('config set, get, list, unset', async () => {
    ok(await spawned(['config', 'set', 'fluz.scopes', 'LIST_OFFERS']))
    expect(ok(await spawned(['config', 'get', 'fluz.scopes'])).stdout).toContain('LIST_OFFERS')
    expect(ok(await spawned(['config', 'list'])).stdout).toContain('fluz.scopes')
    ok(await spawned(['config', 'unset', 'fluz.scopes']))
    expect((await spawned(['config', 'get', 'fluz.scopes'])).stdout).not.toContain('LIST_OFFERS')
  })

  it('session create and exchange (Funtrips), call', async () => {
    expect(ok(await spawned(['session', 'create', '--headless', '--exchange', '-q'])).stdout.trim()).not.toBe('')
    const code = ok(await spawned(['session', 'create', '--headless', '-q'])).stdout.trim()
    expect(code).toMatch(/^sc_/)
    expect(ok(await spawned(['session', 'exchange', '-q'], {stdin: code})).stdout.trim()).not.toBe('')
    const checkout = ok(await spawned(['call', 'POST', '--provider', 'funtrips', '/v1/merchants/mer_zoo/checkouts', '-d', '{"product_id":"prd_zoo_adult"}']))
    expect(JSON.parse(checkout.stdout)).toHaveProperty('id')
  })

  it('fluz token, refresh and scopes; token inspect and diff', async () => {
    const first = ok(await spawned(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'])).stdout.trim()
    expect(first).toMatch(JWT)
    const refreshed = ok(await spawned(['fluz', 'refresh', '-q'])).stdout.trim()
    expect(refreshed).toMatch(JWT)
    expect(JSON.parse(ok(await spawned(['fluz', 'scopes', '--json'])).stdout)).toBeTypeOf('object')
    expect(JSON.parse(ok(await spawned(['token', 'inspect', 'fluz', '--json'])).stdout)).toBeTypeOf('object')
    const diff = await spawned(['token', 'diff', '-', 'fluz', '--json'], {stdin: first})
    expect([0, 1], diff.stderr).toContain(diff.code)
    expect(JSON.parse(diff.stdout)).toBeTypeOf('object')
  })

  it('shuttle login, refresh and revoke', async () => {
    ok(await spawned(['shuttle', 'login', '--wait', '60', '--port', '0'], {env: {BROWSER: TEST_BROWSER}}))
    expect(ok(await spawned(['shuttle', 'refresh', '-q'])).stdout.trim()).not.toBe('')
    ok(await spawned(['shuttle', 'revoke']))
  })

  it('help (oclif), autocomplete, emulator and demo help, --version', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    expect(Object.keys(manifest.commands).length).toBeGreaterThanOrEqual(21)
    for (const args of [['--help'], ['emulator', '--help'], ['demo', '--help']]) expect(ok(await spawned(args)).stdout, args.join(' ')).toContain('USAGE')
    expect(ok(await spawned(['autocomplete', 'fish'])).stdout).toContain('complete')
    expect(ok(await spawned(['--version'])).stdout).toMatch(/^ftauth\/\d+\.\d+\.\d+ /)
  })
})
