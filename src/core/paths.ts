import {homedir} from 'node:os'
import {join} from 'node:path'

/**
 * Where ftauth keeps its files. $FTAUTH_CONFIG_DIR wins; otherwise oclif's config dir
 * (XDG_CONFIG_HOME/ftauth on Linux), passed in by the base command.
 */
export function resolveConfigDir(env: NodeJS.ProcessEnv, oclifConfigDir?: string): string {
  if (env.FTAUTH_CONFIG_DIR) return env.FTAUTH_CONFIG_DIR
  if (oclifConfigDir) return oclifConfigDir
  const xdg = env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(xdg, 'ftauth')
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
