import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'

export interface ConfigDirInputs {
  env: NodeJS.ProcessEnv
  platform: NodeJS.Platform
  /** os.homedir(), the last resort for the home directory. */
  osHome: string
}

/**
 * The one config-dir rule, for the fast path and oclif alike (they once split on Windows):
 * $FTAUTH_CONFIG_DIR, else oclif's own choice — $XDG_CONFIG_HOME, else %LOCALAPPDATA% on
 * Windows, else <home>/.config — plus /ftauth. test/core/paths.test.ts compares it with oclif.
 */
export function resolveConfigDir(inputs: ConfigDirInputs = currentInputs()): string {
  const {env, platform} = inputs
  if (env.FTAUTH_CONFIG_DIR) return env.FTAUTH_CONFIG_DIR
  const base = env.XDG_CONFIG_HOME || (platform === 'win32' && env.LOCALAPPDATA) || join(homeOf(inputs), '.config')
  return join(base, 'ftauth')
}

/** The config dir ftauth uses when FTAUTH_CONFIG_DIR does not choose one. */
export function defaultConfigDir(inputs: ConfigDirInputs = currentInputs()): string {
  return resolveConfigDir({...inputs, env: {...inputs.env, FTAUTH_CONFIG_DIR: undefined}})
}

/** oclif's home: $HOME, else on Windows %HOMEDRIVE%%HOMEPATH% or %USERPROFILE%, else os.homedir(), else the temp dir. */
export function homeOf({env, platform, osHome}: ConfigDirInputs): string {
  const windowsHome = platform === 'win32' ? (env.HOMEDRIVE && env.HOMEPATH && join(env.HOMEDRIVE, env.HOMEPATH)) || env.USERPROFILE : undefined
  return env.HOME || windowsHome || osHome || tmpdir()
}

function currentInputs(): ConfigDirInputs {
  return {env: process.env, platform: process.platform, osHome: homedir()}
}

export interface FtauthPaths {
  dir: string
  config: string
  /** Non-secret token metadata (expiry, scopes, environment) for fast `status`. */
  cache: string
  /** Only with --insecure-storage: secrets in a 0600 file instead of the keychain. */
  insecureCredentials: string
  locks: string
}

export function pathsFor(dir: string): FtauthPaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    cache: join(dir, 'cache.json'),
    insecureCredentials: join(dir, 'credentials.insecure.json'),
    locks: join(dir, 'locks'),
  }
}
