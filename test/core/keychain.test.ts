import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtemp, rm} from 'node:fs/promises'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {BINDING, CHUNK_CHARS, chunkCharsFor, KeychainBackend, OWN_CLIENT, SECRET_SERVICE_CHUNK_CHARS} from '../../src/core/keychain.js'
import {DEMO} from '../../src/emulator/index.js'
import {clearKeychainService, keychainEntries, makeSandbox} from '../helpers/cli.js'

describe('keychain backend (real Secret Service)', () => {
  const service = `ftauth-test-${randomBytes(4).toString('hex')}`
  const keychain = new KeychainBackend(service, 10_000)
  // Windows' item size: what chunking does everywhere it is needed.
  const chunking = new KeychainBackend(service, 10_000, {chunkChars: CHUNK_CHARS})
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
    await chunking.set('p:shuttle:token:big', big)
    const raw = await keychainEntries(service)
    expect(raw.size).toBe(1 + Math.ceil(big.length / CHUNK_CHARS))
    expect([...raw.values()].every((value) => value.length <= CHUNK_CHARS + 64)).toBe(true)
    expect(await chunking.get('p:shuttle:token:big')).toBe(big)
    expect(await chunking.accounts()).toEqual(['p:shuttle:token:big'])
    // Replacing with a small value drops the old chunks.
    await chunking.set('p:shuttle:token:big', 'small')
    expect((await keychainEntries(service)).size).toBe(1)
    await chunking.set('p:shuttle:token:big', big)
    expect(await chunking.delete('p:shuttle:token:big')).toBe(true)
    expect((await keychainEntries(service)).size).toBe(0)
  })

  it.runIf(process.platform === 'linux')('keeps a token-sized value in one Secret Service item, and still chunks what exceeds it', async () => {
    expect(chunkCharsFor('linux')).toBe(SECRET_SERVICE_CHUNK_CHARS)
    expect(chunkCharsFor('win32')).toBe(CHUNK_CHARS)
    expect(chunkCharsFor('darwin')).toBe(CHUNK_CHARS)
    const token = JSON.stringify({accessToken: randomBytes(1500).toString('base64')}) // ~2 KB: three items at Windows' size
    await keychain.set('p:fluz:token:k', token)
    expect([...(await keychainEntries(service)).keys()]).toEqual(['p:fluz:token:k'])
    expect(await keychain.get('p:fluz:token:k')).toBe(token)
    const huge = 'y'.repeat(2 * SECRET_SERVICE_CHUNK_CHARS + 1)
    await keychain.set('p:shuttle:token:huge', huge)
    expect((await keychainEntries(service)).size).toBe(1 + 1 + 3)
    expect(await keychain.get('p:shuttle:token:huge')).toBe(huge)
  })

  it('reads an entry chunked by an earlier version, and the next write keeps it in one item without leftover chunks', async () => {
    const token = JSON.stringify({accessToken: randomBytes(1500).toString('base64')})
    await chunking.set('p:fluz:token:old', token)
    expect((await keychainEntries(service)).size).toBe(1 + Math.ceil(token.length / CHUNK_CHARS))
    expect(await keychain.get('p:fluz:token:old')).toBe(token)
    const renewed = JSON.stringify({accessToken: randomBytes(1500).toString('base64')})
    await keychain.set('p:fluz:token:old', renewed)
    const expected = chunkCharsFor() >= renewed.length ? 1 : 1 + Math.ceil(renewed.length / CHUNK_CHARS)
    expect((await keychainEntries(service)).size).toBe(expected)
    expect(await chunking.get('p:fluz:token:old')).toBe(renewed)
  })

  it('names the path that served each call in the trace, and lists items without the binding on Linux', async () => {
    const lines: string[] = []
    const traced = new KeychainBackend(service, 10_000, {trace: (line) => lines.push(line)})
    await traced.set('p:fluz:sandbox.api_key', 'v')
    expect(await traced.get('p:fluz:sandbox.api_key')).toBe('v')
    expect(await traced.accounts()).toEqual(['p:fluz:sandbox.api_key'])
    const path = process.platform === 'linux' ? OWN_CLIENT : BINDING
    expect(lines.some((line) => line.startsWith('keychain: read p:fluz:sandbox.api_key: found via the ') && line.includes(path))).toBe(true)
    expect(lines.some((line) => line.startsWith(`keychain: list ${service}: 1 items via the ${path}`))).toBe(true)
    expect(lines.join('\n')).not.toContain(' v ')
    expect(traced.servedBy()).toBe(path)
  })

  it.runIf(process.platform === 'linux')('says in the trace when the own client cannot serve a call and hands it to the binding', async () => {
    // Two items match the search (the second has an extra attribute): the own client declines.
    await keychain.set('p:funtrips:dup', 'first')
    await new Promise<void>((resolve, reject) =>
      execFile('bash', ['-c', `printf second | secret-tool store --label=dup service ${service} username p:funtrips:dup extra 1`], (error) =>
        error ? reject(error) : resolve(),
      ),
    )
    const lines: string[] = []
    const traced = new KeychainBackend(service, 10_000, {trace: (line) => lines.push(line)})
    // The binding refuses the ambiguity too, in its own words (exit 7), rather than picking one.
    await expect(traced.get('p:funtrips:dup')).rejects.toThrow(/matched by 2 credentials/)
    expect(lines[0]).toMatch(new RegExp(`^keychain: read p:funtrips:dup: the own Secret Service client .*declined .*; asking ${BINDING}$`))
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
    const {parseAddress} = await import('../../src/core/keychain/dbus.js')
    expect(parseAddress('unix:path=/run/user/0/bus')).toEqual({path: '/run/user/0/bus'})
    expect(parseAddress('unix:abstract=/tmp/dbus-x,guid=1')).toEqual({path: '\0/tmp/dbus-x'})
    expect(parseAddress('launchd:env=X;tcp:host=127.0.0.1,port=5555')).toEqual({host: '127.0.0.1', port: 5555})
    expect(parseAddress('launchd:env=X')).toBeUndefined()
    // A malformed %-escape makes the address unusable, not a crash (exit 1).
    expect(parseAddress('unix:path=/run/%zz')).toBeUndefined()
  })
})
