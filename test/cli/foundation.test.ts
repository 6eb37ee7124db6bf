import {readFile, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {keychainEntries, makeSandbox, runCli, type Sandbox} from '../helpers/cli.js'

let emulator: Emulator
let sandbox: Sandbox
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(async () => {
  await emulator.close()
})
beforeEach(async () => {
  sandbox = await makeSandbox(emulator.url)
  emulator.clearRequests()
})
afterEach(async () => {
  await sandbox.cleanup()
})

const NO_KEYCHAIN = {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/ftauth-test-bus'}

describe('ftauth --help and --version', () => {
  it('lists the topics', async () => {
    const result = await runCli(['--help'])
    expect(result.code).toBe(0)
    for (const topic of ['login', 'logout', 'status', 'session', 'fluz', 'shuttle', 'call', 'token', 'emulator']) {
      expect(result.stdout).toMatch(new RegExp(`^\\s+${topic}\\s`, 'm'))
    }
  })

  it('prints the version', async () => {
    const result = await runCli(['--version'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^ftauth\/\d+\.\d+\.\d+/)
  })
})

describe('ftauth login', () => {
  it('verifies Funtrips credentials, stores the secret in the keychain and the id in the profile', async () => {
    const result = await sandbox.run(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin'], {
      stdin: `${DEMO.funtrips.clientSecret}\n`,
    })
    expect(result.stderr).toContain('Verify')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Logged in to Funtrips`)
    const entries = await keychainEntries(sandbox.service)
    expect(entries.get('default:funtrips:local.client_secret')).toBe(DEMO.funtrips.clientSecret)
    const config = JSON.parse(await readFile(join(sandbox.configDir, 'config.json'), 'utf8'))
    // The id belongs to the environment logged in to (local here).
    expect(config.profiles.default.funtrips.ids.local.clientId).toBe(DEMO.funtrips.clientId)
    expect(JSON.stringify(config)).not.toContain(DEMO.funtrips.clientSecret)
    expect(emulator.requests().filter((request) => request.path === '/funtrips/oauth/token')).toHaveLength(1)

    const status = await sandbox.run(['status', '--json'])
    expect(status.code).toBe(0)
    const funtrips = JSON.parse(status.stdout).providers.find((p: {provider: string}) => p.provider === 'funtrips')
    expect(funtrips.credentials[0]).toEqual({name: 'client_secret', storage: 'keychain'})
    expect(funtrips.ids.clientId).toBe(DEMO.funtrips.clientId)
  })

  it('stores nothing when the provider rejects the secret (exit 3)', async () => {
    const result = await sandbox.run(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin'], {stdin: 'wrong-secret'})
    expect(result.code).toBe(3)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/rejected/)
    expect(result.stderr).not.toContain('wrong-secret')
    expect((await keychainEntries(sandbox.service)).size).toBe(0)
    await expect(stat(join(sandbox.configDir, 'config.json'))).rejects.toThrow()
  })

  it('never overwrites a stored secret with a rejected one', async () => {
    await sandbox.run(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin'], {stdin: DEMO.funtrips.clientSecret})
    const again = await sandbox.run(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin'], {stdin: 'wrong'})
    expect(again.code).toBe(3)
    expect((await keychainEntries(sandbox.service)).get('default:funtrips:local.client_secret')).toBe(DEMO.funtrips.clientSecret)
  })

  it('verifies a Fluz API key with the marco ping', async () => {
    const result = await sandbox.run(['login', 'fluz', '--user-id', DEMO.fluz.userId, '--account-id', DEMO.fluz.accountId, '--api-key-stdin', '--json'], {
      stdin: DEMO.fluz.apiKey,
    })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({provider: 'fluz', env: 'local', verified: true, storage: 'keychain'})
    expect(result.stdout).not.toContain(DEMO.fluz.apiKey)
    const ping = emulator.requests().find((request) => request.path === '/fluz/api/v1/graphql')
    expect(ping?.body).toContain('marco')
    expect(ping?.headers.authorization).toBe(`Basic ${DEMO.fluz.apiKey}`)
  })

  it('rejects a bad UUID before any request (exit 2)', async () => {
    const result = await sandbox.run(['login', 'fluz', '--user-id', 'nope', '--account-id', DEMO.fluz.accountId, '--api-key-stdin'], {stdin: 'x'})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--user-id: must be a UUID/)
    expect(emulator.requests()).toHaveLength(0)
  })

  it('checks a Shuttle client without a user (401 on a bad secret)', async () => {
    const bad = await sandbox.run(['login', 'shuttle', '--client-id', DEMO.shuttle.clientId, '--client-secret-stdin'], {stdin: 'bad'})
    expect(bad.code).toBe(3)
    const good = await sandbox.run(['login', 'shuttle', '--client-id', DEMO.shuttle.clientId, '--client-secret-stdin', '-q'], {
      stdin: DEMO.shuttle.clientSecret,
    })
    expect(good.code).toBe(0)
    expect(good.stdout).toBe(`${DEMO.shuttle.clientId}\n`)
  })

  it('refuses to prompt without a terminal and names the stdin flag', async () => {
    const result = await sandbox.run(['login', 'funtrips', '--client-id', 'x'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--client-secret-stdin')
  })
})

describe('keychain unavailable', () => {
  it('gives the documented one-line error with the ways out (exit 7)', async () => {
    const result = await sandbox.run(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin', '--no-verify'], {
      stdin: 'secret',
      env: NO_KEYCHAIN,
    })
    expect(result.code).toBe(7)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/Secret Service \(D-Bus\) is unavailable/)
    expect(lines[0]).toContain('--insecure-storage')
    expect(lines[0]).toContain('FTAUTH_')
  })

  it('falls back to memory in CI, where env credentials still work', async () => {
    const result = await sandbox.run(['status', '--json'], {
      env: {...NO_KEYCHAIN, CI: 'true', FTAUTH_FUNTRIPS_CLIENT_SECRET: 'from-env-secret'},
    })
    expect(result.code).toBe(0)
    const status = JSON.parse(result.stdout)
    expect(status.providers.find((p: {provider: string}) => p.provider === 'funtrips').credentials[0].storage).toBe('env')
    expect(result.stdout).not.toContain('from-env-secret')
  })

  it('--insecure-storage keeps secrets in a 0600 file and warns', async () => {
    const result = await sandbox.run(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin', '--insecure-storage'], {
      stdin: DEMO.funtrips.clientSecret,
      env: NO_KEYCHAIN,
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/warning: --insecure-storage/)
    const file = join(sandbox.configDir, 'credentials.insecure.json')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(sandbox.configDir)).mode & 0o777).toBe(0o700)
    expect(JSON.parse(await readFile(file, 'utf8'))['default:funtrips:local.client_secret']).toBe(DEMO.funtrips.clientSecret)
    const status = await sandbox.run(['status', '--json', '--insecure-storage'], {env: NO_KEYCHAIN})
    expect(JSON.parse(status.stdout).providers[0].credentials[0].storage).toBe('file')
  })
})

describe('environment variables and profiles', () => {
  it('env credentials override the store and are never echoed', async () => {
    const result = await sandbox.run(['status'], {env: {FTAUTH_FUNTRIPS_CLIENT_SECRET: 'env-secret-value-123'}})
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/client_secret\s+env/)
    expect(result.stdout + result.stderr).not.toContain('env-secret-value-123')
  })

  it('rejects an unknown FTAUTH_ENV with exit 2', async () => {
    const result = await sandbox.run(['status'], {env: {FTAUTH_ENV: 'staging'}})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/FTAUTH_ENV=staging is not an environment/)
  })

  it('a malformed config gives one line naming the file and key, exit 2, file untouched', async () => {
    const path = join(sandbox.configDir, 'config.json')
    const text = '{"version":1,"profiles":{"default":{"fluz":{"env":"staging"}}}}'
    await writeFile(path, text)
    const result = await sandbox.run(['status'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(path)
    expect(result.stderr).toContain('profiles.default.fluz.env')
    expect(await readFile(path, 'utf8')).toBe(text)
  })

  it('--profile selects a profile and logout removes only its entries', async () => {
    await sandbox.run(['login', 'funtrips', '--client-id', 'a', '--client-secret-stdin', '--no-verify'], {stdin: 's1'})
    await sandbox.run(['login', 'funtrips', '--client-id', 'b', '--client-secret-stdin', '--no-verify', '--profile', 'work'], {stdin: 's2'})
    const out = await sandbox.run(['logout', 'funtrips', '--profile', 'work', '--json'])
    expect(out.code).toBe(0)
    expect(JSON.parse(out.stdout).removed).toEqual(['funtrips:local.client_secret'])
    const entries = await keychainEntries(sandbox.service)
    expect([...entries.keys()]).toEqual(['default:funtrips:local.client_secret'])
    const usage = await sandbox.run(['logout'])
    expect(usage.code).toBe(2)
  })
})

describe('output modes and errors', () => {
  it('--trace masks secrets in requests and responses', async () => {
    const result = await sandbox.run(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin', '--trace'], {
      stdin: DEMO.funtrips.clientSecret,
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('→ POST')
    expect(result.stderr).toContain('client_secret=')
    expect(result.stderr).not.toContain(DEMO.funtrips.clientSecret)
    expect(result.stderr).toMatch(/"access_token":"[\w-]+\.[\w-]+\.<redacted>"/)
  })

  it('usage errors are one line with exit 2 and no stack', async () => {
    const result = await sandbox.run(['status', '--bogus'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })

  it('--json errors are a JSON document on stdout with the exit code', async () => {
    const result = await sandbox.run(['login', 'funtrips', '--client-id', DEMO.funtrips.clientId, '--client-secret-stdin', '--json'], {stdin: 'wrong'})
    expect(result.code).toBe(3)
    expect(JSON.parse(result.stdout).error).toMatchObject({exitCode: 3})
  })

  it('a network failure names the URL (exit 5)', async () => {
    const result = await sandbox.run(['login', 'funtrips', '--client-id', 'x', '--client-secret-stdin'], {
      stdin: 's',
      env: {FTAUTH_FUNTRIPS_AUTH_URL: 'http://127.0.0.1:1'},
    })
    expect(result.code).toBe(5)
    expect(result.stderr).toContain('http://127.0.0.1:1/oauth/token')
    expect(result.stderr).toContain('connection refused')
  })
})
