// NODE_EXTRA_CA_CERTS: a private CA (or a TLS-inspecting company proxy) is trusted when Node is
// told about it. An HTTPS front on 127.0.0.1 with a self-signed certificate forwards to the emulator.
import {execFileSync} from 'node:child_process'
import {request as httpRequest} from 'node:http'
import {createServer, type Server} from 'node:https'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, type Sandbox} from '../helpers/cli.js'

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'])
    return true
  } catch {
    return false
  }
})()

describe.runIf(hasOpenssl)('NODE_EXTRA_CA_CERTS', () => {
  let dir: string
  let emulator: Emulator
  let front: Server
  let sandbox: Sandbox
  let env: Record<string, string>

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftauth-ca-'))
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      {stdio: 'ignore'},
    )
    emulator = await startEmulator({port: 0})
    const target = new URL(emulator.url)
    front = createServer({key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem'))}, (req, res) => {
      const upstream = httpRequest({host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers}, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      })
      req.pipe(upstream)
    })
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
    const base = `https://127.0.0.1:${(front.address() as AddressInfo).port}/funtrips`
    sandbox = await makeSandbox(emulator.url)
    env = {FTAUTH_FUNTRIPS_AUTH_URL: base, FTAUTH_FUNTRIPS_API_URL: base}
  })
  afterAll(async () => {
    await sandbox.cleanup()
    front.closeAllConnections()
    await new Promise((resolve) => front.close(resolve))
    await emulator.close()
    await rm(dir, {recursive: true, force: true})
  })

  it('an untrusted certificate is exit 5 naming NODE_EXTRA_CA_CERTS', async () => {
    const result = await sandbox.run(['session', 'create', '--headless'], {env})
    expect(result.code).toBe(5)
    expect(result.stderr).toContain('TLS certificate is not trusted')
    expect(result.stderr).toContain('NODE_EXTRA_CA_CERTS')
  })

  it('with NODE_EXTRA_CA_CERTS pointing at the certificate, the flow works over HTTPS', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '-q'], {env: {...env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem')}})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.trim()).toMatch(/^sc_[0-9a-f]{32}$/)
    expect(emulator.requests().map((request) => request.path)).toEqual(['/funtrips/oauth/token', '/funtrips/v1/session'])
  })
})
