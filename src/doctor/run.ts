import type {Deps} from '../core/deps.js'
import {systemBrowser} from '../core/browser.js'
import {noPrompter} from '../core/prompt.js'
import {renderEvents} from '../core/render-events.js'
import {emptyConfig, type EnvName, type ProviderName} from '../core/config.js'
import {PROVIDERS} from '../providers/registry.js'
import {effectiveSettings, type Setting} from '../core/config-keys.js'
import {CredentialStore} from '../core/credential-store.js'
import {HttpClient} from '../core/http.js'
import type {Output} from '../core/output.js'
import type {FtauthPaths} from '../core/paths.js'
import {resolveProfile, type ResolvedProfile} from '../core/profiles.js'
import {providerModule} from '../core/provider-module.js'
import {TokenCache} from '../core/token-cache.js'
import {check, errorMessage, reportOf, type Check, type DoctorReport} from './check.js'
import {checkClock} from './clock-check.js'
import {checkConfigFile} from './config-check.js'
import {checkDocsGuesses} from './docs-check.js'
import {checkCredentials} from './credentials-check.js'
import {checkKeychain, chooseBackend} from './keychain-check.js'
import {checkPermissions} from './permissions-check.js'
import type {Platform} from './platform.js'
import {checkReachable, type Endpoint} from './reachability-check.js'
import {checkTokens} from './token-check.js'

export interface DoctorInput {
  paths: FtauthPaths
  env: NodeJS.ProcessEnv
  profileFlag: string | undefined
  envFlag: EnvName | undefined
  insecureFlag: boolean
  withCredentials: boolean
  /** HTTP timeout per request. */
  timeoutMs: number
  platform: Platform
  out: Output
  secrets: Set<string>
  trace?: ((line: string) => void) | undefined
  now?: () => Date
  /** --allow-http: plain http to other hosts, with a warning on every use. */
  allowHttp?: boolean
}

/**
 * Runs every check and returns them in a fixed order. The dependencies are built step by step
 * (not via BaseCommand.context()) so a broken config file is one failed check, not the end of the run.
 */
export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const now = input.now ?? (() => new Date())
  const resolveOptions = {profileFlag: input.profileFlag, envFlag: input.envFlag, env: input.env}
  const configResult = await checkConfigFile(input.paths.config, (config) => resolveProfile(config, resolveOptions).name)
  const config = configResult.config ?? emptyConfig()
  const profile = resolveProfile(config, resolveOptions)
  const settings = effectiveSettings(config, {...resolveOptions, insecureFlag: input.insecureFlag}).settings

  const choice = chooseBackend({
    insecure: input.insecureFlag || profile.profile.insecureStorage === true,
    env: input.env,
    paths: input.paths,
    config,
    profile,
  })
  const cacheNotes: string[] = []
  const store = new CredentialStore(choice.backend, profile.name, input.env)
  const tokens = new TokenCache(store, input.paths.cache, input.paths.locks, (line) => cacheNotes.push(line))
  // One attempt per request: doctor reports what it sees rather than retrying it away.
  const http = new HttpClient({
    timeoutMs: input.timeoutMs,
    maxAttempts: 1,
    trace: input.trace,
    transport: {allowHttp: Boolean(input.allowHttp), warn: (line) => input.out.warn(line)},
  })
  const deps: Deps = {
    report: renderEvents(input.out),
    prompter: noPrompter,
    browser: systemBrowser(input.env),
    env: input.env,
    paths: input.paths,
    config,
    profile,
    store,
    tokens,
    http,
    now,
    secrets: input.secrets,
  }

  const [keychain, reachability, tokenCheck] = await Promise.all([
    checkKeychain(choice, input.platform),
    Promise.all(PROVIDERS.map((provider) => checkReachable(http, provider, profile[provider].env, endpointsOf(profile, provider, settings), now))),
    tokens.entries().then(
      (entries) => checkTokens(entries, profile.name, now()),
      (error: unknown) =>
        check('tokens', 'Stored tokens', 'fail', `cannot read ${input.paths.cache}: ${errorMessage(error)}`, {
          fix: `remove ${input.paths.cache}; it holds no secrets`,
        }),
    ),
  ])
  const tokenChecks = cacheNotes.length ? [{...tokenCheck, status: 'warn' as const, detail: `${tokenCheck.detail}; ${cacheNotes.join('; ')}`}] : [tokenCheck]
  const clock = checkClock(
    reachability.flatMap((result) => result.samples),
    input.platform,
  )

  const docs = await Promise.all(
    PROVIDERS.map(async (provider) => checkDocsGuesses(profile, provider, await tokens.serverChoices(provider, profile[provider].env).catch(() => ({})))),
  )

  const credentials: Check[] = []
  if (input.withCredentials) {
    for (const provider of PROVIDERS) credentials.push(await checkCredentials(deps, provider))
  }
  // Last, so files the other checks created (the insecure file, the lock dir) are judged too.
  const permissions = await checkPermissions(input.paths.dir, input.platform.os)

  return reportOf([configResult.check, keychain, ...reachability.map((result) => result.check), clock, ...tokenChecks, ...docs, permissions, ...credentials])
}

/** The URLs a provider uses in its resolved environment, with the config key and source of each. */
export function endpointsOf(profile: ResolvedProfile, provider: ProviderName, settings: readonly Setting[]): Endpoint[] {
  const resolved = profile[provider]
  const fields = new Map<string, unknown>(Object.entries(resolved))
  const urls = providerModule(provider).doctor.endpointFields.map((field): [string, string] => [field, String(fields.get(field))])
  return urls.map(([field, url]) => {
    const key = `${provider}.urls.${resolved.env}.${field}`
    const setting = settings.find((candidate) => candidate.key === key)
    return {key, url, source: setting ? {source: setting.source, origin: setting.origin} : undefined}
  })
}
