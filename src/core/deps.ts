import {join} from 'node:path'

import {systemBrowser, type Browser} from './browser.js'
import {loadConfig, type Config, type EnvName} from './config.js'
import {CredentialStore, KeychainFallbackBackend} from './credential-store.js'
import type {Reporter} from './events.js'
import {HttpClient} from './http.js'
import {KeychainBackend, keychainLabel, keychainTimeoutMs} from './keychain.js'
import {keychainScope, ScopedKeychainBackend} from './keychain-scope.js'
import type {Output} from './output.js'
import {defaultConfigDir, pathsFor, type FtauthPaths} from './paths.js'
import {environmentCredential, envUrlOverrides, resolveProfile, type ResolvedProfile} from './profiles.js'
import {terminalPrompter, type Prompter} from './prompt.js'
import {SealedFile} from './sealed-cache.js'
import {redactKnown} from './redact.js'
import {renderEvents} from './render-events.js'
import {FileBackend, type SecretBackend} from './secret-backends.js'
import {TokenCache} from './token-cache.js'
import {checkTransport} from './transport.js'

/** What a flow needs, built once per command run (gh's "factory"): no module mocking in tests. */
export interface Deps {
  /** Where flows report their steps, warnings and traces (src/core/events.ts); never a stream. */
  report: Reporter
  /** How flows ask the person running them (a terminal's prompts, or scripted). */
  prompter: Prompter
  /** How flows open URLs (BROWSER / the system browser, or a test's or the demo's). */
  browser: Browser
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

/**
 * Where flow events go: the CLI's `out` (rendered by src/core/render-events.ts), or a ready
 * `report` (tests, the demo).
 */
export type EventSink = {out: Output; report?: undefined} | {report: Reporter; out?: undefined}

export type DepsOptions = EventSink & DepsSettings

export interface DepsSettings {
  /** Default: the terminal's prompts (src/core/prompt.ts). */
  prompter?: Prompter
  /** Default: BROWSER, else the system browser (src/core/browser.ts). */
  browser?: Browser
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
  /** --trace: which path served each keychain call. */
  trace?: ((line: string) => void) | undefined
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
  const keychain = new ScopedKeychainBackend(scope, (service) => new KeychainBackend(service, timeoutMs, {trace: input.trace}), keychainLabel())
  return new KeychainFallbackBackend(keychain, {
    credentialFor: (provider) => environmentCredential(provider, env, input.profile[provider].env),
    sealedFile: (provider, credential) => new SealedFile(join(paths.dir, `tokens-${provider}.sealed`), credential, provider, paths.locks),
    ci: Boolean(env.CI),
    warn,
  })
}

export async function createDeps(options: DepsOptions): Promise<Deps> {
  const {env} = options
  const report = options.report ?? renderEvents(options.out)
  const warn = (text: string) => report({type: 'warn', text})
  const paths = pathsFor(options.configDir)
  const config = await loadConfig(paths.config)
  const profile = resolveProfile(config, {profileFlag: options.profileFlag, envFlag: options.envFlag, env})
  const transport = {allowHttp: Boolean(options.allowHttp), warn}
  // FTAUTH_*_URL variables are checked before anything runs; URLs from elsewhere are checked by every request.
  for (const [variable, value] of envUrlOverrides(env)) checkTransport(value, variable, transport)
  const insecure = Boolean(options.insecureStorage) || profile.profile.insecureStorage === true
  // Keychain trace lines ride the --trace event of the HTTP client (rendered the same, dim on stderr).
  const trace = options.trace ? (line: string) => report({type: 'http', line}) : undefined
  const backend = options.backend ?? chooseSecretBackend({insecure, env, paths, config, profile, warn, trace})
  const store = new CredentialStore(backend, profile.name, env)
  const secrets = options.secrets ?? new Set<string>()
  return {
    report,
    prompter: options.prompter ?? terminalPrompter(env),
    browser: options.browser ?? systemBrowser(env),
    env,
    paths,
    config,
    profile,
    store,
    tokens: new TokenCache(store, paths.cache, paths.locks, warn, {persist: options.cacheTokens !== false}),
    http:
      options.http ??
      new HttpClient({
        timeoutMs: options.timeoutMs,
        trace: options.trace ? (line) => report({type: 'http', line: redactKnown(line, [...secrets])}) : undefined,
        transport,
      }),
    now: () => new Date(),
    secrets,
  }
}
