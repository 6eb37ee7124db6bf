// Secrets never come in through argv (visible in `ps` and shell history): no flag named like a
// secret takes a value, tokens and codes given as arguments are refused without being echoed or
// sent, and a secret typed as an unknown flag is not repeated in the error.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {SignJWT} from 'jose'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, ROOT, type Sandbox} from '../helpers/cli.js'
import {MARKER} from './helpers.js'

interface ManifestFlag {
  name: string
  type: 'option' | 'boolean'
  char?: string
}
interface ManifestCommand {
  id: string
  flags: Record<string, ManifestFlag>
  args: Record<string, {name: string}>
}

/** Flag names that would carry a secret. Names ending in a non-secret suffix (token-ttl, client-id) are fine. */
const SECRET_NAME = /secret|api-?key|token|passw(or)?d|credential|verifier|bearer|refresh|assertion|private/i
const NOT_SECRET_SUFFIX = /-(ttl|id|url|uri|type|hint|method|path|file)$/i

let emulator: Emulator
let sandbox: Sandbox
let jwt: string

beforeAll(async () => {
  emulator = await startEmulator({port: 0, secretMarker: MARKER})
  sandbox = await makeSandbox(emulator.url)
  // A realistic JWT with the marker in a claim and the signature position.
  jwt = await new SignJWT({scope: 'read', marker: MARKER})
    .setProtectedHeader({alg: 'HS256'})
    .setIssuer('https://merchant.shuttleglobal.com')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(`key-${MARKER}-0123456789abcdef0123456789abcdef`))
})
afterAll(async () => {
  await sandbox?.cleanup()
  await emulator?.close()
})

describe('argv: no secret-named flag takes a value', () => {
  it('every command in the oclif manifest: flags named like secret/key/token/password are --…-stdin booleans', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
    const commands = Object.values(manifest.commands)
    expect(commands.map((command) => command.id)).toEqual(
      expect.arrayContaining(['login', 'session:exchange', 'fluz:token', 'shuttle:login', 'call', 'token:inspect']),
    )
    const offenders: string[] = []
    for (const command of commands) {
      for (const flag of Object.values(command.flags)) {
        // Booleans (--client-secret-stdin, --show-refresh, --with-credentials) carry no value.
        if (!SECRET_NAME.test(flag.name) || NOT_SECRET_SUFFIX.test(flag.name)) continue
        if (flag.type !== 'boolean') offenders.push(`${command.id} --${flag.name} takes a value`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('the secret-taking commands offer --…-stdin for each secret', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
    const flags = (id: string) => Object.keys(manifest.commands[id]?.flags ?? {})
    expect(flags('login')).toEqual(expect.arrayContaining(['client-secret-stdin', 'api-key-stdin']))
    expect(flags('session:exchange')).toContain('code-verifier-stdin')
  })
})

describe('argv: tokens and codes given as arguments are refused, not echoed, not sent', () => {
  it.each([
    ['token inspect <JWT>', () => ['token', 'inspect', jwt]],
    ['token inspect <JWT> --json', () => ['token', 'inspect', jwt, '--json']],
    ['token inspect <opaque token>', () => ['token', 'inspect', `rt_${MARKER}_0123456789abcdef0123456789abcdef`]],
    ['token diff <JWT> <JWT>', () => ['token', 'diff', jwt, jwt]],
    ['token diff <JWT> fluz --debug', () => ['token', 'diff', jwt, 'fluz', '--debug']],
  ])('%s: exit 2, the token appears nowhere', async (_label, args) => {
    const result = await sandbox.run(args())
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(/not accepted as arguments|stdin|@file|env:/)
    expect(result.stdout + result.stderr).not.toContain(MARKER)
    expect(result.stdout + result.stderr).not.toContain(jwt.split('.')[2])
  })

  // Issue 4 takes the session code as an argument on purpose: it is single-use and lives minutes,
  // so it is spent before shell history matters. It is still never echoed whole.
  it('session exchange <code as argument>: accepted, but the code is only ever shown as a prefix', async () => {
    const code = `sc_${MARKER}_00112233445566778899aabbccddeeff`
    const result = await sandbox.run(['session', 'exchange', code])
    expect(result.code, result.stderr).toBe(4)
    expect(result.stdout + result.stderr).not.toContain(MARKER)
    expect(result.stderr).toContain('sc_CANA…')
  })

  it.each([
    ['login funtrips --client-secret <secret>', ['login', 'funtrips', '--client-secret', `sec-${MARKER}-1`]],
    ['login funtrips --client-secret=<secret>', ['login', 'funtrips', `--client-secret=sec-${MARKER}-2`]],
    ['login fluz --api-key <key> --json', ['login', 'fluz', '--api-key', `key-${MARKER}-3`, '--json']],
    ['fluz token --token <token>', ['fluz', 'token', '--scopes', 'LIST_OFFERS', `--token=tok-${MARKER}-4`]],
    ['shuttle refresh --refresh-token <token> --debug', ['shuttle', 'refresh', '--refresh-token', `rt-${MARKER}-5`, '--debug']],
    ['login shuttle <secret as extra argument>', ['login', 'shuttle', `sec-${MARKER}-6`]],
  ])('%s: exit 2, the secret not repeated in the error', async (_label, args) => {
    emulator.clearRequests()
    const result = await sandbox.run(args)
    expect(result.code, result.stderr).toBe(2)
    expect(result.stdout + result.stderr).not.toContain(MARKER)
    expect(emulator.requests()).toEqual([])
  })

  it.each(['funtrips.clientSecret', 'fluz.apiKey', 'shuttle.clientSecret', 'fluz.refreshToken'])(
    'config set %s <secret>: refused (exit 2), nothing written, not echoed',
    async (key) => {
      const result = await sandbox.run(['config', 'set', key, `val-${MARKER}-7`])
      expect(result.code, result.stderr).toBe(2)
      expect(result.stdout + result.stderr).not.toContain(MARKER)
      const config = await readFile(join(sandbox.configDir, 'config.json'), 'utf8').catch(() => '')
      expect(config).not.toContain(MARKER)
    },
  )
})
