import {PROFILE_NAME, PROFILE_NAME_RULE, type Config, type EnvName, type Profile} from './config.js'
import {usageError} from './errors.js'
import {providerModule, providerModules, type BaseProfileBlock, type ProviderName, type ProviderSettingsMap, type SecretSpec} from './provider-module.js'
import {redactUserinfo} from './redact.js'
import {DEFAULT_EMULATOR_PORT} from '../local-demo/credentials.js'

export const DEFAULT_LOCAL_URL = `http://127.0.0.1:${DEFAULT_EMULATOR_PORT}`

/** The settings of one run: the profile as written, and each registered provider's resolved settings. */
export type ResolvedProfile = {
  name: string
  profile: Profile
  localUrl: string
} & {readonly [N in ProviderName]: ProviderSettingsMap[N]}

export interface ResolveOptions {
  profileFlag?: string | undefined
  envFlag?: EnvName | undefined
  env: NodeJS.ProcessEnv
}

/**
 * A resolved URL: no trailing slash, and a password in it (`https://user:pass@host`) masked. ftauth
 * never sends URL credentials (requests go to origin and path), so the mask changes no request and
 * keeps the password out of every line that shows a URL.
 */
const trimSlash = (value: string): string => redactUserinfo(value).replace(/\/+$/, '')

/**
 * Environment variables that override a resolved provider setting, keyed `<provider>.<field>`
 * (URL ones act on the provider's resolved environment). `ftauth config list` shows them as sources.
 */
export function envOverrides(): Readonly<Record<string, string>> {
  return Object.fromEntries(
    providerModules().flatMap((module) => Object.entries(module.envOverrides).map(([field, variable]) => [`${module.name}.${field}`, variable])),
  )
}

/** The URL-valued FTAUTH_* variables that are set, as [variable, value] pairs. */
export function envUrlOverrides(env: NodeJS.ProcessEnv): [string, string][] {
  const variables = [
    ...Object.entries(envOverrides())
      .filter(([key]) => /url$/i.test(key))
      .map(([, variable]) => variable),
    'FTAUTH_LOCAL_URL',
  ]
  return variables.flatMap((variable) => (env[variable] ? [[variable, env[variable]] as [string, string]] : []))
}

/** Precedence everywhere: flag > environment variable > profile > built-in default for the environment. */
export function resolveProfile(config: Config, options: ResolveOptions): ResolvedProfile {
  const {env} = options
  const name = options.profileFlag || env.FTAUTH_PROFILE || 'default'
  checkProfileName(name, options.profileFlag ? '--profile' : 'FTAUTH_PROFILE')
  const profile = config.profiles[name] ?? {}
  if (env.FTAUTH_LOCAL_URL) checkUrl('FTAUTH_LOCAL_URL', env.FTAUTH_LOCAL_URL)
  const localUrl = trimSlash(env.FTAUTH_LOCAL_URL || DEFAULT_LOCAL_URL)
  // An empty FTAUTH_ENV is unset, as for every other variable here.
  const envVar = (env.FTAUTH_ENV || undefined) as EnvName | undefined
  const resolved: Record<string, unknown> = {name, profile, localUrl}
  for (const module of providerModules()) {
    const block = profile[module.name] as BaseProfileBlock | undefined
    const override = (field: string): string | undefined => {
      const variable = module.envOverrides[field]
      const value = (variable && env[variable]) || undefined
      // URLs from the profile are checked by its schema; these are checked here, once for every use.
      if (variable && value !== undefined && /url$/i.test(field)) checkUrl(variable, value)
      return value
    }
    const providerEnv = options.envFlag ?? envVar ?? block?.env ?? profile.env ?? module.defaultEnv
    resolved[module.name] = module.resolve({env: providerEnv, block: block as never, override, localUrl, trimUrl: trimSlash})
  }
  return resolved as ResolvedProfile
}

/** The secret a provider's login stores, and its FTAUTH_* variable (which overrides the store). */
export function secretOf(provider: ProviderName): SecretSpec {
  return providerModule(provider).secret
}

/** Every FTAUTH_* variable that holds a secret; they override the store and are never written anywhere. */
export function secretEnvVars(): string[] {
  return providerModules().map((module) => module.secret.envVar)
}

/**
 * The secret a provider runs with when it does not come from a store: its FTAUTH_* variable, or in
 * `local` the emulator's public demo secret. Keys the sealed token cache when there is no keychain.
 */
export function environmentCredential(provider: ProviderName, env: NodeJS.ProcessEnv, providerEnv: EnvName): string | undefined {
  const secret = secretOf(provider)
  return env[secret.envVar] || (providerEnv === 'local' ? secret.localDemo : undefined)
}

/** The emulator's fixed demo secrets, used only for the `local` environment when nothing else is set. */
export function demoSecret(provider: ProviderName, name: string): string | undefined {
  const secret = secretOf(provider)
  return secret.name === name ? secret.localDemo : undefined
}

/** Exit 2 for a profile name outside the one alphabet (`a:b`, `../x`), before anything is read or stored. */
export function checkProfileName(name: string, source: string): void {
  if (PROFILE_NAME.test(name)) return
  throw usageError(
    `invalid profile name ${JSON.stringify(name.slice(0, 80))} (from ${source})`,
    `${PROFILE_NAME_RULE}, e.g. staging or dev-2; nothing was written`,
  )
}

function checkUrl(variable: string, value: string): void {
  if (!/^https?:$/.test(URL.canParse(value) ? new URL(value).protocol : '')) {
    throw usageError(`${variable} is not an http(s) URL`, `set it to e.g. https://host/path, or unset it`)
  }
}
