import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

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
}

/**
 * Runs the built CLI (bin/run.js → dist) as a user would: a real process, real exit code, stdin a
 * pipe (closed at once unless `stdin` is given). The parent's FTAUTH_* and CI variables are dropped.
 */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return listensOnDefaultRedirect(args) ? withDefaultRedirectPort(() => spawnCli(args, options)) : spawnCli(args, options)
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
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('FTAUTH_') && key !== 'CI') env[key] = value
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
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
