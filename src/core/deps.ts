import {join} from 'node:path'

import {loadConfig, type Config, type EnvName} from './config.js'
import {CredentialStore, KeychainFallbackBackend} from './credential-store.js'
import {HttpClient} from './http.js'
import {KeychainBackend, keychainLabel, keychainTimeoutMs} from './keychain.js'
import {keychainScope, ScopedKeychainBackend} from './keychain-scope.js'
import type {Output} from './output.js'
import {defaultConfigDir, pathsFor, type FtauthPaths} from './paths.js'
import {environmentCredential, envUrlOverrides, resolveProfile, type ResolvedProfile} from './profiles.js'
import {SealedFile} from './sealed-cache.js'
import {redactKnown} from './redact.js'
import {FileBackend, type SecretBackend} from './secret-backends.js'
import {TokenCache} from './token-cache.js'
import {checkTransport} from './transport.js'

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

export interface DepsOptions {
  out: Output
  env: NodeJS.ProcessEnv
  configDir: string
  profileFlag?: string | undefined
  envFlag?: EnvName | undefined
  insecureStorage?: boolean
  /** false (--no-cache): tokens live for this run only, in memory. */
  cacheTokens?: boolean
  /** A ready backend (the demo's memory store); otherwise keychain, or the insecure file. */
  backend?: SecretBackend
  timeoutMs: number
  trace: boolean
  secrets?: Set<string>
  /** A ready HTTP client (tests pass one with instant retry sleeps); otherwise one from timeoutMs/trace. */
  http?: HttpClient
  /** --allow-http: plain http to other hosts, with a warning on every use. */
  allowHttp?: boolean
}

export interface BackendChoiceInput {
  insecure: boolean
  env: NodeJS.ProcessEnv
  paths: FtauthPaths
  config: Config
  /** The resolved profile: which providers run in `local` (their demo credential is public). */
  profile: ResolvedProfile
  warn: (line: string) => void
}

/**
 * Chooses where secrets live: the --insecure-storage file, else the OS keychain under this config
 * dir's service (src/core/keychain-scope.ts) — and, when the keychain cannot be reached, a sealed
 * file per provider whose credential came from the environment, or memory with CI set.
 */
export function chooseSecretBackend(input: BackendChoiceInput): SecretBackend {
  const {env, paths, warn} = input
  if (input.insecure) {
    warn(`--insecure-storage: secrets are kept in ${paths.insecureCredentials} (mode 0600), not in the OS keychain`)
    return new FileBackend(paths.insecureCredentials)
  }
  const scope = keychainScope({paths, defaultDir: defaultConfigDir(), env, keychainId: input.config.keychainId})
  const timeoutMs = keychainTimeoutMs(env)
  const keychain = new ScopedKeychainBackend(scope, (service) => new KeychainBackend(service, timeoutMs), keychainLabel())
  return new KeychainFallbackBackend(keychain, {
    credentialFor: (provider) => environmentCredential(provider, env, input.profile[provider].env),
    sealedFile: (provider, credential) => new SealedFile(join(paths.dir, `tokens-${provider}.sealed`), credential, provider, paths.locks),
    ci: Boolean(env.CI),
    warn,
  })
}

export async function createDeps(options: DepsOptions): Promise<Deps> {
  const {out, env} = options
  const paths = pathsFor(options.configDir)
  const config = await loadConfig(paths.config)
  const profile = resolveProfile(config, {profileFlag: options.profileFlag, envFlag: options.envFlag, env})
  const transport = {allowHttp: Boolean(options.allowHttp), warn: (line: string) => out.warn(line)}
  // FTAUTH_*_URL variables are checked before anything runs; URLs from elsewhere are checked by every request.
  for (const [variable, value] of envUrlOverrides(env)) checkTransport(value, variable, transport)
  const insecure = Boolean(options.insecureStorage) || profile.profile.insecureStorage === true
  const backend = options.backend ?? chooseSecretBackend({insecure, env, paths, config, profile, warn: (line) => out.warn(line)})
  const store = new CredentialStore(backend, profile.name, env)
  const secrets = options.secrets ?? new Set<string>()
  return {
    out,
    env,
    paths,
    config,
    profile,
    store,
    tokens: new TokenCache(store, paths.cache, paths.locks, (line) => out.warn(line), {persist: options.cacheTokens !== false}),
    http:
      options.http ??
      new HttpClient({
        timeoutMs: options.timeoutMs,
        trace: options.trace ? (line) => out.err(out.e.dim(redactKnown(line, [...secrets]))) : undefined,
        transport,
      }),
    now: () => new Date(),
    secrets,
  }
}
