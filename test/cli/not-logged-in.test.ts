// One rule for "not logged in": a missing credential is exit 3 on every command and provider; a
// token that cannot be obtained without a person (Shuttle's browser login) is exit 4.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'

runCliInProcess()

let sandbox: Sandbox
let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  // Sandbox/production environments, an empty throwaway keychain, no FTAUTH_* credentials.
  sandbox = await makeSandbox()
})
afterAll(async () => {
  await sandbox.cleanup()
  await emulator.close()
})

const CODE = `sc_${'a'.repeat(32)}`
const TABLE: [provider: string, args: string[]][] = [
  // A session needs a user too (its own exit 2); given here, so only the missing login is wrong.
  ['funtrips', ['session', 'create', '--headless', '--user', 'ada@example.com']],
  ['funtrips', ['session', 'create', '--webframe', '--user', 'ada@example.com']],
  ['funtrips', ['session', 'create', '--headless', '--exchange', '--user', 'ada@example.com']],
  ['funtrips', ['session', 'exchange', CODE]],
  ['funtrips', ['call', '--provider', 'funtrips', '/v1/merchants']],
  ['funtrips', ['call', '--provider', 'funtrips', '--as', 'backend', '/v1/merchants']],
  ['fluz', ['fluz', 'token', '--scopes', 'LIST_OFFERS']],
  ['fluz', ['fluz', 'refresh']],
  ['fluz', ['fluz', 'scopes']],
  ['fluz', ['call', 'fluz', '--query', 'query { offers(first: 1) { success totalCount } }']],
  ['shuttle', ['shuttle', 'login', '--no-browser']],
  ['shuttle', ['shuttle', 'refresh']],
  ['shuttle', ['call', '--provider', 'shuttle', '/payment_links']],
]

describe('missing credentials', () => {
  it.each(TABLE)('%s: ftauth %s exits 3 naming the login', async (provider, args) => {
    const result = await sandbox.run(args, {timeoutMs: 20_000})
    expect(result.code, result.stderr).toBe(3)
    expect(result.stderr).toContain(`ftauth login ${provider}`)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe('nothing stored', () => {
  it('shuttle revoke has nothing to revoke and needs no credentials for that: exit 0', async () => {
    const result = await sandbox.run(['shuttle', 'revoke'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout + result.stderr).toContain('nothing to revoke')
  })
})

describe('a missing token', () => {
  it('that can be obtained is obtained (call with credentials and no cached token)', async () => {
    const local = {FTAUTH_ENV: 'local', FTAUTH_LOCAL_URL: emulator.url}
    expect((await sandbox.run(['call', '--provider', 'funtrips', '/v1/merchants'], {env: local})).code).toBe(0)
    expect((await sandbox.run(['config', 'set', 'fluz.scopes', 'LIST_OFFERS'])).code).toBe(0)
    const fluz = await sandbox.run(['call', 'fluz', '--query', 'query { offers(first: 1) { success totalCount } }'], {env: local})
    expect((await sandbox.run(['config', 'unset', 'fluz.scopes'])).code).toBe(0)
    expect(fluz.code, fluz.stderr).toBe(0)
  })

  it('that cannot be obtained without a person is exit 4 (Shuttle: a browser login)', async () => {
    const result = await sandbox.run(['call', '--provider', 'shuttle', '/payment_links'], {env: {FTAUTH_ENV: 'local', FTAUTH_LOCAL_URL: emulator.url}})
    expect(result.code, result.stderr).toBe(4)
    expect(result.stderr).toContain('ftauth shuttle login')
  })
})
