import {readIfExists, writePrivateFileAtomic} from './files.js'
import * as z from './zod.js'

export type StorageKind = 'keychain' | 'file' | 'memory' | 'sealed' | 'env' | 'demo'

/** One place secrets can live. Accounts are `<profile>:<provider>:<name>`. */
export interface SecretBackend {
  readonly kind: 'keychain' | 'file' | 'memory' | 'sealed'
  /** Human name of the concrete backend, for errors and `doctor` (e.g. "Secret Service (D-Bus)"). */
  readonly label: string
  get(account: string): Promise<string | null>
  set(account: string, value: string): Promise<void>
  delete(account: string): Promise<boolean>
  accounts(): Promise<string[]>
  /** Keychain only: which path served this run's calls (own Secret Service client or the binding), for doctor. */
  servedBy?(): string | undefined
}

/** In-memory only: CI without a keychain; nothing survives the process. */
export class MemoryBackend implements SecretBackend {
  readonly kind = 'memory' as const
  readonly label = 'process memory (not persisted)'
  private readonly values = new Map<string, string>()

  async get(account: string): Promise<string | null> {
    return this.values.get(account) ?? null
  }

  async set(account: string, value: string): Promise<void> {
    this.values.set(account, value)
  }

  async delete(account: string): Promise<boolean> {
    return this.values.delete(account)
  }

  async accounts(): Promise<string[]> {
    return [...this.values.keys()]
  }
}

const FileSchema = z.record(z.string(), z.string())

/**
 * --insecure-storage: a 0600 JSON file in the config dir, written atomically (like
 * `gh auth login --insecure-storage`). Only used when the user asked for it.
 */
export class FileBackend implements SecretBackend {
  readonly kind = 'file' as const
  readonly label: string

  constructor(private readonly path: string) {
    this.label = `insecure file ${path}`
  }

  private async read(): Promise<Record<string, string>> {
    const text = await readIfExists(this.path)
    if (!text) return {}
    const parsed = FileSchema.safeParse(safeJson(text))
    // A corrupt secrets file is not silently dropped: that would lose credentials.
    if (!parsed.success) throw new Error(`insecure credentials file ${this.path} is corrupt`)
    return parsed.data
  }

  async get(account: string): Promise<string | null> {
    return (await this.read())[account] ?? null
  }

  async set(account: string, value: string): Promise<void> {
    const data = await this.read()
    data[account] = value
    await writePrivateFileAtomic(this.path, `${JSON.stringify(data, null, 2)}\n`)
  }

  async delete(account: string): Promise<boolean> {
    const data = await this.read()
    if (!(account in data)) return false
    delete data[account]
    await writePrivateFileAtomic(this.path, `${JSON.stringify(data, null, 2)}\n`)
    return true
  }

  async accounts(): Promise<string[]> {
    return Object.keys(await this.read())
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
