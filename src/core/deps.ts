import {loadConfig, type Config, type EnvName} from './config.js'
import {CiFallbackBackend, CredentialStore} from './credential-store.js'
import {HttpClient} from './http.js'
import {KeychainBackend, keychainTimeoutMs} from './keychain.js'
import type {Output} from './output.js'
import {pathsFor, type FtauthPaths} from './paths.js'
import {resolveProfile, type ResolvedProfile} from './profiles.js'
import {redactKnown} from './redact.js'
import {FileBackend, type SecretBackend} from './secret-backends.js'
import {TokenCache} from './token-cache.js'

/** What a flow needs, built once per command run (gh's "factory"): no module mocking in tests. */
export interface Deps {
  out: Output
  env: NodeJS.ProcessEnv
  paths: FtauthPaths
  config: Config
  profile: ResolvedProfile
  store: CredentialStore
  tokens: TokenCache
  http: HttpClient
  now: () => Date
  /** Secrets seen in this run; masked in errors and traces wherever they appear. */
  secrets: Set<string>
}

export const KEYCHAIN_SERVICE = 'ftauth'

export interface DepsOptions {
  out: Output
  env: NodeJS.ProcessEnv
  configDir: string
  profileFlag?: string | undefined
  envFlag?: EnvName | undefined
  insecureStorage?: boolean
  /** A ready backend (the demo's memory store); otherwise keychain, or the insecure file. */
  backend?: SecretBackend
  timeoutMs: number
  trace: boolean
  secrets?: Set<string>
  /** A ready HTTP client (tests pass one with instant retry sleeps); otherwise one from timeoutMs/trace. */
  http?: HttpClient
}

/**
 * Chooses where secrets live: the --insecure-storage file, else the OS keychain (with the memory
 * fallback when CI is set). `warn` hears about the insecure file and a fallback.
 */
export function chooseSecretBackend(options: {insecure: boolean; env: NodeJS.ProcessEnv; paths: FtauthPaths; warn: (line: string) => void}): SecretBackend {
  const {env, paths, warn} = options
  if (options.insecure) {
    warn(`--insecure-storage: secrets are kept in ${paths.insecureCredentials} (mode 0600), not in the OS keychain`)
    return new FileBackend(paths.insecureCredentials)
  }
  const keychain = new KeychainBackend(env.FTAUTH_KEYCHAIN_SERVICE || KEYCHAIN_SERVICE, keychainTimeoutMs(env))
  return env.CI ? new CiFallbackBackend(keychain, warn) : keychain
}

export async function createDeps(options: DepsOptions): Promise<Deps> {
  const {out, env} = options
  const paths = pathsFor(options.configDir)
  const config = await loadConfig(paths.config)
  const profile = resolveProfile(config, {profileFlag: options.profileFlag, envFlag: options.envFlag, env})
  const insecure = Boolean(options.insecureStorage) || profile.profile.insecureStorage === true
  const backend = options.backend ?? chooseSecretBackend({insecure, env, paths, warn: (line) => out.warn(line)})
  const store = new CredentialStore(backend, profile.name, env)
  const secrets = options.secrets ?? new Set<string>()
  return {
    out,
    env,
    paths,
    config,
    profile,
    store,
    tokens: new TokenCache(store, paths.cache, paths.locks, (line) => out.warn(line)),
    http:
      options.http ??
      new HttpClient({
        timeoutMs: options.timeoutMs,
        trace: options.trace ? (line) => out.err(out.e.dim(redactKnown(line, [...secrets]))) : undefined,
      }),
    now: () => new Date(),
    secrets,
  }
}
