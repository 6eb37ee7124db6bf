import {$ZodArray, $ZodBoolean, $ZodEnum, $ZodObject, $ZodOptional, $ZodString, $ZodStringFormat, type $ZodType} from 'zod/v4/core'

import {migrateConfigDocument} from './config-migration.js'
import {CONFIG_VERSION, configSchema, emptyConfig, profileSchema, saveConfig, withConfigLock, type Config, type EnvName} from './config.js'
import {ExitCode, FtauthError, usageError} from './errors.js'
import {readIfExists} from './files.js'
import {isProviderName, providerModule, providerModules} from './provider-module.js'
import {redactUserinfo} from './redact.js'
import {envOverrides, resolveProfile, type ResolvedProfile} from './profiles.js'

/**
 * The settable profile keys for `ftauth config`: walked from ProfileSchema, so the schema stays
 * the one list of keys and the one validator of values.
 */
export interface ConfigKey {
  /** Dotted path inside a profile, e.g. `<provider>.urls.sandbox.url`. */
  key: string
  path: readonly string[]
  /** What a value must look like, for help and errors. */
  expects: string
  kind: 'text' | 'boolean' | 'list'
}

type Schema = $ZodType

// The walk uses zod's core classes and definitions (`_zod.def`), which every zod flavour shares;
// named imports, because touching the `z.core` namespace object would bundle all of zod's core.
function walk(schema: Schema, path: string[], keys: ConfigKey[]): ConfigKey[] {
  if (schema instanceof $ZodOptional) return walk(schema._zod.def.innerType, path, keys)
  if (schema instanceof $ZodObject) {
    for (const [name, child] of Object.entries(schema._zod.def.shape)) walk(child, [...path, name], keys)
    return keys
  }
  const kind = schema instanceof $ZodBoolean ? 'boolean' : schema instanceof $ZodArray ? 'list' : 'text'
  keys.push({key: path.join('.'), path, expects: describeSchema(schema), kind})
  return keys
}

function describeSchema(schema: Schema): string {
  if (schema instanceof $ZodEnum) return `one of ${Object.values(schema._zod.def.entries).join(', ')}`
  if (schema instanceof $ZodBoolean) return 'true or false'
  if (schema instanceof $ZodArray) return 'a comma-separated list'
  if (schema instanceof $ZodStringFormat) {
    if (schema._zod.def.format === 'url') return 'an http(s) URL'
    if (schema._zod.def.format === 'uuid') return 'a UUID'
    return `a ${schema._zod.def.format}`
  }
  if (schema instanceof $ZodString) {
    const startsWith = schema._zod.def.checks?.map((check) => check._zod.def).find((def) => 'prefix' in def && typeof def.prefix === 'string')
    if (startsWith && 'prefix' in startsWith) return `a path starting with "${String(startsWith.prefix)}"`
    return (schema._zod.bag.minimum ?? 0) > 0 ? 'non-empty text' : 'text'
  }
  return 'a value'
}

let configKeys: readonly ConfigKey[] | undefined

/** Every settable key, in the schema's order (profile-wide keys, then each provider's). */
export function allConfigKeys(): readonly ConfigKey[] {
  configKeys ??= walk(profileSchema(), [], [])
  return configKeys
}

export function findKey(name: string): ConfigKey | undefined {
  return allConfigKeys().find((candidate) => candidate.key === name)
}

/**
 * `<provider>.clientId`, `<provider>.userId`…: identities live per environment (`<provider>.ids.<env>.<field>`),
 * so the short form addresses the environment the provider resolves to for this run (--env,
 * FTAUTH_ENV, the profile, the default). Anything else is returned as it was given.
 */
export function identityKeyFor(
  name: string,
  config: Config,
  input: {profileFlag?: string | undefined; envFlag?: EnvName | undefined; env: NodeJS.ProcessEnv},
): string {
  if (findKey(name)) return name
  const [provider, field, ...rest] = name.split('.')
  if (!isProviderName(provider) || field === undefined || rest.length > 0) return name
  if (!providerModule(provider).identityFields.includes(field)) return name
  const env = resolveProfile(config, {profileFlag: input.profileFlag, envFlag: input.envFlag, env: input.env})[provider].env
  return `${provider}.ids.${env}.${field}`
}

/** The short forms of the identity keys (`<provider>.<field>`), offered by did-you-mean like keys. */
function identityAliases(): string[] {
  return providerModules().flatMap((module) => module.identityFields.map((field) => `${module.name}.${field}`).filter((alias) => !findKey(alias)))
}

/** Keys under a group such as `<provider>.urls` (empty when `name` is not a group). */
export function keysUnder(name: string): ConfigKey[] {
  return allConfigKeys().filter((candidate) => candidate.key.startsWith(`${name}.`))
}

const SECRET_NAME = /secret|api[-_]?key|token|password|credential/i

/**
 * The key, or a usage error (exit 2): secrets are sent to `ftauth login`, groups list their keys,
 * anything else gets a did-you-mean.
 */
export function requireKey(name: string, options?: {allowGroup?: false; unset?: boolean}): ConfigKey
export function requireKey(name: string, options: {allowGroup: true; unset?: boolean}): ConfigKey | KeyGroup
export function requireKey(name: string, options: {allowGroup?: boolean; unset?: boolean} = {}): ConfigKey | KeyGroup {
  const key = findKey(name)
  if (key) return key
  const group = keysUnder(name)
  if (group.length > 0) {
    if (options.allowGroup) return {group: name, keys: group}
    throw usageError(`${name} is a group of keys, not one key`, `use one of ${group.map((k) => k.key).join(', ')}`)
  }
  const last = name.split('.').at(-1) ?? name
  if (SECRET_NAME.test(last)) throw secretKeyError(name, options.unset === true)
  const suggestions = suggestKeys(name)
  throw usageError(
    `unknown config key ${name}`,
    suggestions.length ? `did you mean ${suggestions.join(' or ')}? (\`ftauth config list\` shows every key)` : 'run `ftauth config list` to see every key',
  )
}

export interface KeyGroup {
  group: string
  keys: ConfigKey[]
}

function secretKeyError(name: string, unset: boolean): FtauthError {
  const provider = providerModules().find((candidate) => name.toLowerCase().startsWith(`${candidate.name}.`))
  if (unset) {
    return usageError(
      `${name} is a secret, and secrets are never kept in the config file`,
      `remove a stored secret with \`ftauth logout${provider ? ` ${provider.name}` : ''}\``,
    )
  }
  const envVars = (provider ? [provider] : providerModules()).map((module) => module.secret.envVar)
  return usageError(
    `${name} is a secret, and secrets are never kept in the config file`,
    `store it in the keychain with \`ftauth login${provider ? ` ${provider.name}` : ''}\`, or set ${envVars.join(' / ')}`,
  )
}

/** Up to three keys close to a mistyped one: same leaf name first, then by edit distance. */
export function suggestKeys(name: string): string[] {
  const wanted = name.toLowerCase()
  const candidates = [...allConfigKeys().map(({key}) => ({key})), ...identityAliases().map((key) => ({key}))]
  const sameButCase = candidates.find(({key}) => key.toLowerCase() === wanted)
  if (sameButCase) return [sameButCase.key]
  const leaf = wanted.split('.').at(-1) ?? wanted
  const first = wanted.split('.')[0]
  const scored = candidates.map(({key}) => {
    const lower = key.toLowerCase()
    const parts = lower.split('.')
    const sameLeaf = parts.at(-1) === leaf || parts.at(-1) === `${leaf}s`
    const distance = editDistance(wanted, lower)
    // A bare leaf ("userId") or the right provider with the wrong middle ("<provider>.url") ranks first.
    const score = sameLeaf && (!wanted.includes('.') || parts[0] === first) ? 0 : distance
    return {key, score, distance}
  })
  const limit = Math.max(2, Math.floor(wanted.length / 3))
  return scored
    .filter((s) => s.score === 0 || s.distance <= limit)
    .sort((a, b) => a.score - b.score || a.distance - b.distance)
    .slice(0, 3)
    .map((s) => s.key)
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}

export type ConfigValue = string | boolean | string[]

/** Turns the command-line text into the JSON value the schema expects (the schema then validates it). */
export function parseValue(key: ConfigKey, raw: string): unknown {
  const text = raw.trim()
  if (key.kind === 'boolean') {
    if (/^(true|yes|on|1)$/i.test(text)) return true
    if (/^(false|no|off|0)$/i.test(text)) return false
    return text
  }
  if (key.kind === 'list') {
    if (text.startsWith('[')) {
      try {
        return JSON.parse(text) as unknown
      } catch {
        return text
      }
    }
    return text.split(/[\s,]+/).filter(Boolean)
  }
  return text
}

/** Renders a value for humans and `-q`: lists comma-separated, as `config set` accepts them. */
export function formatValue(value: ConfigValue | null): string {
  if (value === null) return ''
  // A URL's password (https://user:pass@host) is a secret: shown masked, like every secret.
  return Array.isArray(value) ? value.join(',') : redactUserinfo(String(value))
}

// ---------------------------------------------------------------------------------------------
// Effective settings: the value each key has for this run, and where it came from.

export type SettingSource = 'flag' | 'env' | 'profile' | 'default' | 'unset'

export interface Setting {
  key: string
  value: ConfigValue | null
  source: SettingSource
  /** The flag, environment variable or default it came from, e.g. `--env`, `FTAUTH_<PROVIDER>_URL`, `built-in`. */
  origin: string | undefined
}

export interface SettingsInput {
  profileFlag?: string | undefined
  envFlag?: EnvName | undefined
  insecureFlag?: boolean | undefined
  env: NodeJS.ProcessEnv
}

/** The profile a command works on: --profile > FTAUTH_PROFILE > default, as resolveProfile picks it. */
export function selectedProfile(profileFlag: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolveProfile(emptyConfig(), {profileFlag, env}).name
}

export interface EffectiveSettings {
  profile: string
  settings: Setting[]
}

/** Every key of the profile with its effective value; the values are resolveProfile's, so they match what commands use. */
export function effectiveSettings(config: Config, input: SettingsInput): EffectiveSettings {
  const resolved = resolveProfile(config, {profileFlag: input.profileFlag, envFlag: input.envFlag, env: input.env})
  // Settings are shown (list, get, doctor): a URL's password is masked in every one of them.
  const masked = (setting: Setting): Setting => (typeof setting.value === 'string' ? {...setting, value: redactUserinfo(setting.value)} : setting)
  return {profile: resolved.name, settings: allConfigKeys().map((key) => masked(settingOf(key, resolved, input)))}
}

function settingOf(key: ConfigKey, resolved: ResolvedProfile, input: SettingsInput): Setting {
  const {env} = input
  const stored = valueAt(resolved.profile, key.path)
  const fromProfile = (value: ConfigValue | null = stored): Setting => ({key: key.key, value, source: 'profile', origin: undefined})
  const unset: Setting = {key: key.key, value: null, source: 'unset', origin: undefined}
  const [head, second, third, field] = key.path

  if (key.key === 'env') {
    if (input.envFlag) return {key: key.key, value: input.envFlag, source: 'flag', origin: '--env'}
    if (env.FTAUTH_ENV) return {key: key.key, value: env.FTAUTH_ENV, source: 'env', origin: 'FTAUTH_ENV'}
    return stored === null ? {...unset, origin: "each provider's default"} : fromProfile()
  }
  if (key.key === 'insecureStorage') {
    if (input.insecureFlag) return {key: key.key, value: true, source: 'flag', origin: '--insecure-storage'}
    return stored === null ? {key: key.key, value: false, source: 'default', origin: 'built-in'} : fromProfile()
  }
  if (!isProviderName(head)) return stored === null ? unset : fromProfile()

  const settings = resolved[head]
  const fields = new Map<string, unknown>(Object.entries(settings))
  const resolvedValue = (name: string): ConfigValue | null => asValue(fields.get(name))
  if (second === 'env') {
    const value = settings.env
    if (input.envFlag) return {key: key.key, value, source: 'flag', origin: '--env'}
    if (env.FTAUTH_ENV) return {key: key.key, value, source: 'env', origin: 'FTAUTH_ENV'}
    if (stored !== null) return fromProfile()
    if (resolved.profile.env) return {key: key.key, value, source: 'profile', origin: 'inherits env'}
    return {key: key.key, value, source: 'default', origin: 'built-in'}
  }
  if (second === 'urls' && third && field) {
    const urlEnv = third as EnvName
    const envVar = envOverrides()[`${head}.${field}`]
    if (urlEnv === settings.env) {
      if (envVar && env[envVar]) return {key: key.key, value: resolvedValue(field), source: 'env', origin: envVar}
      if (stored !== null) return fromProfile(resolvedValue(field) ?? stored)
      return defaultUrl(key.key, resolvedValue(field), urlEnv, env)
    }
    if (stored !== null) return fromProfile()
    const defaults = resolveProfile(emptyConfig(), {envFlag: urlEnv, env: {FTAUTH_LOCAL_URL: env.FTAUTH_LOCAL_URL}})[head]
    return defaultUrl(key.key, asValue(new Map<string, unknown>(Object.entries(defaults)).get(field)), urlEnv, env)
  }
  if (second === 'ids' && third && field) {
    // The active environment's identity is what commands use: env variables and demo ids apply to it only.
    if (third !== settings.env) return stored === null ? unset : fromProfile()
    const envVar = envOverrides()[`${head}.${field}`]
    const value = fields.has(field) ? resolvedValue(field) : stored
    if (envVar && env[envVar]) return {key: key.key, value, source: 'env', origin: envVar}
    if (stored !== null) return fromProfile(value ?? stored)
    if (value !== null) return {key: key.key, value, source: 'default', origin: 'emulator demo'}
    return unset
  }
  if (second && third === undefined) {
    const envVar = envOverrides()[`${head}.${second}`]
    const value = fields.has(second) ? resolvedValue(second) : stored
    if (envVar && env[envVar]) return {key: key.key, value, source: 'env', origin: envVar}
    if (stored !== null) return fromProfile(value ?? stored)
    if (value !== null) return {key: key.key, value, source: 'default', origin: settings.env === 'local' ? 'emulator demo' : 'built-in'}
  }
  return stored === null ? unset : fromProfile()
}

/** "env FTAUTH_<PROVIDER>_URL", "default built-in", "profile"… for humans. */
export function describeSource(setting: Setting): string {
  if (setting.source === 'unset') return setting.origin ? `unset: ${setting.origin}` : 'unset'
  return setting.origin ? `${setting.source} ${setting.origin}` : setting.source
}

function defaultUrl(key: string, value: ConfigValue | null, urlEnv: EnvName, env: NodeJS.ProcessEnv): Setting {
  if (value === null) return {key, value: null, source: 'unset', origin: undefined}
  if (urlEnv === 'local' && env.FTAUTH_LOCAL_URL) return {key, value, source: 'env', origin: 'FTAUTH_LOCAL_URL'}
  return {key, value, source: 'default', origin: urlEnv === 'local' ? 'emulator' : 'built-in'}
}

function asValue(value: unknown): ConfigValue | null {
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[]
  return null
}

function valueAt(root: unknown, path: readonly string[]): ConfigValue | null {
  let node = root
  for (const name of path) {
    if (!isPlainObject(node)) return null
    node = node[name]
  }
  return asValue(node)
}

// ---------------------------------------------------------------------------------------------
// Editing: `config set` and `config unset` work on the file's JSON so they can also repair a bad
// key, and validate the whole result with ConfigSchema before anything is written.

export interface EditResult {
  profile: string
  key: string
  previous: ConfigValue | null
  value: ConfigValue | null
  changed: boolean
}

export function setConfigValue(configPath: string, profile: string, key: ConfigKey, raw: string): Promise<EditResult> {
  return withConfigLock(configPath, async () => {
    const document = await readConfigDocument(configPath)
    const profiles = objectAt(document, ['profiles'])
    const previous = valueAt(profiles[profile], key.path)
    const value = parseValue(key, raw)
    writeAt(profiles, [profile, ...key.path], value)
    const config = validate(configPath, document, profile, key)
    await saveConfig(configPath, config)
    return {profile, key: key.key, previous, value: valueAt(config.profiles[profile], key.path), changed: true}
  })
}

/** Removes a key or a whole group (`<provider>.urls`), or a key the schema does not know, so a bad file can be repaired. */
export function unsetConfigValue(configPath: string, profile: string, dottedKey: string): Promise<EditResult> {
  return withConfigLock(configPath, async () => {
    const document = await readConfigDocument(configPath)
    const profiles = objectAt(document, ['profiles'])
    const path = dottedKey.split('.')
    const previous = valueAt(profiles[profile], path)
    const removed = removeAt(profiles, [profile, ...path])
    if (!removed) return {profile, key: dottedKey, previous: null, value: null, changed: false}
    const config = validate(configPath, document, profile, undefined)
    await saveConfig(configPath, config)
    return {profile, key: dottedKey, previous, value: null, changed: true}
  })
}

/** Whether the file holds something at this dotted path of the profile (known to the schema or not). */
export async function hasStoredPath(configPath: string, profile: string, dottedKey: string): Promise<boolean> {
  const document = await readConfigDocument(configPath)
  let node: unknown = document.profiles
  for (const name of [profile, ...dottedKey.split('.')]) {
    if (!isPlainObject(node) || !(name in node)) return false
    node = node[name]
  }
  return true
}

type JsonObject = Record<string, unknown>

async function readConfigDocument(configPath: string): Promise<JsonObject> {
  const text = await readIfExists(configPath)
  if (text === undefined || text.trim() === '') return {version: CONFIG_VERSION, profiles: {}}
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new FtauthError(ExitCode.usage, `config file ${configPath} is not valid JSON (${(error as Error).message})`, {
      hint: 'fix or remove the file in an editor; ftauth leaves it untouched',
    })
  }
  if (!isPlainObject(data) || (data.profiles !== undefined && !isPlainObject(data.profiles))) {
    throw usageError(`config file ${configPath} is not a JSON object with "profiles"`, 'fix or remove the file in an editor; ftauth leaves it untouched')
  }
  return migrateConfigDocument(data).document
}

function validate(configPath: string, document: JsonObject, profile: string, key: ConfigKey | undefined): Config {
  const parsed = configSchema().safeParse(document)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const [root, profileName, ...rest] = issue.path.map(String)
  const dotted = rest.join('.')
  if (root === 'profiles' && profileName === profile && key && dotted === key.key) {
    throw usageError(`invalid value for ${key.key}: ${issue.message}`, `${key.key} expects ${key.expects}; nothing was written`)
  }
  if (root === 'profiles' && issue.code === 'invalid_key') {
    const reason = issue.issues[0]?.message ?? issue.message
    throw usageError(`invalid profile name "${profileName ?? profile}": ${reason}`, 'choose another with --profile; nothing was written')
  }
  const where = issue.path.map(String).join('.') || '(root)'
  const fixKey = root === 'profiles' && profileName ? [...rest, ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]!] : [])].join('.') : ''
  const profileFlag = profileName === 'default' ? '' : ` --profile ${profileName}`
  throw usageError(
    `config file ${configPath} has a bad key ${where}: ${issue.message}`,
    `fix that first${fixKey ? ` (\`ftauth config unset ${fixKey}${profileFlag}\`, or an editor)` : ' in an editor'}; nothing was written`,
  )
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The object at `path`, created on the way; a non-object there is replaced (the schema then judges). */
function objectAt(root: JsonObject, path: readonly string[]): JsonObject {
  let node = root
  for (const name of path) {
    const next = node[name]
    if (isPlainObject(next)) node = next
    else {
      const created: JsonObject = {}
      node[name] = created
      node = created
    }
  }
  return node
}

function writeAt(root: JsonObject, path: readonly string[], value: unknown): void {
  objectAt(root, path.slice(0, -1))[path.at(-1)!] = value
}

/** Deletes the value at `path` and then any objects left empty by it; false when nothing was there. */
function removeAt(root: JsonObject, path: readonly string[]): boolean {
  const parents: JsonObject[] = [root]
  let node = root
  for (const name of path.slice(0, -1)) {
    const next = node[name]
    if (!isPlainObject(next)) return false
    parents.push(next)
    node = next
  }
  const last = path.at(-1)!
  if (!(last in node)) return false
  delete node[last]
  // Prune empty objects, but keep the profile itself (an empty profile is still a profile).
  for (let depth = path.length - 1; depth >= 2; depth--) {
    const parent = parents[depth - 1]!
    const child = parents[depth]!
    if (Object.keys(child).length === 0) delete parent[path[depth - 1]!]
  }
  return true
}
