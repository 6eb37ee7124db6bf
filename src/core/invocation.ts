import {homedir} from 'node:os'
import {join} from 'node:path'

import {ENVIRONMENTS} from './config.js'
import {dropEmptyFtauthVariables} from './env-vars.js'
import type {WritableLike} from './output.js'
import {homeOf, pathsFor, resolveConfigDir, type FtauthPaths} from './paths.js'

/**
 * What one run of the CLI gets from its surroundings. `bin/run.js` passes the process's own
 * (`processIo()`); tests pass fakes to run the CLI inside their worker (`runCli(argv, io)`).
 * `isTTY` and `columns` are read from the streams, as Node puts them there.
 */
export interface CliStream extends WritableLike {
  write(chunk: string | Uint8Array): unknown
}

export interface CliIo {
  env: NodeJS.ProcessEnv
  stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  stdout: CliStream
  stderr: CliStream
  /** Default: process.cwd(). */
  cwd?: string
  /** Default: process.platform (the config dir and cache dir rules differ on Windows). */
  platform?: NodeJS.Platform
  /** os.homedir(), the last resort for the home directory. Default: the real one. */
  osHome?: string
}

export function processIo(): CliIo {
  return {env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr}
}

/**
 * The invocation environment, resolved once by one rule for every path (our runtime, oclif's
 * classes, help and completion): where the config and cache live, which FTAUTH_* variables
 * count, which streams are terminals. test/core/platforms.test.ts feeds it win32, darwin and linux
 * inputs and compares with oclif's own choice.
 */
export interface Invocation {
  readonly io: CliIo
  readonly env: NodeJS.ProcessEnv
  readonly platform: NodeJS.Platform
  readonly cwd: string
  readonly home: string
  readonly paths: FtauthPaths
  /** oclif's cache dir for ftauth (autocomplete scripts live under it). */
  readonly cacheDir: string
  /** FTAUTH_PROFILE / FTAUTH_ENV as given (empty values dropped); flags win over them later. */
  readonly profileVariable: string | undefined
  readonly environmentVariable: string | undefined
  readonly tty: {stdin: boolean; stdout: boolean; stderr: boolean}
}

export function resolveInvocation(io: CliIo = processIo()): Invocation {
  // An empty FTAUTH_* variable counts as unset (`FTAUTH_ENV= ftauth status`).
  dropEmptyFtauthVariables(io.env)
  const env = io.env
  const platform = io.platform ?? process.platform
  const inputs = {env, platform, osHome: io.osHome ?? homedir()}
  return {
    io,
    env,
    platform,
    cwd: io.cwd ?? process.cwd(),
    home: homeOf(inputs),
    paths: pathsFor(resolveConfigDir(inputs)),
    cacheDir: resolveCacheDir(inputs),
    profileVariable: env.FTAUTH_PROFILE,
    environmentVariable: env.FTAUTH_ENV,
    tty: {stdin: Boolean(io.stdin.isTTY), stdout: Boolean(io.stdout.isTTY), stderr: Boolean(io.stderr.isTTY)},
  }
}

/** FTAUTH_ENV must name an environment (checked before any command runs, on every path). */
export function checkEnvironmentVariable(value: string | undefined): string | undefined {
  if (value && !(ENVIRONMENTS as readonly string[]).includes(value)) return value
  return undefined
}

interface DirInputs {
  env: NodeJS.ProcessEnv
  platform: NodeJS.Platform
  osHome: string
}

/**
 * oclif's cache dir rule (Config.cacheDir): $FTAUTH_CACHE_DIR, else ~/Library/Caches on macOS,
 * else $XDG_CACHE_HOME, %LOCALAPPDATA% on Windows, ~/.cache elsewhere; plus /ftauth.
 */
export function resolveCacheDir(inputs: DirInputs): string {
  const {env, platform} = inputs
  if (env.FTAUTH_CACHE_DIR) return env.FTAUTH_CACHE_DIR
  const home = homeOf(inputs)
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'ftauth')
  const base = env.XDG_CACHE_HOME || (platform === 'win32' && env.LOCALAPPDATA) || join(home, '.cache')
  return join(base, 'ftauth')
}

const AMBIENT = Symbol.for('ftauth.cli-io')

/**
 * The io of the runCli() call in progress, for the one place that cannot be handed it: a command
 * oclif runs (our parser declined its argv) is constructed by oclif, possibly from another copy of
 * this module (dist/ beside src/ in tests), so it is kept on globalThis under a registered symbol.
 */
export function ambientIo(): CliIo {
  return (globalThis as {[AMBIENT]?: CliIo})[AMBIENT] ?? processIo()
}

export async function withAmbientIo<T>(io: CliIo, run: () => Promise<T>): Promise<T> {
  const holder = globalThis as {[AMBIENT]?: CliIo}
  const previous = holder[AMBIENT]
  holder[AMBIENT] = io
  try {
    return await run()
  } finally {
    holder[AMBIENT] = previous
  }
}
