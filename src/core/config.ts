import * as z from './zod.js'

import {FtauthError, ExitCode} from './errors.js'
import {dirname, join} from 'node:path'

import {backUpBeforeMigration, migrateConfigDocument} from './config-migration.js'
import {readIfExists, writePrivateFileAtomic} from './files.js'
import {withLock} from './locks.js'
import {providerModules, providerNames, type ProviderName, type ProviderProfileMap} from './provider-module.js'

export {isProviderName, providerNames, type ProviderName} from './provider-module.js'
export const ENVIRONMENTS = ['sandbox', 'production', 'local'] as const
export type EnvName = (typeof ENVIRONMENTS)[number]

/**
 * The one alphabet of profile names, wherever a name enters (--profile, FTAUTH_PROFILE, the config
 * file): names become parts of keychain accounts (`<profile>:<provider>:…`) and lock file names,
 * so no `:`, no `/`, and no leading dot (`.`, `..`).
 */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
export const PROFILE_NAME_RULE = 'profile names are 1-64 letters, digits, . _ - and start with a letter or digit'

/** Per-environment blocks of a provider's profile (`ids.<env>`, `urls.<env>`), for provider schemas. */
export function perEnvironment<T extends z.ZodMiniType>(schema: T) {
  return z.strictObject({sandbox: z.optional(schema), production: z.optional(schema), local: z.optional(schema)})
}

/** An http(s) URL in the config file. */
export const httpUrl = () => z.url({protocol: /^https?$/})

/** What a profile holds: settings for every provider, and one block per provider (its module's schema). */
export type Profile = {
  /** Environment for every provider of this profile unless the provider sets its own. */
  env?: EnvName | undefined
  defaultProvider?: ProviderName | undefined
  insecureStorage?: boolean | undefined
} & {[N in ProviderName]?: ProviderProfileMap[N] | undefined}

/** Version 2: identities per environment (`<provider>.ids.<env>`); version 1 files are migrated on first write. */
export const CONFIG_VERSION = 2

export interface Config {
  version: 1 | 2
  /**
   * Scopes this dir's keychain entries (service `ftauth:<id>`), so two config dirs never see or
   * delete each other's secrets. Written on the first keychain write; the default dir has none.
   */
  keychainId?: string | undefined
  profiles: Record<string, Profile>
}

let profileSchemaBuilt: z.ZodMiniType | undefined
let configSchemaBuilt: z.ZodMiniType | undefined

/**
 * The schema of one profile: the profile-wide keys, then each registered provider's fragment, in
 * the registry's order (the order `ftauth config list` shows). Built on first use.
 */
export function profileSchema(): z.ZodMiniType {
  profileSchemaBuilt ??= z.strictObject({
    env: z.optional(z.enum(ENVIRONMENTS)),
    defaultProvider: z.optional(z.enum(providerNames())),
    insecureStorage: z.optional(z.boolean()),
    ...Object.fromEntries(providerModules().map((module) => [module.name, z.optional(module.profileSchema())])),
  })
  return profileSchemaBuilt
}

/** The schema of config.json (built on first use). */
export function configSchema(): z.ZodMiniType<Config> {
  configSchemaBuilt ??= z.strictObject({
    version: z._default(z.union([z.literal(1), z.literal(2)]), CONFIG_VERSION),
    keychainId: z.optional(z.string().check(z.regex(/^[0-9a-f]{16}$/))),
    profiles: z._default(z.record(z.string().check(z.regex(PROFILE_NAME, PROFILE_NAME_RULE)), profileSchema()), {}),
  })
  return configSchemaBuilt as z.ZodMiniType<Config>
}

export const emptyConfig = (): Config => ({version: CONFIG_VERSION, profiles: {}})

/** Formats a zod issue path as a dotted key, e.g. profiles.default.<provider>.ids.sandbox.userId. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(root)'
}

export function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid'
  const keys = issue.code === 'unrecognized_keys' ? ` (unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')})` : ''
  // A record key that failed its own check (a profile name): say which rule, not "Invalid key in record".
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message
  return `${issuePath(issue.path)}: ${message}${keys}`
}

/** Loads and validates the config file; a malformed file is reported and never rewritten. */
export async function loadConfig(path: string): Promise<Config> {
  const text = await readIfExists(path)
  if (text === undefined || text.trim() === '') return emptyConfig()
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new FtauthError(ExitCode.usage, `config file ${path} is not valid JSON (${(error as Error).message})`, {
      hint: 'fix or remove the file; ftauth leaves it untouched',
    })
  }
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) data = migrateConfigDocument(data as Record<string, unknown>).document
  const parsed = configSchema().safeParse(data)
  if (!parsed.success) {
    throw new FtauthError(ExitCode.usage, `config file ${path} has a bad key ${firstIssue(parsed.error)}`, {
      hint: 'fix that key with `ftauth config set` or an editor; ftauth leaves the file untouched',
    })
  }
  return parsed.data
}

export async function saveConfig(path: string, config: Config): Promise<void> {
  await backUpBeforeMigration(path)
  await writePrivateFileAtomic(path, `${JSON.stringify({...configSchema().parse(config), version: CONFIG_VERSION}, null, 2)}\n`)
}

/**
 * Runs a read-modify-write of config.json under the config lock (the `locks` dir beside it), so
 * parallel commands (two logins, a login and `config set`) never lose each other's changes.
 */
export function withConfigLock<T>(configPath: string, run: () => Promise<T>): Promise<T> {
  return withLock(join(dirname(configPath), 'locks'), 'config', run)
}

/** Applies a change to one profile and saves; the file is only written after the whole change validated. */
export function updateProfile(path: string, profileName: string, change: (profile: Profile) => Profile): Promise<Config> {
  return withConfigLock(path, () => updateProfileLocked(path, profileName, change))
}

/** updateProfile for a caller that already holds the config lock (login: secret and profile as one unit). */
export async function updateProfileLocked(path: string, profileName: string, change: (profile: Profile) => Profile): Promise<Config> {
  const config = await loadConfig(path)
  const next: Config = {...config, profiles: {...config.profiles, [profileName]: change(config.profiles[profileName] ?? {})}}
  await saveConfig(path, next)
  return next
}
