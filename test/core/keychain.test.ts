import {randomBytes} from 'node:crypto'
import {mkdtemp, rm} from 'node:fs/promises'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {CHUNK_CHARS, KeychainBackend} from '../../src/core/keychain.js'
import {DEMO} from '../../src/emulator/index.js'
import {clearKeychainService, keychainEntries, makeSandbox} from '../helpers/cli.js'

describe('keychain backend (real Secret Service)', () => {
  const service = `ftauth-test-${randomBytes(4).toString('hex')}`
  const keychain = new KeychainBackend(service, 10_000)
  afterEach(async () => {
    await clearKeychainService(service)
  })

  it('round-trips, lists and deletes an entry', async () => {
    await keychain.set('p:fluz:local.api_key', 'value-1')
    expect(await keychain.get('p:fluz:local.api_key')).toBe('value-1')
    expect(await keychain.accounts()).toEqual(['p:fluz:local.api_key'])
    expect(await keychain.delete('p:fluz:local.api_key')).toBe(true)
    expect(await keychain.get('p:fluz:local.api_key')).toBeNull()
    expect(await keychain.delete('p:fluz:local.api_key')).toBe(false)
  })

  it('stores a 16 KB secret in chunks, reads it back whole and deletes every chunk', async () => {
    const big = randomBytes(12_000).toString('base64') // 16,000 chars
    await keychain.set('p:shuttle:token:big', big)
    const raw = await keychainEntries(service)
    expect(raw.size).toBe(1 + Math.ceil(big.length / CHUNK_CHARS))
    expect([...raw.values()].every((value) => value.length <= CHUNK_CHARS + 64)).toBe(true)
    expect(await keychain.get('p:shuttle:token:big')).toBe(big)
    expect(await keychain.accounts()).toEqual(['p:shuttle:token:big'])
    // Replacing with a small value drops the old chunks.
    await keychain.set('p:shuttle:token:big', 'small')
    expect((await keychainEntries(service)).size).toBe(1)
    await keychain.set('p:shuttle:token:big', big)
    expect(await keychain.delete('p:shuttle:token:big')).toBe(true)
    expect((await keychainEntries(service)).size).toBe(0)
  })
})

describe('a keychain that never answers', () => {
  let dir: string
  let server: Server
  const sockets: Socket[] = []
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftauth-bus-'))
    // Accepts D-Bus connections and then says nothing, like a wedged session bus: the keyring
    // binding would block the process for good if ftauth handed it this bus.
    server = createServer((socket) => {
      sockets.push(socket)
      socket.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => server.listen(join(dir, 'bus'), resolve))
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
    await rm(dir, {recursive: true, force: true})
  })

  it('the CLI exits 7 with one line naming the backend and the ways out', async () => {
    const sandbox = await makeSandbox()
    try {
      const result = await sandbox.run(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin', '--no-verify'], {
        stdin: 'secret',
        env: {DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'bus')}`, FTAUTH_KEYCHAIN_TIMEOUT: '1', FTAUTH_ENV: 'local'},
        timeoutMs: 20_000,
      })
      expect(result.code).toBe(7)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(/Secret Service \(D-Bus\).*did not answer within 1s/)
      expect(result.stderr).toContain('--insecure-storage')
    } finally {
      await sandbox.cleanup()
    }
  })
})

describe('D-Bus address parsing', () => {
  it('reads unix paths, abstract sockets and tcp, first usable transport wins', async () => {
    const {parseAddress} = await import('../../src/core/dbus.js')
    expect(parseAddress('unix:path=/run/user/0/bus')).toEqual({path: '/run/user/0/bus'})
    expect(parseAddress('unix:abstract=/tmp/dbus-x,guid=1')).toEqual({path: '\0/tmp/dbus-x'})
    expect(parseAddress('launchd:env=X;tcp:host=127.0.0.1,port=5555')).toEqual({host: '127.0.0.1', port: 5555})
    expect(parseAddress('launchd:env=X')).toBeUndefined()
    // A malformed %-escape makes the address unusable, not a crash (exit 1).
    expect(parseAddress('unix:path=/run/%zz')).toBeUndefined()
  })
})
