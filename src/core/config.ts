import * as z from './zod.js'

import {FtauthError, ExitCode} from './errors.js'
import {dirname, join} from 'node:path'

import {backUpBeforeMigration, migrateConfigDocument} from './config-migration.js'
import {readIfExists, writePrivateFileAtomic} from './files.js'
import {withLock} from './locks.js'

export const PROVIDERS = ['funtrips', 'fluz', 'shuttle'] as const
export type ProviderName = (typeof PROVIDERS)[number]
export const ENVIRONMENTS = ['sandbox', 'production', 'local'] as const
export type EnvName = (typeof ENVIRONMENTS)[number]

/**
 * The one alphabet of profile names, wherever a name enters (--profile, FTAUTH_PROFILE, the config
 * file): names become parts of keychain accounts (`<profile>:<provider>:…`) and lock file names,
 * so no `:`, no `/`, and no leading dot (`.`, `..`).
 */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
export const PROFILE_NAME_RULE = 'profile names are 1-64 letters, digits, . _ - and start with a letter or digit'

const url = z.url({protocol: /^https?$/})
const uuid = z.uuid()
const env = z.enum(ENVIRONMENTS)

/** Per-environment URL overrides, since the providers' docs disagree on hosts and paths. */
const funtripsUrls = z.strictObject({
  authUrl: z.optional(url),
  apiUrl: z.optional(url),
  /** Exchange path override: the docs name both /v1/session/token and /v1/oauth/token. */
  exchangePath: z.optional(z.string().check(z.startsWith('/'))),
})
const fluzUrls = z.strictObject({url: z.optional(url)})
const shuttleUrls = z.strictObject({authUrl: z.optional(url), apiUrl: z.optional(url)})

const perEnv = <T extends z.ZodMiniType>(schema: T) =>
  z.strictObject({sandbox: z.optional(schema), production: z.optional(schema), local: z.optional(schema)})

/**
 * Identities belong to an environment, not to the profile: Fluz documents separate test users,
 * Shuttle separate sandbox and live clients. `<provider>.ids.<env>.<field>`.
 */
const funtripsIds = z.strictObject({clientId: z.optional(z.string().check(z.minLength(1)))})
const fluzIds = z.strictObject({userId: z.optional(uuid), accountId: z.optional(uuid), seatId: z.optional(uuid)})
const shuttleIds = z.strictObject({clientId: z.optional(z.string().check(z.minLength(1)))})

/** The identity fields per provider, as `ftauth config` and the migration of old files know them. */
export const IDENTITY_FIELDS = {
  funtrips: ['clientId'],
  fluz: ['userId', 'accountId', 'seatId'],
  shuttle: ['clientId'],
} as const satisfies Record<ProviderName, readonly string[]>

export const FuntripsProfileSchema = z.strictObject({
  env: z.optional(env),
  /** The session's external_user_id (1–128 characters, usually an email), sent with every new session. */
  userId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  /** The `{stage}` path segment after the host (a guess: /acc, /prod); empty for none. */
  stage: z.optional(z.string().check(z.regex(/^[\w.-]{0,64}$/, 'a path segment of letters, digits, . _ - (empty for none)'))),
  campaignId: z.optional(z.string().check(z.minLength(1))),
  ids: z.optional(perEnv(funtripsIds)),
  urls: z.optional(perEnv(funtripsUrls)),
})
export const FluzProfileSchema = z.strictObject({
  env: z.optional(env),
  scopes: z.optional(z.array(z.string().check(z.minLength(1)))),
  ids: z.optional(perEnv(fluzIds)),
  urls: z.optional(perEnv(fluzUrls)),
})
export const ShuttleProfileSchema = z.strictObject({
  env: z.optional(env),
  redirectUri: z.optional(url),
  scope: z.optional(z.string()),
  ids: z.optional(perEnv(shuttleIds)),
  urls: z.optional(perEnv(shuttleUrls)),
})

export const ProfileSchema = z.strictObject({
  /** Environment for every provider of this profile unless the provider sets its own. */
  env: z.optional(env),
  defaultProvider: z.optional(z.enum(PROVIDERS)),
  insecureStorage: z.optional(z.boolean()),
  funtrips: z.optional(FuntripsProfileSchema),
  fluz: z.optional(FluzProfileSchema),
  shuttle: z.optional(ShuttleProfileSchema),
})

/** Version 2: identities per environment (`<provider>.ids.<env>`); version 1 files are migrated on first write. */
export const CONFIG_VERSION = 2
export const ConfigSchema = z.strictObject({
  version: z._default(z.union([z.literal(1), z.literal(2)]), CONFIG_VERSION),
  /**
   * Scopes this dir's keychain entries (service `ftauth:<id>`), so two config dirs never see or
   * delete each other's secrets. Written on the first keychain write; the default dir has none.
   */
  keychainId: z.optional(z.string().check(z.regex(/^[0-9a-f]{16}$/))),
  profiles: z._default(z.record(z.string().check(z.regex(PROFILE_NAME, PROFILE_NAME_RULE)), ProfileSchema), {}),
})

export type Profile = z.infer<typeof ProfileSchema>
export type Config = z.infer<typeof ConfigSchema>

export const emptyConfig = (): Config => ({version: CONFIG_VERSION, profiles: {}})

/** Formats a zod issue path as a dotted key, e.g. profiles.default.fluz.userId. */
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
  const parsed = ConfigSchema.safeParse(data)
  if (!parsed.success) {
    throw new FtauthError(ExitCode.usage, `config file ${path} has a bad key ${firstIssue(parsed.error)}`, {
      hint: 'fix that key with `ftauth config set` or an editor; ftauth leaves the file untouched',
    })
  }
  return parsed.data
}

export async function saveConfig(path: string, config: Config): Promise<void> {
  await backUpBeforeMigration(path)
  await writePrivateFileAtomic(path, `${JSON.stringify({...ConfigSchema.parse(config), version: CONFIG_VERSION}, null, 2)}\n`)
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
