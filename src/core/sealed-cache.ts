import {createCipheriv, createDecipheriv, hkdfSync, randomBytes} from 'node:crypto'

import {readIfExists, writePrivateFileAtomic} from './files.js'
import {withLock} from './locks.js'
import * as z from './zod.js'

const SealedFileSchema = z.object({
  version: z.literal(1),
  /** Per-file salt for HKDF: a fresh one on every write, so no two writes share a key. */
  salt: z.string(),
  iv: z.string(),
  tag: z.string(),
  data: z.string(),
})
const ValuesSchema = z.record(z.string(), z.string())

const HKDF_INFO = 'ftauth sealed token cache v1'

/**
 * Secrets for one provider, sealed with a key derived from the credential that came from the
 * environment (HKDF-SHA256 with a per-file salt, then AES-256-GCM), in a 0600 file written
 * atomically. Only someone who already holds that credential can read it. A file sealed under
 * another credential (a rotated secret) or damaged on disk reads as empty: a cache miss.
 */
export class SealedFile {
  constructor(
    readonly path: string,
    private readonly credential: string,
    /** Authenticated with the data: a file copied to another provider's name does not open. */
    private readonly context: string,
    private readonly locksDir: string,
  ) {}

  async get(account: string): Promise<string | null> {
    return (await this.read())[account] ?? null
  }

  async set(account: string, value: string): Promise<void> {
    await this.change((values) => {
      values[account] = value
      return true
    })
  }

  async delete(account: string): Promise<boolean> {
    let removed = false
    await this.change((values) => {
      removed = account in values
      delete values[account]
      return removed
    })
    return removed
  }

  async accounts(): Promise<string[]> {
    return Object.keys(await this.read())
  }

  private key(salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', this.credential, salt, `${HKDF_INFO} ${this.context}`, 32))
  }

  private async read(): Promise<Record<string, string>> {
    const text = await readIfExists(this.path)
    if (!text) return {}
    return this.open(text) ?? {}
  }

  private open(text: string): Record<string, string> | undefined {
    const file = SealedFileSchema.safeParse(parseJson(text))
    if (!file.success) return undefined
    try {
      const {salt, iv, tag, data} = file.data
      const decipher = createDecipheriv('aes-256-gcm', this.key(Buffer.from(salt, 'base64')), Buffer.from(iv, 'base64'))
      decipher.setAAD(Buffer.from(this.context))
      decipher.setAuthTag(Buffer.from(tag, 'base64'))
      const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8')
      const values = ValuesSchema.safeParse(parseJson(plain))
      return values.success ? values.data : undefined
    } catch {
      // Wrong key (another credential) or tampered bytes: GCM refuses, and that is a miss.
      return undefined
    }
  }

  private seal(values: Record<string, string>): string {
    const salt = randomBytes(16)
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key(salt), iv)
    cipher.setAAD(Buffer.from(this.context))
    const data = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()])
    const file = {
      version: 1,
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    }
    return `${JSON.stringify(file)}\n`
  }

  /** Read, change and write back under a lock, so two runs never drop each other's entries. */
  private async change(apply: (values: Record<string, string>) => boolean): Promise<void> {
    await withLock(this.locksDir, `sealed-${this.context}`, async () => {
      const values = await this.read()
      if (apply(values)) await writePrivateFileAtomic(this.path, this.seal(values))
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
