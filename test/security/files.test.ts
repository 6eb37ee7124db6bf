// Files and permissions (issue 8): every file ftauth writes is 0600 inside 0700 dirs, written
// atomically (temp + rename); a corrupt cache is discarded with a warning and rebuilt; a corrupt
// config is reported (exit 2) and left byte for byte as it was.
import {spawn} from 'node:child_process'
import {chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {configSchema} from '../../src/core/config.js'
import {writePrivateFileAtomic} from '../../src/core/files.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {BIN, makeSandbox, type CliResult, type Sandbox} from '../helpers/cli.js'
import {TEST_BROWSER} from '../shuttle/helpers.js'
import {permissionProblems, walk} from './helpers.js'

let emulator: Emulator
const sandboxes: Sandbox[] = []

beforeAll(async () => {
  emulator = await startEmulator({port: 0, autoApprove: true})
})
afterAll(async () => {
  await emulator?.close()
})
afterEach(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.cleanup()
})

async function sandboxFor(): Promise<Sandbox> {
  const sandbox = await makeSandbox(emulator.url)
  sandboxes.push(sandbox)
  return sandbox
}

/** Runs the CLI under `umask 000`, so any file or dir created without an explicit mode shows up world-writable. */
function runWithOpenUmask(sandbox: Sandbox, args: string[], stdin = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN, ...args], {
      env: {...withoutFtauth(process.env), ...sandbox.env, BROWSER: TEST_BROWSER},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code: code ?? 128, stdout, stderr})
    })
    child.stdin.end(stdin)
  })
}

function withoutFtauth(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('FTAUTH_') && entry[0] !== 'CI'),
  )
}

describe('permissions after a full run of flows', () => {
  it('under umask 000: every file 0600, every dir 0700 (locks included), no temp file left', {timeout: 120_000}, async () => {
    const sandbox = await sandboxFor()
    const steps: string[][] = [
      ['config', 'set', 'funtrips.campaignId', 'camp-1'],
      ['session', 'create', '--headless', '--exchange', '--pkce'],
      ['session', 'create', '--headless', '--pkce'],
      ['fluz', 'token', '--scopes', 'LIST_OFFERS'],
      ['fluz', 'refresh', '--scopes', 'LIST_OFFERS'],
      ['shuttle', 'login', '--wait', '30'],
      ['shuttle', 'refresh'],
      ['call', '--provider', 'funtrips', '/v1/merchants'],
      ['doctor'],
    ]
    for (const args of steps) {
      const result = await runWithOpenUmask(sandbox, args)
      expect(result.code === 0 || args[0] === 'doctor', `${args.join(' ')}: ${result.stderr}`).toBe(true)
    }
    // --insecure-storage keeps secrets in a file: that file above all must be private.
    const insecure = await runWithOpenUmask(
      sandbox,
      ['login', 'funtrips', '--client-id', 'ft_demo_client', '--client-secret-stdin', '--insecure-storage'],
      'ft_demo_secret_5f2c9a',
    )
    expect(insecure.code, insecure.stderr).toBe(0)

    const entries = await walk(sandbox.configDir)
    expect(entries.map((entry) => entry.relative)).toEqual(expect.arrayContaining(['config.json', 'cache.json', 'locks', 'credentials.insecure.json']))
    expect(await permissionProblems(sandbox.configDir)).toEqual([])
  })

  // Issue 16: ftauth never changes the mode of a directory it did not create (a shared 1777 dir
  // must stay so); `ftauth doctor` reports a loose one. The file is replaced by a 0600 one.
  it('an existing config dir keeps its mode; a config file that is too open is replaced by a 0600 one on the next write', async () => {
    const sandbox = await sandboxFor()
    await chmod(sandbox.configDir, 0o755)
    await writeFile(join(sandbox.configDir, 'config.json'), '{"version":1,"profiles":{}}\n', {mode: 0o644})
    await chmod(join(sandbox.configDir, 'config.json'), 0o644)
    const result = await sandbox.run(['config', 'set', 'funtrips.campaignId', 'camp-2'])
    expect(result.code, result.stderr).toBe(0)
    expect((await stat(sandbox.configDir)).mode & 0o777).toBe(0o755)
    expect((await stat(join(sandbox.configDir, 'config.json'))).mode & 0o777).toBe(0o600)
  })
})

describe('atomic writes', () => {
  it('a failed rename leaves the old file and no temp file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftauth-atomic-'))
    try {
      // The target is a non-empty directory: rename(temp, target) fails.
      await mkdir(join(dir, 'config.json'))
      await writeFile(join(dir, 'config.json', 'keep'), 'x')
      await expect(writePrivateFileAtomic(join(dir, 'config.json'), '{"version":1}')).rejects.toThrow()
      expect((await readdir(dir)).sort()).toEqual(['config.json'])
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('processes killed mid-write never leave a half-written config: it always parses and validates', {timeout: 60_000}, async () => {
    const sandbox = await sandboxFor()
    expect((await sandbox.run(['config', 'set', 'funtrips.campaignId', 'first'])).code).toBe(0)
    const kills = Array.from(
      {length: 8},
      (_, index) =>
        new Promise<void>((resolve) => {
          const child = spawn(process.execPath, [BIN, 'config', 'set', 'funtrips.campaignId', `campaign-${index}-${'x'.repeat(2000)}`], {
            env: {...withoutFtauth(process.env), ...sandbox.env},
            stdio: 'ignore',
          })
          // Spread the kills over start-up, parsing and the write itself.
          setTimeout(() => child.kill('SIGKILL'), 150 + index * 90)
          child.on('close', () => resolve())
        }),
    )
    await Promise.all(kills)
    const text = await readFile(join(sandbox.configDir, 'config.json'), 'utf8')
    expect(() => configSchema().parse(JSON.parse(text))).not.toThrow()
    expect(JSON.parse(text).profiles.default.funtrips.campaignId).toMatch(/^(first|campaign-\d+-x+)$/)
    // And the next command works on it.
    const after = await sandbox.run(['config', 'get', 'funtrips.campaignId', '-q'])
    expect(after.code, after.stderr).toBe(0)
  })
})

describe('a corrupt cache.json is discarded with a warning and rebuilt', () => {
  it.each([
    ['not JSON', '{"version":1,"tokens":{"x":'],
    ['the wrong shape', '{"version":2,"tokens":[]}'],
    ['binary garbage', '\u0000\u0001\u00ff garbage'],
  ])('%s: status warns and succeeds, fluz token succeeds and rewrites it valid', async (_label, content) => {
    const sandbox = await sandboxFor()
    const cachePath = join(sandbox.configDir, 'cache.json')
    await writeFile(cachePath, content, {mode: 0o600})

    const status = await sandbox.run(['status'])
    expect(status.code, status.stderr).toBe(0)
    expect(status.stderr).toMatch(/warning: .*cache/)
    expect(status.stderr).not.toMatch(/^\s+at /m)

    const token = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])
    expect(token.code, token.stderr).toBe(0)
    expect(token.stderr).toMatch(/warning: .*cache/)
    const rebuilt = JSON.parse(await readFile(cachePath, 'utf8')) as {version: number; tokens: Record<string, {provider: string}>}
    expect(rebuilt.version).toBe(1)
    expect(Object.values(rebuilt.tokens).map((entry) => entry.provider)).toEqual(['fluz'])

    const again = await sandbox.run(['status'])
    expect(again.code).toBe(0)
    expect(again.stderr).not.toContain('warning')
  })
})

describe('a corrupt config is reported (exit 2) and left byte for byte as it was', () => {
  const corrupt: [string, string][] = [
    ['not JSON', '{"version": 1, "profiles": {"default": {"env": "local",}}}\n'],
    ['an unknown key', '{"version":1,"profiles":{"default":{"fluz":{"userid":"x"}}}}'],
    ['a bad UUID', '{"version":1,"profiles":{"default":{"fluz":{"userId":"not-a-uuid"}}}}'],
    ['the wrong version', '{"version":7,"profiles":{}}'],
  ]
  const commands: string[][] = [
    ['status'],
    ['config', 'list'],
    ['config', 'set', 'funtrips.campaignId', 'camp-3'],
    ['fluz', 'token', '--scopes', 'LIST_OFFERS'],
    ['session', 'create', '--headless'],
    ['logout', '--all'],
    ['call', '--provider', 'funtrips', '/v1/merchants'],
  ]

  it.each(corrupt)('%s: every command exits 2 naming the file, nothing is sent, the file is untouched', {timeout: 60_000}, async (_label, content) => {
    const sandbox = await sandboxFor()
    const configPath = join(sandbox.configDir, 'config.json')
    await writeFile(configPath, content, {mode: 0o600})
    const before = await stat(configPath)
    emulator.clearRequests()
    // The whole command list for the first kind of damage; three representative commands for the rest.
    const list = content === corrupt[0]![1] ? commands : [commands[2]!, commands[3]!, commands[5]!]
    const results = await Promise.all(list.map((args) => sandbox.run(args)))
    const login = await sandbox.run(['login', 'funtrips', '--client-id', 'ft_demo_client', '--client-secret-stdin'], {stdin: 'ft_demo_secret_5f2c9a'})
    const problems: string[] = []
    for (const [index, result] of [...results, login].entries()) {
      const label = index < list.length ? list[index]!.join(' ') : 'login funtrips'
      if (result.code !== 2) problems.push(`${label}: exit ${result.code}`)
      if (!result.stderr.includes(configPath)) problems.push(`${label}: error does not name ${configPath}`)
      if (/^\s+at /m.test(result.stderr)) problems.push(`${label}: stack trace without --debug`)
    }
    expect(problems).toEqual([])
    expect(await readFile(configPath, 'utf8')).toBe(content)
    expect((await stat(configPath)).mtimeMs).toBe(before.mtimeMs)
    expect(emulator.requests()).toEqual([])

    // config unset is the documented repair tool for a bad file: it may run, but a key the file does not hold changes nothing.
    const unset = await sandbox.run(['config', 'unset', 'funtrips.campaignId'])
    expect([0, 2], unset.stderr).toContain(unset.code)
    expect(await readFile(configPath, 'utf8')).toBe(content)

    // doctor reports it as a failed check (its documented exit 1) and does not touch it either.
    const doctor = await sandbox.run(['doctor'])
    expect(doctor.code).toBe(1)
    expect(doctor.stdout + doctor.stderr).toContain('config')
    expect(await readFile(configPath, 'utf8')).toBe(content)
  })
})
