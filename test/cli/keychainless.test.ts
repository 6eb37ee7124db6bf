// CI containers: no D-Bus, credentials in FTAUTH_* variables. The built CLI as a real process
// against the emulator, with a throwaway config dir.
import {readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'

runCliInProcess()

/** No session bus at all, as in a container or over SSH. */
const NO_DBUS = {DBUS_SESSION_BUS_ADDRESS: undefined}

let emulator: Emulator
let sandbox: Sandbox
let credentials: Record<string, string | undefined>

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())
beforeEach(async () => {
  emulator.clearRequests()
  sandbox = await makeSandbox(emulator.url)
  credentials = {...NO_DBUS, FTAUTH_FUNTRIPS_CLIENT_ID: DEMO.funtrips.clientId, FTAUTH_FUNTRIPS_CLIENT_SECRET: DEMO.funtrips.clientSecret}
})
afterEach(() => sandbox.cleanup())

/** What the emulator's admin request log says, as a user would read it. */
async function requestLog(): Promise<{method: string; path: string; headers: Record<string, string>; body: string}[]> {
  return (await (await fetch(`${emulator.url}/__admin/requests`)).json()) as never
}

const clientCredentialsCalls = async () =>
  (await requestLog()).filter((request) => request.path === '/funtrips/oauth/token' && request.body.includes('grant_type=client_credentials'))

/** Every file under the config dir, with its bytes as text. */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name), await readFile(join(entry.parentPath, entry.name), 'latin1'))
  }
  return files
}

describe('no keychain, credentials in the environment', () => {
  it('session create --headless --exchange -q works twice, the second run reusing the cached backend bearer', async () => {
    const first = await sandbox.run(['session', 'create', '--headless', '--exchange', '-q'], {env: credentials})
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const second = await sandbox.run(['session', 'create', '--headless', '--exchange', '-q'], {env: credentials})
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(await clientCredentialsCalls()).toHaveLength(1)
    // Both sessions were created with the same backend bearer.
    const sessions = (await requestLog()).filter((request) => request.path === '/funtrips/v1/session')
    expect(sessions).toHaveLength(2)
    expect(sessions[0]!.headers.authorization).toBe(sessions[1]!.headers.authorization)

    // No plaintext token or secret anywhere under the config dir.
    const files = await filesUnder(sandbox.configDir)
    const sealed = join(sandbox.configDir, 'tokens-funtrips.sealed')
    expect([...files.keys()]).toContain(sealed)
    expect((await stat(sealed)).mode & 0o777).toBe(0o600)
    const secrets = [...emulator.issuedSecrets(), DEMO.funtrips.clientSecret, first.stdout.trim(), second.stdout.trim()]
    expect(secrets.length).toBeGreaterThan(3)
    for (const [path, text] of files) {
      for (const secret of secrets) expect(text.includes(secret), `${secret.slice(0, 12)}… in ${path}`).toBe(false)
      // Not even base64-encoded (the sealed file is base64 of ciphertext).
      for (const secret of secrets) expect(text.includes(Buffer.from(secret).toString('base64').slice(0, 24)), path).toBe(false)
    }
  })

  it('a changed secret cannot read the old cache: a miss, and a new bearer', async () => {
    expect((await sandbox.run(['session', 'create', '--headless', '-q'], {env: credentials})).code).toBe(0)
    // The emulator accepts only the demo secret, so the changed one is rejected — after the cache missed.
    const changed = await sandbox.run(['session', 'create', '--headless', '-q'], {env: {...credentials, FTAUTH_FUNTRIPS_CLIENT_SECRET: 'rotated-secret'}})
    expect(changed.code).toBe(3)
    expect(await clientCredentialsCalls()).toHaveLength(2)
    // The original secret still reads what it wrote.
    expect((await sandbox.run(['session', 'create', '--headless', '-q'], {env: credentials})).code).toBe(0)
    expect(await clientCredentialsCalls()).toHaveLength(2)
  })

  it('status names the sealed storage; --no-cache stores nothing and gets a fresh bearer each run', async () => {
    expect((await sandbox.run(['session', 'create', '--headless', '-q', '--no-cache'], {env: credentials})).code).toBe(0)
    expect((await sandbox.run(['session', 'create', '--headless', '-q', '--no-cache'], {env: credentials})).code).toBe(0)
    expect(await clientCredentialsCalls()).toHaveLength(2)
    expect(await readdir(sandbox.configDir)).not.toContain('tokens-funtrips.sealed')
    expect((await sandbox.run(['session', 'create', '--headless', '-q'], {env: credentials})).code).toBe(0)
    const status = JSON.parse((await sandbox.run(['status', '--json'], {env: credentials})).stdout)
    const funtrips = status.providers.find((provider: {provider: string}) => provider.provider === 'funtrips')
    expect(funtrips.credentials[0].storage).toBe('env')
    expect(funtrips.tokens.map((token: {storage: string}) => token.storage)).toEqual(['sealed'])
  })

  it('--env local with the built-in demo credentials works with no keychain at all', async () => {
    const first = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'], {env: NO_DBUS})
    expect(first.code, first.stderr).toBe(0)
    const second = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'], {env: NO_DBUS})
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toBe(first.stdout)
  })

  it('without an environment credential the keychain error stands and names what works', async () => {
    const result = await sandbox.run(['session', 'create', '--headless', '--env', 'sandbox'], {env: NO_DBUS})
    expect(result.code).not.toBe(0)
    const login = await sandbox.run(['login', 'funtrips', '--client-id', 'x', '--client-secret-stdin', '--no-verify'], {stdin: 's3cret', env: NO_DBUS})
    expect(login.code).toBe(7)
    expect(login.stderr).toContain('FTAUTH_* variable')
    expect(login.stderr).toContain('--insecure-storage')
  })

  it('doctor says the keychain is missing but the environment providers work without it', async () => {
    const result = await sandbox.run(['doctor', '--json'], {env: {...credentials, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus'}})
    const keychain = JSON.parse(result.stdout).checks.find((check: {id: string}) => check.id === 'keychain')
    expect(keychain.status).toBe('warn')
    expect(keychain.detail).toContain('funtrips run from the credential in the environment')
    expect(keychain.detail).toContain('tokens-<provider>.sealed')
  })
})
