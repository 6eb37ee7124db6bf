import {spawn} from 'node:child_process'
import {appendFileSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, relative, resolve} from 'node:path'

import {expect} from 'vitest'

import {tryInProcess} from './in-process.js'

export const ROOT = resolve(import.meta.dirname, '../..')
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  stdin?: string
  timeoutMs?: number
  /**
   * Run `node bin/run.js` in a new process even where the in-process run would do: for what only a
   * process shows (exit, signals, EPIPE, start-up environment such as NODE_EXTRA_CA_CERTS, several
   * CLIs at once). FTAUTH_TEST_SPAWN=1 makes every run spawn (the whole suite end to end).
   */
  spawn?: boolean
}

let inProcessDefault = false

/**
 * Makes runCli (and every sandbox's run) in this test file run the CLI inside the worker unless a run
 * asks for `spawn`. Test files opt in once checked to pass that way (a file runs in its own worker,
 * so this is per file); the others still spawn every run.
 */
export function runCliInProcess(): void {
  inProcessDefault = true
}

/**
 * Runs the built CLI (dist/, what bin/run.js loads) as `ftauth <args>`: exit code, stdout and stderr,
 * stdin a pipe (closed at once unless `stdin` is given), the parent's FTAUTH_* and CI variables
 * dropped. As a process (`node bin/run.js`), or, in files that called runCliInProcess(), inside this
 * worker through the bundle's runCli (test/helpers/in-process.ts) — there `spawn: true`,
 * FTAUTH_TEST_SPAWN=1 or another in-process run under way still spawn.
 */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const spawnIt = options.spawn ?? !inProcessDefault
  const run = () => (spawnIt || process.env.FTAUTH_TEST_SPAWN === '1' ? spawnCli(args, options) : inProcessOrSpawn(args, options))
  return listensOnDefaultRedirect(args) ? withDefaultRedirectPort(run) : run()
}

async function inProcessOrSpawn(args: string[], options: RunOptions): Promise<CliResult> {
  const started = performance.now()
  const result = await tryInProcess(ROOT, BIN, args, cliEnv(options), options.stdin ?? '', options.timeoutMs ?? 25_000)
  if (result) {
    logRun('in-process', args, started)
    return result
  }
  return spawnCli(args, options)
}

/** With FTAUTH_TEST_RUN_LOG=<file>, each CLI run appends {file, mode, args, ms} as a JSON line. */
function logRun(mode: 'in-process' | 'spawn', args: string[], started: number): void {
  const log = process.env.FTAUTH_TEST_RUN_LOG
  if (!log) return
  let file = ''
  try {
    file = expect.getState().testPath ?? ''
  } catch {
    // outside a test
  }
  appendFileSync(log, `${JSON.stringify({file: relative(ROOT, file), mode, args: args.slice(0, 3), ms: Math.round(performance.now() - started)})}\n`)
}

/** The environment a spawned CLI gets: ours without FTAUTH_* and CI, plus the run's own. */
function cliEnv(options: RunOptions): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('FTAUTH_') && key !== 'CI') env[key] = value
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

/** `shuttle login` without --port/--redirect-uri listens on the fixed default redirect port (8765). */
function listensOnDefaultRedirect(args: string[]): boolean {
  return args[0] === 'shuttle' && args[1] === 'login' && !args.some((arg) => /^--(port|redirect-uri)\b/.test(arg))
}

/**
 * Test files run in parallel workers, and two logins on the default redirect would find its port
 * busy (exit 5, as designed): such runs take turns under one cross-process lock.
 */
async function withDefaultRedirectPort<T>(run: () => Promise<T>): Promise<T> {
  const {lock} = (await import('proper-lockfile')).default
  const target = join(tmpdir(), 'ftauth-test-default-redirect')
  await writeFile(target, '', {flag: 'a'})
  const release = await lock(target, {stale: 10_000, update: 5_000, realpath: false, retries: {retries: 600, minTimeout: 100, maxTimeout: 500}})
  try {
    return await run()
  } finally {
    await release()
  }
}

function spawnCli(args: string[], options: RunOptions): Promise<CliResult> {
  const env = cliEnv(options)
  const started = performance.now()
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 25_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      logRun('spawn', args, started)
      resolvePromise({code: code ?? (signal ? 128 : 1), stdout, stderr})
    })
    // A command may stop reading early (stdin over its cap): the rest of the pipe is dropped (EPIPE).
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.stdin ?? '')
  })
}

export interface Sandbox {
  configDir: string
  /** Keychain service name used by this sandbox only; removed on cleanup. */
  service: string
  /** Base env for runCli: isolated config dir and keychain service, local environment. */
  env: Record<string, string>
  run(args: string[], options?: RunOptions): Promise<CliResult>
  cleanup(): Promise<void>
}

/** An isolated config dir and throwaway keychain service; pass the emulator URL to use `--env local`. */
export async function makeSandbox(emulatorUrl?: string): Promise<Sandbox> {
  const configDir = await mkdtemp(join(tmpdir(), 'ftauth-test-'))
  const service = `ftauth-test-${randomBytes(4).toString('hex')}`
  const env: Record<string, string> = {
    FTAUTH_CONFIG_DIR: configDir,
    FTAUTH_KEYCHAIN_SERVICE: service,
    NO_COLOR: '1',
    ...(emulatorUrl ? {FTAUTH_LOCAL_URL: emulatorUrl, FTAUTH_ENV: 'local'} : {}),
  }
  return {
    configDir,
    service,
    env,
    run: (args, options = {}) => runCli(args, {...options, env: {...env, ...options.env}}),
    async cleanup() {
      await clearKeychainService(service)
      await rm(configDir, {recursive: true, force: true})
    },
  }
}

/** Deletes every entry of a throwaway keychain service (ignores a missing keychain). */
export async function clearKeychainService(service: string): Promise<void> {
  try {
    const {findCredentialsAsync, AsyncEntry} = await import('@napi-rs/keyring')
    for (const {account} of await findCredentialsAsync(service)) {
      await new AsyncEntry(service, account, {linux: {store: 'secret-service'}}).deleteCredential()
    }
  } catch {
    // no keychain reachable: nothing was stored there
  }
}

/** Entries stored under a throwaway service (account → value). */
export async function keychainEntries(service: string): Promise<Map<string, string>> {
  const {findCredentialsAsync} = await import('@napi-rs/keyring')
  return new Map((await findCredentialsAsync(service)).map((credential) => [credential.account, credential.password]))
}
