// Issue 16, "local attacker and odd input": chunked secrets split on code points; one profile-name
// alphabet at every entry (exit 2 before anything is stored); an existing directory keeps its mode
// and new ones are 0700; provider text reaches a terminal with its control characters escaped.
import {randomBytes} from 'node:crypto'
import {chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import fc from 'fast-check'
import {SignJWT, generateKeyPair} from 'jose'
import {afterAll, afterEach, describe, expect, it, vi} from 'vitest'

import {renderBody} from '../../src/call/render.js'
import {Output, terminalSafe} from '../../src/core/output.js'
import {CHUNK_CHARS, KeychainBackend, splitOnCodePoints} from '../../src/core/keychain.js'
import {Chalk} from 'chalk'
import {clearKeychainService, keychainEntries, makeSandbox, runCli, runCliInProcess} from '../helpers/cli.js'

runCliInProcess()

vi.setConfig({testTimeout: 120_000})

describe('chunked secrets are split on code points', () => {
  it('never cuts a surrogate pair; pieces join back to the value and fit the limit (property)', () => {
    const unit = fc.constantFrom('a', 'é', '😀', '𝄞', '中', '\u{10FFFF}', 'Z')
    fc.assert(
      fc.property(fc.string({unit, maxLength: 300}), fc.integer({min: 2, max: 40}), (value, max) => {
        const chunks = splitOnCodePoints(value, max)
        expect(chunks.join('')).toBe(value)
        for (const chunk of chunks) {
          expect(chunk.length).toBeLessThanOrEqual(max)
          expect(chunk).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/)
          // What the keychain stores (UTF-8) reads back as the same text.
          expect(Buffer.from(chunk, 'utf8').toString('utf8')).toBe(chunk)
        }
      }),
      {numRuns: 300},
    )
  })

  describe.runIf(process.platform === 'linux' && process.env.DBUS_SESSION_BUS_ADDRESS)('in the real keychain', () => {
    const service = `ftauth-test-${randomBytes(4).toString('hex')}`
    // Windows' item size, so the edges fall inside the chunking even on Linux.
    const keychain = new KeychainBackend(service, 10_000, {chunkChars: CHUNK_CHARS})
    afterEach(() => clearKeychainService(service))

    it.each([CHUNK_CHARS - 1, CHUNK_CHARS, 2 * CHUNK_CHARS - 1, 3 * CHUNK_CHARS - 1])(
      'a surrogate pair starting at UTF-16 index %i reads back whole',
      async (at) => {
        const value = `${'x'.repeat(at)}😀${'𝄞'.repeat(300)}tail`
        await keychain.set('p:shuttle:token:edge', value)
        expect(await keychain.get('p:shuttle:token:edge')).toBe(value)
        const stored = [...(await keychainEntries(service)).values()]
        expect(stored.some((chunk) => chunk.includes('\uFFFD'))).toBe(false)
      },
    )
  })
})

describe('profile names: one alphabet wherever a name enters, exit 2 before anything is stored', () => {
  const BAD = ['a:b', '../x', '..', '.', '.hidden', 'a/b', 'a b', 'x'.repeat(65), 'naïve', 'tab\tname', '-flag-like']

  it('--profile, FTAUTH_PROFILE and the config file', async () => {
    const sandbox = await makeSandbox()
    try {
      const configPath = join(sandbox.configDir, 'config.json')
      const attempts = BAD.flatMap((name) =>
        [
          ['--profile', {args: ['--profile', name], env: {}}],
          ['FTAUTH_PROFILE', {args: [], env: {FTAUTH_PROFILE: name}}],
        ].map(([label, options]) => ({name, label: label as string, options: options as {args: string[]; env: Record<string, string>}})),
      )
      // Four at a time: 22 CLI processes at once on a shared 2-core machine ran past the 25 s process timeout.
      const batches = Array.from({length: Math.ceil(attempts.length / 4)}, (_, at) => attempts.slice(at * 4, at * 4 + 4))
      for (const batch of batches)
        await Promise.all(
          batch.map(async ({name, label, options}) => {
            {
              const set = await sandbox.run(['config', 'set', 'fluz.userId', '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', ...options.args], {env: options.env})
              expect(set.code, `${label} ${JSON.stringify(name)}: ${set.stderr}`).toBe(2)
              expect(set.stderr).toContain('invalid profile name')
              const login = await sandbox.run(
                [
                  'login',
                  'fluz',
                  '--api-key-stdin',
                  '--no-verify',
                  '--user-id',
                  '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
                  '--account-id',
                  '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
                  ...options.args,
                ],
                {
                  env: options.env,
                  stdin: 'secret-api-key-0123456789',
                },
              )
              expect(login.code, `${label} ${JSON.stringify(name)}: ${login.stderr}`).toBe(2)
            }
          }),
        )
      await expect(readFile(configPath, 'utf8')).rejects.toThrow()
      expect([...(await keychainEntries(sandbox.service)).keys()]).toEqual([])
      for (const name of ['a:b', '..', '.x']) {
        await writeFile(configPath, JSON.stringify({version: 1, profiles: {[name]: {}}}))
        const list = await sandbox.run(['config', 'list'])
        expect(list.code, name).toBe(2)
        expect(list.stderr).toContain('profile names are')
      }
      // The alphabet still takes ordinary names.
      await rm(configPath)
      const good = await sandbox.run(['config', 'set', 'env', 'local', '--profile', 'dev-2.staging_x'])
      expect(good.code, good.stderr).toBe(0)
    } finally {
      await sandbox.cleanup()
    }
  }, 300_000)
})

describe('directories', () => {
  let root: string
  afterAll(() => rm(root, {recursive: true, force: true}))

  it('an existing shared config dir (1777) keeps its mode; new dirs are created 0700', async () => {
    root = await mkdtemp(join(tmpdir(), 'ftauth-dirs-'))
    const shared = join(root, 'shared')
    await mkdir(shared)
    await chmod(shared, 0o1777)
    const service = `ftauth-test-${randomBytes(4).toString('hex')}`
    const env = {FTAUTH_CONFIG_DIR: shared, FTAUTH_KEYCHAIN_SERVICE: service}
    const set = await runCli(['config', 'set', 'env', 'local'], {env})
    expect(set.code, set.stderr).toBe(0)
    expect((await stat(shared)).mode & 0o7777).toBe(0o1777)
    expect((await stat(join(shared, 'locks'))).mode & 0o777).toBe(0o700)
    expect((await stat(join(shared, 'config.json'))).mode & 0o777).toBe(0o600)

    const fresh = join(root, 'new', 'nested', 'ftauth')
    const created = await runCli(['config', 'set', 'env', 'local'], {env: {...env, FTAUTH_CONFIG_DIR: fresh}})
    expect(created.code, created.stderr).toBe(0)
    for (const dir of [join(root, 'new'), join(root, 'new', 'nested'), fresh, join(fresh, 'locks')]) expect((await stat(dir)).mode & 0o777, dir).toBe(0o700)
    await clearKeychainService(service)
  })
})

describe('provider text reaches a terminal with control characters escaped', () => {
  const HOSTILE = ['\u001b[2J\u001b[H', '\u001b]0;owned\u0007', '\u001b]8;;http://evil/\u001b\\', '\u0007', '\b\b\bok', '\r', '\u009b31m', '\u007f', '\u2028']

  it('terminalSafe leaves no C0/C1 control character, DEL or line separator (property)', () => {
    fc.assert(
      fc.property(fc.string({unit: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({maxLength: 3}))}), (text) => {
        expect(terminalSafe(text, {singleLine: true})).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
        expect(terminalSafe(text)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/)
      }),
    )
  })

  it('in steps, warnings and a call body shown on a terminal', () => {
    const stderr: string[] = []
    const out = new Output({stdout: {write: () => true}, stderr: {write: (chunk: string) => stderr.push(chunk)}}, 'human', {colorOut: false, colorErr: false})
    for (const text of HOSTILE) {
      out.step({title: 'Token', outcome: `provider said ${text}`})
      out.warn(`provider said ${text}`)
    }
    expect(stderr.join('')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    const body = renderBody(Buffer.from(`plain text ${HOSTILE.join(' ')}\n`), 'text/plain', {pretty: true, color: new Chalk({level: 0})})
    expect(String(body)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    // Piped (not a terminal) the body stays byte-exact.
    expect(String(renderBody(Buffer.from('\u001b[31m'), 'text/plain', {pretty: false, color: new Chalk({level: 0})}))).toBe('\u001b[31m')
  })

  it('token inspect and token diff: claim names, claim values, header and audience with CSI, OSC 8, BEL, C1 CSI (0x9b) and bidi overrides', async () => {
    const evil = 'A\u001b[31mRED\u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007\u009b2J\u0085\u202eRTL\u2066'
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const token = `${part({alg: 'RS256', kid: evil})}.${part({iss: `https://x.example/${evil}`, aud: [evil], scope: evil, [evil]: evil, nested: {list: [evil]}, exp: 2_000_000_000})}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`
    const sandbox = await makeSandbox()
    try {
      await writeFile(
        join(sandbox.configDir, 'other.jwt'),
        `${part({alg: 'RS256'})}.${part({iss: 'https://y.example', [`${evil}2`]: 1})}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`,
      )
      for (const args of [
        ['token', 'inspect', '-'],
        ['token', 'diff', '-', `@${join(sandbox.configDir, 'other.jwt')}`],
      ]) {
        const result = await sandbox.run(args, {stdin: token})
        expect(result.code, result.stderr).toBe(0)
        expect(result.stdout, args.join(' ')).toContain('\\x9b2J')
        expect(result.stdout + result.stderr, args.join(' ')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
      }
    } finally {
      await sandbox.cleanup()
    }
  })

  it('token inspect of a forged token whose claims carry escape sequences', async () => {
    const {privateKey} = await generateKeyPair('RS256')
    const token = await new SignJWT({scope: 'read \u001b]0;owned\u0007write', env: 'sandbox'})
      .setProtectedHeader({alg: 'RS256'})
      .setIssuer('https://issuer.example/\u001b[2J')
      .setSubject('user\u001b[31m-1\r')
      .setExpirationTime('1h')
      .sign(privateKey)
    const sandbox = await makeSandbox()
    try {
      for (const mode of [[], ['--json'], ['--trace']]) {
        const result = await sandbox.run(['token', 'inspect', '-', ...mode], {stdin: token})
        expect(result.code, result.stderr).toBe(0)
        expect(result.stdout + result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
      }
    } finally {
      await sandbox.cleanup()
    }
  })
})
