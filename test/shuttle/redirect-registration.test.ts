// Shuttle accepts only pre-registered redirects: ftauth sends one fixed loopback redirect (so two
// logins send the same value), the emulator refuses any other with 400, a busy port is exit 5, and
// the login check never calls a wrong secret "verified".
import {createServer as createHttpServer} from 'node:http'
import {createServer, type Server} from 'node:net'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {DEMO, startEmulator, type Emulator, type EmulatorOptions} from '../../src/emulator/index.js'
import {keychainEntries, makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'
import {freePort, TEST_BROWSER, tokenRequests} from './helpers.js'

runCliInProcess()

let emulator: Emulator | undefined
let sandbox: Sandbox | undefined
let scratch: string | undefined
afterEach(async () => {
  await sandbox?.cleanup()
  await emulator?.close()
  if (scratch) await rm(scratch, {recursive: true, force: true})
  sandbox = emulator = scratch = undefined
})

async function setUp(options: EmulatorOptions) {
  emulator = await startEmulator({port: 0, autoApprove: true, ...options})
  sandbox = await makeSandbox(emulator.url)
  scratch = await mkdtemp(join(tmpdir(), 'ftauth-redirect-'))
  return {emulator, sandbox}
}

const login = (box: Sandbox, args: string[]) =>
  box.run(['shuttle', 'login', '--wait', '20', ...args], {env: {BROWSER: TEST_BROWSER, FTAUTH_TEST_BROWSER_LOG: join(scratch!, 'browser.json')}})

describe('the registered redirect', () => {
  it('two logins send the same redirect, the one registered (shuttle.redirectUri), and both succeed', async () => {
    const port = await freePort()
    const registered = `http://127.0.0.1:${port}/callback`
    // Exactly this redirect is registered; no other port would do.
    const {emulator: e, sandbox: box} = await setUp({shuttleRedirects: [registered]})
    expect((await box.run(['config', 'set', 'shuttle.redirectUri', registered])).code).toBe(0)
    expect((await login(box, [])).code).toBe(0)
    expect((await login(box, [])).code).toBe(0)
    const sent = e
      .requests()
      .filter((request) => request.path === '/shuttle/authorize')
      .map((request) => request.query.redirect_url)
    expect(sent).toEqual([registered, registered])
    const exchanged = tokenRequests(e.requests(), 'authorization_code').map((request) => new URLSearchParams(request.body).get('redirect_uri'))
    expect(exchanged).toEqual([registered, registered])
  })

  it('the emulator answers 400 to an unregistered redirect; ftauth exits 5 naming the exact value to register', async () => {
    const port = await freePort()
    const {emulator: e, sandbox: box} = await setUp({})
    const result = await box.run(['shuttle', 'login', '--wait', '2', '--port', String(port)], {
      env: {BROWSER: TEST_BROWSER, FTAUTH_TEST_BROWSER_LOG: join(scratch!, 'browser.json')},
    })
    const authorize = e.requests().find((request) => request.path === '/shuttle/authorize')
    expect(authorize?.status).toBe(400)
    expect(result.code).toBe(5)
    expect(result.stderr).toContain(`register exactly http://127.0.0.1:${port}/callback for client ${DEMO.shuttle.clientId}`)
    expect(tokenRequests(e.requests())).toHaveLength(0)
  })

  it('a busy redirect port is exit 5 naming the port and the flag, before anything is sent', async () => {
    const {emulator: e, sandbox: box} = await setUp({shuttleLoopbackAnyPort: true})
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as {port: number}).port
    try {
      const result = await login(box, ['--port', String(port)])
      expect(result.code).toBe(5)
      expect(result.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use \\(needed by --port\\)`))
      expect(result.stderr).toContain('--port')
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(e.requests()).toEqual([])
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})

describe('ftauth login shuttle: the credential check', () => {
  const loginShuttle = (box: Sandbox, secret: string) =>
    box.run(['login', 'shuttle', '--client-id', DEMO.shuttle.clientId, '--client-secret-stdin', '--json'], {stdin: secret})

  it('a server that answers 400 for the token format before checking the client: a wrong secret is "not verified", never "verified"', async () => {
    // Shuttle documents 400 (token format) and 401 (client) at /revoke, not their order: this one checks the format first.
    const formatFirst = createHttpServer((request, response) => {
      request.resume()
      response.writeHead(400, {'content-type': 'application/json'}).end(JSON.stringify({error: 'invalid_request', error_description: 'Invalid token format'}))
    })
    await new Promise<void>((resolve) => formatFirst.listen(0, '127.0.0.1', resolve))
    try {
      const {sandbox: box} = await setUp({})
      const authUrl = `http://127.0.0.1:${(formatFirst.address() as {port: number}).port}`
      const result = await box.run(['login', 'shuttle', '--client-id', DEMO.shuttle.clientId, '--client-secret-stdin', '--json'], {
        stdin: 'not-the-secret',
        env: {FTAUTH_SHUTTLE_AUTH_URL: authUrl},
      })
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({verified: false, notVerifiedBecause: expect.stringMatching(/HTTP 400 \(Invalid token format\)/)})
      const human = await box.run(['login', 'shuttle', '--client-id', DEMO.shuttle.clientId, '--client-secret-stdin'], {
        stdin: 'not-the-secret',
        env: {FTAUTH_SHUTTLE_AUTH_URL: authUrl},
      })
      expect(human.stderr).toMatch(/not verified: POST \/revoke answered HTTP 400/)
      expect(human.stderr).not.toContain('client accepted')
    } finally {
      await new Promise<void>((resolve) => formatFirst.close(() => resolve()))
    }
  })

  it('a server that checks the client first: a wrong secret is exit 3 and nothing is stored; the right one is verified', async () => {
    const {sandbox: box} = await setUp({})
    const wrong = await loginShuttle(box, 'not-the-secret')
    expect(wrong.code).toBe(3)
    expect([...(await keychainEntries(box.service)).keys()]).toEqual([])
    const right = await loginShuttle(box, DEMO.shuttle.clientSecret)
    expect(right.code).toBe(0)
    expect(JSON.parse(right.stdout)).toMatchObject({verified: true})
  })
})
