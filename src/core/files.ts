import {randomBytes} from 'node:crypto'
import {chmod, mkdir, open, readFile, rename, rm} from 'node:fs/promises'
import {dirname, join} from 'node:path'

/** Private directory (0700): every directory ftauth creates. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, {recursive: true, mode: 0o700})
  // mkdir keeps the mode of an existing dir; tighten it if a user or older version left it open.
  await chmod(dir, 0o700).catch(() => undefined)
}

/**
 * Writes a file 0600 atomically: temp file in the same dir, fsync, rename. A crash mid-write leaves
 * either the old file or the new one, never half of one.
 */
export async function writePrivateFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path)
  await ensurePrivateDir(dir)
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(content, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
}

/** Reads a file, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
