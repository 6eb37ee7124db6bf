import {CONFIG_VERSION, type EnvName} from './config.js'
import {readIfExists, writePrivateFileAtomic} from './files.js'
import {providerModules} from './provider-module.js'

type JsonObject = Record<string, unknown>
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Version 1 kept client and user ids profile-wide; version 2 keeps them per environment
 * (`<provider>.ids.<env>`). Profile-wide ids become the ids of the environment the profile used
 * for that provider then. Works on the parsed JSON, so it runs before the schema judges the file;
 * an id already set for that environment wins over the old profile-wide one.
 */
export function migrateConfigDocument(document: JsonObject): {document: JsonObject; migrated: boolean} {
  // Only version 1 (or a file from before versions) is migrated; anything else is the schema's to refuse.
  const version = document.version
  if (version !== undefined && version !== 1) return {document, migrated: false}
  const profiles = isObject(document.profiles) ? document.profiles : undefined
  for (const profile of Object.values(profiles ?? {})) {
    if (!isObject(profile)) continue
    for (const module of providerModules()) {
      const block = profile[module.name]
      if (!isObject(block)) continue
      const legacy = module.identityFields.filter((field) => field in block)
      if (legacy.length === 0) continue
      const env = pickEnv(block.env) ?? pickEnv(profile.env) ?? module.defaultEnv
      if (!isObject(block.ids)) block.ids = {}
      const ids = block.ids as JsonObject
      if (!isObject(ids[env])) ids[env] = {}
      const target = ids[env] as JsonObject
      for (const field of legacy) {
        if (!(field in target)) target[field] = block[field]
        delete block[field]
      }
    }
  }
  return {document: {...document, version: CONFIG_VERSION}, migrated: true}
}

function pickEnv(value: unknown): EnvName | undefined {
  return value === 'sandbox' || value === 'production' || value === 'local' ? value : undefined
}

/**
 * Before the first write in the new layout, the old file is kept beside it as config.json.bak,
 * once: a later write never replaces that copy.
 */
export async function backUpBeforeMigration(configPath: string): Promise<void> {
  const text = await readIfExists(configPath)
  if (text === undefined || text.trim() === '') return
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return
  }
  if (isObject(data) && data.version === CONFIG_VERSION) return
  const backup = `${configPath}.bak`
  if ((await readIfExists(backup)) !== undefined) return
  await writePrivateFileAtomic(backup, text)
}
