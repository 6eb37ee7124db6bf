// Issue 16, "cleartext and wrong hosts" and "verifying tokens": plain http beyond loopback is
// refused (exit 2) before any request wherever a URL enters (config set, FTAUTH_*_URL, call, a
// hand-edited config), --allow-http lets it through loudly; `call` compares scheme, host and port
// and refuses a Host header naming another host; `token inspect --verify` trusts only the JWKS of a
// known provider environment, or one pinned with --jwks.
import {createServer, type Server} from 'node:http'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import fc from 'fast-check'
import {exportJWK, generateKeyPair, SignJWT} from 'jose'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {isCleartextRemote, isLoopbackHost} from '../../src/core/transport.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'

runCliInProcess()

vi.setConfig({testTimeout: 180_000, hookTimeout: 120_000})

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

/** Remote plain-http URLs in the spellings a user or attacker might use. */
const REMOTE_HTTP = [
  'http://api.example.com/v1',
  'HTTP://API.EXAMPLE.COM',
  'http://10.0.0.5:8080/graphql',
  'http://[fe80::1]:9/x',
  'http://127.0.0.1.nip.io/x',
  'http://localhost.example.com/',
  'http://user:pw@192.168.1.10/',
]
const LOOPBACK_HTTP = ['http://127.0.0.1:1234', 'http://localhost:5/x', 'http://[::1]:7/', 'http://127.8.9.10/']

describe('which URLs are cleartext beyond this machine', () => {
  it('loopback names and addresses only; everything else over http is remote (property over IPv4)', () => {
    for (const url of REMOTE_HTTP) expect(isCleartextRemote(url), url).toBe(true)
    for (const url of LOOPBACK_HTTP) expect(isCleartextRemote(url), url).toBe(false)
    expect(isCleartextRemote('https://api.example.com')).toBe(false)
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(isLoopbackHost(ip)).toBe(ip.startsWith('127.'))
      }),
    )
  })
})

describe('plain http to another host is refused before any request (exit 2)', () => {
  it('config set: refused and nothing written; loopback and https accepted; --allow-http warns', async () => {
    const configPath = join(sandbox.configDir, 'config.json')
    const before = await readFile(configPath, 'utf8').catch(() => '')
    for (const url of REMOTE_HTTP) {
      const result = await sandbox.run(['config', 'set', 'fluz.urls.sandbox.url', url])
      expect(result.code, `${url}: ${result.stderr}`).toBe(2)
      expect(result.stderr).toContain('plain http')
      expect(result.stderr).not.toContain(':pw@')
      expect(await readFile(configPath, 'utf8').catch(() => '')).toBe(before)
    }
    for (const url of [...LOOPBACK_HTTP, 'https://api.example.com/graphql']) {
      const result = await sandbox.run(['config', 'set', 'fluz.urls.sandbox.url', url])
      expect(result.code, `${url}: ${result.stderr}`).toBe(0)
      expect(result.stderr).not.toContain('warning')
    }
    const allowed = await sandbox.run(['config', 'set', 'fluz.urls.sandbox.url', 'http://lab.example.com/graphql', '--allow-http'])
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(allowed.stderr).toMatch(/^warning: --allow-http: .*lab\.example\.com.*plain http/m)
    await sandbox.run(['config', 'unset', 'fluz.urls.sandbox.url'])
  })

  it('FTAUTH_*_URL: every command refuses before a request; --allow-http sends, with a warning every time', async () => {
    emulator.clearRequests()
    const cases: [string[], Record<string, string>][] = [
      [['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], {FTAUTH_FLUZ_URL: 'http://fluz.example.com/api/v1/graphql'}],
      [['session', 'create', '--headless', '--fresh'], {FTAUTH_FUNTRIPS_AUTH_URL: 'http://10.1.2.3/funtrips'}],
      [['shuttle', 'refresh'], {FTAUTH_SHUTTLE_AUTH_URL: 'http://shuttle.example.com'}],
      [['status'], {FTAUTH_LOCAL_URL: 'http://192.168.0.7:7787'}],
    ]
    for (const [args, env] of cases) {
      for (const mode of [[], ['--json']]) {
        const result = await sandbox.run([...args, ...mode], {env})
        expect(result.code, `${args.join(' ')} ${JSON.stringify(env)}: ${result.stderr}`).toBe(2)
        expect(result.stderr).toMatch(/FTAUTH_\w+_URL uses plain http/)
      }
    }
    expect(emulator.requests()).toEqual([])
    // Allowed: the request goes out (and fails to resolve: exit 5), after a warning on stderr.
    for (let run = 0; run < 2; run++) {
      const allowed = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh', '--allow-http', '--timeout', '3'], {
        env: {FTAUTH_FLUZ_URL: 'http://fluz.example.invalid/api/v1/graphql'},
      })
      expect(allowed.code, allowed.stderr).toBe(5)
      expect(allowed.stderr).toMatch(/^warning: --allow-http: sending to fluz\.example\.invalid over plain http/m)
    }
  })

  it('a cleartext URL edited into config.json by hand is refused by the request itself', async () => {
    const configPath = join(sandbox.configDir, 'config.json')
    const before = await readFile(configPath, 'utf8').catch(() => undefined)
    await writeFile(
      configPath,
      JSON.stringify({version: 1, profiles: {default: {fluz: {env: 'sandbox', urls: {sandbox: {url: 'http://fluz.example.com/graphql'}}}}}}),
    )
    try {
      const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], {
        env: {
          FTAUTH_ENV: undefined,
          FTAUTH_FLUZ_USER_ID: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
          FTAUTH_FLUZ_ACCOUNT_ID: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
          FTAUTH_FLUZ_API_KEY: 'a2V5OnNlY3JldA==',
        },
      })
      expect(result.code, result.stderr).toBe(2)
      expect(result.stderr).toContain('POST http://fluz.example.com/graphql uses plain http')
    } finally {
      if (before === undefined) await writeFile(configPath, '{"version":1,"profiles":{}}')
      else await writeFile(configPath, before)
    }
  })
})

describe('a password in a URL is never printed', () => {
  it('status --json, config get/list and --trace mask it', async () => {
    const base = new URL(emulator.url)
    const env = {FTAUTH_FLUZ_URL: `http://lab-user:pw-Secret-4711-xyz@${base.host}/fluz/api/v1/graphql`}
    const runs = await Promise.all([
      sandbox.run(['status', '--json'], {env}),
      sandbox.run(['status'], {env}),
      sandbox.run(['config', 'get', 'fluz.url', '-q'], {env}),
      sandbox.run(['config', 'list', '--json'], {env}),
      sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh', '--trace'], {env}),
    ])
    for (const result of runs) {
      expect(result.stdout + result.stderr).not.toContain('pw-Secret-4711-xyz')
    }
    expect(runs[0]!.stdout).toContain('lab-user:redacted@')
  })
})

describe('call sends the token only to the provider origin it was configured with', () => {
  it('a full URL differing in scheme, host or port is refused; cleartext remote too; nothing is sent', async () => {
    const base = new URL(emulator.url)
    emulator.clearRequests()
    const targets = [
      `https://${base.host}/fluz/api/v1/graphql`,
      `http://${base.hostname}:${Number(base.port) + 1}/fluz/api/v1/graphql`,
      `http://localhost:${base.port}/fluz/api/v1/graphql`,
      'http://api.example.com/fluz/api/v1/graphql',
    ]
    for (const target of targets) {
      const result = await sandbox.run(['call', '--provider', 'fluz', 'POST', target, '-d', '{"query":"{ marco }"}'])
      expect(result.code, `${target}: ${result.stderr}`).toBe(2)
    }
    expect(emulator.requests()).toEqual([])
  })

  it('a Host header naming another host is refused when the token is attached (any case, with a port)', async () => {
    emulator.clearRequests()
    for (const header of ['Host: evil.example.com', 'HOST: evil.example.com', `host: 127.0.0.1:1`, 'Host: api.example.com:443']) {
      const result = await sandbox.run(['call', 'fluz', '--query', '{ marco }', '-H', header])
      expect(result.code, `${header}: ${result.stderr}`).toBe(2)
      expect(result.stderr).toContain("differs from the URL's host")
    }
    expect(emulator.requests()).toEqual([])
    expect((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'])).code).toBe(0)
    const same = await sandbox.run(['call', 'fluz', '--query', '{ marco }', '-H', `Host: ${new URL(emulator.url).host}`])
    expect(same.code, same.stderr).toBe(0)
  })
})

describe('token inspect --verify trusts only the keys of a known provider environment', () => {
  let stranger: Server
  let strangerUrl: string
  let strangerHits = 0
  let strangerToken: string
  let noIssuerToken: string

  beforeAll(async () => {
    const {privateKey, publicKey} = await generateKeyPair('RS256')
    const jwks = JSON.stringify({keys: [{...(await exportJWK(publicKey)), kid: 'stranger', alg: 'RS256', use: 'sig'}]})
    stranger = createServer((_req, res) => {
      strangerHits++
      res.setHeader('content-type', 'application/json')
      res.end(jwks)
    })
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve))
    strangerUrl = `http://127.0.0.1:${(stranger.address() as {port: number}).port}`
    const sign = (issuer?: string) => {
      const jwt = new SignJWT({scope: 'admin'}).setProtectedHeader({alg: 'RS256', kid: 'stranger'}).setIssuedAt().setExpirationTime('1h')
      return (issuer ? jwt.setIssuer(issuer) : jwt).sign(privateKey)
    }
    strangerToken = await sign(`${strangerUrl}/fluz/sandbox`)
    noIssuerToken = await sign()
  })
  afterAll(() => new Promise<void>((resolve) => stranger.close(() => resolve())))

  it("a stranger's token naming the stranger's JWKS is 'not verified: unknown issuer' (exit 3), and the stranger is never asked", async () => {
    for (const mode of [[], ['--json']]) {
      const result = await sandbox.run(['token', 'inspect', '-', '--verify', ...mode], {stdin: strangerToken})
      expect(result.code, result.stderr).toBe(3)
      expect(result.stderr).toContain('not verified: unknown issuer')
      expect(result.stdout).not.toContain('valid (')
    }
    const none = await sandbox.run(['token', 'inspect', '-', '--verify'], {stdin: noIssuerToken})
    expect(none.code).toBe(3)
    expect(none.stderr).toContain('not verified')
    expect(strangerHits).toBe(0)
  })

  it('--jwks pins the keys explicitly: the same token verifies against the pinned set, and a provider token does not', async () => {
    const pinned = await sandbox.run(['token', 'inspect', '-', '--verify', '--jwks', `${strangerUrl}/jwks.json`], {stdin: strangerToken})
    expect(pinned.code, pinned.stderr).toBe(0)
    expect(pinned.stdout).toContain(`valid (RS256, ${strangerUrl}/jwks.json)`)
    expect(strangerHits).toBeGreaterThan(0)
    const fluz = (await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'])).stdout.trim()
    const wrongKeys = await sandbox.run(['token', 'inspect', '-', '--verify', '--jwks', `${strangerUrl}/jwks.json`], {stdin: fluz})
    expect(wrongKeys.code).toBe(3)
    const known = await sandbox.run(['token', 'inspect', '-', '--verify'], {stdin: fluz})
    expect(known.code, known.stderr).toBe(0)
    const remote = await sandbox.run(['token', 'inspect', '-', '--verify', '--jwks', 'http://keys.example.com/jwks.json'], {stdin: fluz})
    expect(remote.code).toBe(2)
    const withoutVerify = await sandbox.run(['token', 'inspect', '-', '--jwks', `${strangerUrl}/jwks.json`], {stdin: fluz})
    expect(withoutVerify.code).toBe(2)
  })
})
