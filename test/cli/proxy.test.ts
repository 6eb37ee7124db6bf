// Corporate networks: HTTP_PROXY / NO_PROXY, through undici's EnvHttpProxyAgent. A tiny proxy on
// 127.0.0.1 (port 0) tunnels what it is asked to (CONNECT, as undici's ProxyAgent does by default)
// and records it.
import {createServer, type Server} from 'node:http'
import {connect, type AddressInfo} from 'node:net'

import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {maskProxy, proxyFor} from '../../src/core/proxy.js'
import {userAgent} from '../../src/core/http.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, type Sandbox} from '../helpers/cli.js'

interface Tunnel {
  target: string
  proxyAuthorization: string | undefined
}

let emulator: Emulator
let proxy: Server
let proxyUrl: string
const tunnels: Tunnel[] = []
let sandbox: Sandbox

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  proxy = createServer((_req, res) => res.writeHead(501).end('only CONNECT here'))
  proxy.on('connect', (req, client, head) => {
    tunnels.push({target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization']})
    const [host, port] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  proxyUrl = `http://proxyuser:proxy-pass-word@127.0.0.1:${(proxy.address() as AddressInfo).port}`
})
afterAll(async () => {
  await emulator.close()
  proxy.closeAllConnections()
  await new Promise((resolve) => proxy.close(resolve))
})
beforeEach(async () => {
  tunnels.length = 0
  emulator.clearRequests()
  sandbox = await makeSandbox(emulator.url)
})
afterEach(() => sandbox.cleanup())

const emulatorHost = () => new URL(emulator.url).host

describe('HTTP_PROXY and NO_PROXY', () => {
  it('a flow goes through HTTP_PROXY; --trace says so with the password masked; the User-Agent is versioned', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '--trace'], {env: {HTTP_PROXY: proxyUrl}})
    expect(result.code, result.stderr).toBe(0)
    expect(tunnels.map((tunnel) => tunnel.target)).toContain(emulatorHost())
    expect(tunnels[0]!.proxyAuthorization).toBe(`Basic ${Buffer.from('proxyuser:proxy-pass-word').toString('base64')}`)
    expect(result.stderr).toContain(`via proxy http://proxyuser:****@127.0.0.1:${(proxy.address() as AddressInfo).port}`)
    expect(result.stderr).not.toContain('proxy-pass-word')
    const seen = emulator.requests()
    expect(seen.map((request) => request.path)).toEqual(['/funtrips/oauth/token', '/funtrips/v1/session'])
    for (const request of seen) expect(request.headers['user-agent']).toMatch(/^ftauth\/\d+\.\d+\.\d+ \(node\/\d+\.\d+\.\d+; linux\)$/)
  })

  it('lower-case http_proxy works too', async () => {
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'], {env: {http_proxy: proxyUrl}})
    expect(result.code, result.stderr).toBe(0)
    expect(tunnels.map((tunnel) => tunnel.target)).toContain(emulatorHost())
  })

  it('a host in NO_PROXY bypasses the proxy, and --trace names no proxy', async () => {
    for (const noProxy of ['127.0.0.1', `localhost,127.0.0.1:${new URL(emulator.url).port}`, '*']) {
      const result = await sandbox.run(['session', 'create', '--headless', '--fresh', '--trace'], {env: {HTTP_PROXY: proxyUrl, NO_PROXY: noProxy}})
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).not.toContain('via proxy')
    }
    expect(tunnels).toEqual([])
    expect(emulator.requests().length).toBeGreaterThanOrEqual(6)
  })

  it('NO_PROXY for another port of the host does not bypass it', async () => {
    const result = await sandbox.run(['session', 'create', '--headless'], {env: {HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1:1'}})
    expect(result.code, result.stderr).toBe(0)
    expect(tunnels.length).toBeGreaterThan(0)
  })
})

describe('a proxy that cannot carry the request', () => {
  it('a proxy variable without a scheme is a usage error naming the variable, its password never printed', async () => {
    for (const [name, value] of [
      ['HTTP_PROXY', 'user:hunter2@proxy.corp:3128'],
      ['https_proxy', 'not a url'],
    ] as [string, string][]) {
      const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'], {env: {[name]: value}})
      expect(result.code, result.stderr).toBe(2)
      expect(result.stderr.trim()).toBe(`error: ${name} is not a proxy URL — set it like http://proxy.example.com:3128 (scheme included), or unset it`)
    }
    expect(emulator.requests()).toEqual([])
  })

  it('a proxy that refuses the connection is named (masked) as what failed, not the provider', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'], {env: {HTTP_PROXY: `http://u:hunter2@127.0.0.1:${port}`}})
    expect(result.code, result.stderr).toBe(5)
    expect(result.stderr).toContain(`cannot reach the proxy http://u:****@127.0.0.1:${port} for ${emulator.url}/fluz/`)
    expect(result.stderr).toContain('NO_PROXY')
    expect(result.stderr).not.toContain('hunter2')
    expect(emulator.requests()).toEqual([])
  })
})

describe('proxy choice, as EnvHttpProxyAgent makes it', () => {
  it.each([
    ['http://api.example.com/x', {HTTP_PROXY: 'http://p:1'}, 'http://p:1'],
    ['https://api.example.com/x', {HTTP_PROXY: 'http://p:1'}, 'http://p:1'],
    ['https://api.example.com/x', {HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://s:2'}, 'http://s:2'],
    ['http://api.example.com/x', {HTTPS_PROXY: 'http://s:2'}, undefined],
    ['https://api.example.com/x', {https_proxy: 'http://lower:3', HTTPS_PROXY: 'http://upper:4'}, 'http://lower:3'],
    ['https://api.example.com/x', {HTTPS_PROXY: 'http://s:2', NO_PROXY: '.example.com'}, undefined],
    ['https://api.example.com/x', {HTTPS_PROXY: 'http://s:2', NO_PROXY: '*.example.com'}, undefined],
    ['https://api.example.com/x', {HTTPS_PROXY: 'http://s:2', NO_PROXY: 'example.com:443'}, undefined],
    ['https://api.example.com/x', {HTTPS_PROXY: 'http://s:2', NO_PROXY: 'example.com:8443'}, 'http://s:2'],
    ['https://notexample.com/x', {HTTPS_PROXY: 'http://s:2', NO_PROXY: 'example.com'}, 'http://s:2'],
    ['https://api.example.com/x', {HTTPS_PROXY: 'http://s:2', no_proxy: 'other.org api.example.com'}, undefined],
  ] as [string, Record<string, string>, string | undefined][])('%s with %o → %s', (url, env, expected) => {
    expect(proxyFor(url, env)).toBe(expected)
  })

  it('masks a proxy password', () => {
    expect(maskProxy('http://u:secret@proxy.corp:3128')).toBe('http://u:****@proxy.corp:3128')
    expect(maskProxy('http://proxy.corp:3128')).toBe('http://proxy.corp:3128')
  })

  it('User-Agent: ftauth/<version> (node/<v>; <os>)', () => {
    expect(userAgent('1.2.3', 'v22.4.0', 'win32')).toBe('ftauth/1.2.3 (node/22.4.0; win32)')
  })
})
