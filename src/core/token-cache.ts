import * as z from './zod.js'

import {ENVIRONMENTS} from './config.js'
import {isProviderName, type ProviderName} from './provider-module.js'
import type {CredentialStore} from './credential-store.js'
import {readIfExists, writePrivateFileAtomic} from './files.js'
import {withLock} from './locks.js'
import type {StorageKind} from './secret-backends.js'

const NonSecretMeta = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))

/** What the keychain holds for one cached token: the secret values plus what is needed to use them. */
export const StoredTokenSchema = z.object({
  accessToken: z.string().check(z.minLength(1)),
  refreshToken: z.optional(z.string().check(z.minLength(1))),
  tokenType: z.optional(z.string()),
  expiresAt: z.iso.datetime(),
  obtainedAt: z.iso.datetime(),
  env: z.enum(ENVIRONMENTS),
  scopes: z._default(z.array(z.string()), []),
  /** Non-secret facts (which response field carried the token, instance id, exchange path…). */
  meta: z._default(NonSecretMeta, {}),
})
export type StoredToken = z.infer<typeof StoredTokenSchema>

/** cache.json: non-secret copy of each token's metadata so `status` and `doctor` need no keychain reads. */
const CacheEntrySchema = z.object({
  provider: z.custom<ProviderName>((value) => isProviderName(value)),
  profile: z.string(),
  key: z.string(),
  env: z.enum(ENVIRONMENTS),
  expiresAt: z.iso.datetime(),
  obtainedAt: z.iso.datetime(),
  scopes: z.array(z.string()),
  hasRefreshToken: z.boolean(),
  storage: z.enum(['keychain', 'file', 'memory', 'sealed', 'env', 'demo']),
  meta: NonSecretMeta,
})
/**
 * What a server accepted where the provider's docs disagree (an exchange path, a response field),
 * per `<profile>:<provider>:<env>`: tried first next time. Not secret.
 */
const ServerChoicesSchema = z.record(z.string(), z.record(z.string(), z.string()))
const CacheFileSchema = z.object({
  version: z.literal(1),
  tokens: z.record(z.string(), CacheEntrySchema),
  choices: z._default(ServerChoicesSchema, {}),
})
export type CacheEntry = z.infer<typeof CacheEntrySchema>
type CacheFile = z.infer<typeof CacheFileSchema>
export type ServerChoices = Record<string, string>

export class TokenCache {
  /** --no-cache: this run's tokens, never written anywhere. */
  private readonly runOnly: Map<string, StoredToken> | undefined

  constructor(
    private readonly store: CredentialStore,
    private readonly cachePath: string,
    private readonly locksDir: string,
    private readonly warn: (line: string) => void,
    options: {persist: boolean} = {persist: true},
  ) {
    this.runOnly = options.persist ? undefined : new Map()
  }

  private account(key: string): string {
    return `token:${key}`
  }

  async get(provider: ProviderName, key: string): Promise<StoredToken | undefined> {
    if (this.runOnly) return this.runOnly.get(this.store.account(provider, this.account(key)))
    const raw = await this.store.get(provider, this.account(key))
    if (raw === null) return undefined
    const parsed = StoredTokenSchema.safeParse(parseJson(raw))
    if (parsed.success) return parsed.data
    this.warn(`discarded a damaged cached ${provider} token (${key}); a new one will be obtained`)
    await this.store.delete(provider, this.account(key))
    return undefined
  }

  /** Keychain first, then the metadata: a failed keychain write leaves the old token and its metadata as they were. */
  async put(provider: ProviderName, key: string, token: StoredToken): Promise<void> {
    const value = StoredTokenSchema.parse(token)
    if (this.runOnly) {
      this.runOnly.set(this.store.account(provider, this.account(key)), value)
      return
    }
    await this.store.set(provider, this.account(key), JSON.stringify(value))
    await this.updateEntries((tokens) => {
      tokens[this.store.account(provider, this.account(key))] = {
        provider,
        profile: this.store.profile,
        key,
        env: value.env,
        expiresAt: value.expiresAt,
        obtainedAt: value.obtainedAt,
        scopes: value.scopes,
        hasRefreshToken: Boolean(value.refreshToken),
        storage: this.store.backend.kind as StorageKind,
        meta: value.meta,
      }
    })
  }

  async delete(provider: ProviderName, key: string): Promise<boolean> {
    if (this.runOnly) return this.runOnly.delete(this.store.account(provider, this.account(key)))
    const removed = await this.store.delete(provider, this.account(key))
    await this.updateEntries((tokens) => {
      delete tokens[this.store.account(provider, this.account(key))]
    })
    return removed
  }

  /** Drops metadata rows of this profile (optionally one provider) after their secrets were removed. */
  async forget(provider?: ProviderName): Promise<void> {
    await this.updateEntries((tokens) => {
      for (const [account, entry] of Object.entries(tokens)) {
        if (entry.profile === this.store.profile && (!provider || entry.provider === provider)) delete tokens[account]
      }
    })
  }

  /** Metadata of every cached token (all profiles), from cache.json only. */
  async entries(): Promise<CacheEntry[]> {
    return Object.values((await this.readFile()).tokens)
  }

  /** What the server of this profile's provider and environment accepted before (empty when nothing yet). */
  async serverChoices(provider: ProviderName, env: string): Promise<ServerChoices> {
    return (await this.readFile()).choices[this.choiceKey(provider, env)] ?? {}
  }

  /** Remembers what the server accepted, merged into what was remembered before. */
  async rememberServerChoices(provider: ProviderName, env: string, values: ServerChoices): Promise<void> {
    const key = this.choiceKey(provider, env)
    const before = await this.serverChoices(provider, env)
    if (Object.entries(values).every(([name, value]) => before[name] === value)) return
    await this.updateFile((file) => {
      file.choices[key] = {...file.choices[key], ...values}
    })
  }

  private choiceKey(provider: ProviderName, env: string): string {
    return `${this.store.profile}:${provider}:${env}`
  }

  private async readFile(): Promise<CacheFile> {
    const text = await readIfExists(this.cachePath)
    if (!text) return {version: 1, tokens: {}, choices: {}}
    const parsed = CacheFileSchema.safeParse(parseJson(text))
    if (parsed.success) return parsed.data
    this.warn(`discarded the damaged token cache ${this.cachePath}; it holds no secrets and is rebuilt as tokens are obtained`)
    return {version: 1, tokens: {}, choices: {}}
  }

  private async updateEntries(change: (tokens: Record<string, CacheEntry>) => void): Promise<void> {
    await this.updateFile((file) => change(file.tokens))
  }

  private async updateFile(change: (file: CacheFile) => void): Promise<void> {
    await withLock(this.locksDir, 'cache', async () => {
      const file = await this.readFile()
      change(file)
      await writePrivateFileAtomic(this.cachePath, `${JSON.stringify(file, null, 2)}\n`)
    })
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
