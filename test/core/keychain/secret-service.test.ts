import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {promisify} from 'node:util'
import {AsyncEntry} from '@napi-rs/keyring'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {splitSignature} from '../../../src/core/keychain/dbus.js'
import {SecretServiceClient} from '../../../src/core/keychain/secret-service.js'
import {clearKeychainService} from '../../helpers/cli.js'

const run = promisify(execFile)
const store = async (service: string, account: string, value: string) => new AsyncEntry(service, account, {linux: {store: 'secret-service'}}).setPassword(value)

describe('D-Bus signatures', () => {
  it('splits a signature into complete types and refuses a broken one', () => {
    expect(splitSignature('sa{sv}(ii)aoo')).toEqual(['s', 'a{sv}', '(ii)', 'ao', 'o'])
    expect(splitSignature('a{o(oayays)}')).toEqual(['a{o(oayays)}'])
    expect(() => splitSignature('a{sv')).toThrow(/bad D-Bus signature/)
    expect(() => splitSignature('z')).toThrow(/bad D-Bus signature/)
  })
})

// Linux only: the Secret Service on the session bus (scripts/with-keyring.sh provides one).
describe.runIf(process.platform === 'linux' && process.env.DBUS_SESSION_BUS_ADDRESS)('Secret Service client (own D-Bus connection)', () => {
  const service = `ftauth-test-${randomBytes(4).toString('hex')}`
  let client: SecretServiceClient
  beforeAll(async () => {
    client = await SecretServiceClient.open(process.env.DBUS_SESSION_BUS_ADDRESS!)
  })
  afterAll(() => client.close())
  afterEach(() => clearKeychainService(service))

  it('reads, over an encrypted session, exactly what the keyring binding stored', async () => {
    const values = ['plain', 'unicode sécret 🔑 ✓', 'x'.repeat(1000), JSON.stringify({accessToken: randomBytes(600).toString('base64')})]
    for (const [i, value] of values.entries()) await store(service, `p:fluz:token:${i}`, value)
    for (const [i, value] of values.entries()) {
      expect(await client.read({service, username: `p:fluz:token:${i}`})).toEqual({found: true, value})
    }
  })

  it('writes items the binding reads back (same attributes and label), replaces them, and deletes them', async () => {
    const attributes = {service, username: 'p:shuttle:token'}
    expect(await client.write(attributes, `keyring:p:shuttle:token@${service}`, 'first 🔑')).toBe(true)
    expect(await client.write(attributes, `keyring:p:shuttle:token@${service}`, 'second 🔑')).toBe(true)
    const entry = new AsyncEntry(service, 'p:shuttle:token', {linux: {store: 'secret-service'}})
    expect(await entry.getPassword()).toBe('second 🔑')
    const {stdout} = await run('secret-tool', ['search', '--all', 'service', service])
    expect(stdout.match(/^label = (.*)$/gm)).toEqual([`label = keyring:p:shuttle:token@${service}`])
    expect(await client.delete(attributes)).toBe(true)
    expect(await entry.getPassword()).toBeNull()
    expect(await client.delete(attributes)).toBe(false)
  })

  it('updates an existing item in place (as the binding does) rather than adding a second one', async () => {
    // An item with an extra attribute, as another tool might have left it.
    await run('bash', ['-c', `printf old | secret-tool store --label=other service ${service} username p:fluz:api_key extra 1`])
    expect(await client.write({service, username: 'p:fluz:api_key'}, `keyring:p:fluz:api_key@${service}`, 'new')).toBe(true)
    const {stdout} = await run('secret-tool', ['search', '--all', 'service', service])
    expect(stdout.match(/^secret = (.*)$/gm)).toEqual(['secret = new'])
    expect(stdout).toContain('label = other')
  })

  it('lists the accounts of a service as the binding does, in one search and one attribute read per item', async () => {
    expect(await client.list({service}, 'username')).toEqual([])
    await store(service, 'p:fluz:sandbox.api_key', 'a')
    await store(service, 'p:shuttle:token:x', 'b')
    expect((await client.list({service}, 'username'))?.sort()).toEqual(['p:fluz:sandbox.api_key', 'p:shuttle:token:x'])
  })

  it('answers "not found" for an absent item without asking the binding', async () => {
    expect(await client.read({service, username: 'p:fluz:none'})).toEqual({found: false})
  })

  it('leaves several matching items to the binding (undefined), rather than picking one', async () => {
    await store(service, 'p:funtrips:dup', 'first')
    // A second item whose attributes include ours: SearchItems matches both.
    await run('bash', ['-c', `printf second | secret-tool store --label=dup service ${service} username p:funtrips:dup extra 1`])
    expect(await client.read({service, username: 'p:funtrips:dup'})).toBeUndefined()
  })
})
