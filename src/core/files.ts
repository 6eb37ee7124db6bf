import {randomBytes} from 'node:crypto'
import {mkdir, open, readFile, rename, rm} from 'node:fs/promises'
import {dirname, join} from 'node:path'

/**
 * Private directory (0700) for every directory ftauth creates. An existing one keeps its mode:
 * it may be shared on purpose (a 1777 FTAUTH_CONFIG_DIR), and ftauth's files in it are 0600
 * anyway; `ftauth doctor` reports a loose one.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, {recursive: true, mode: 0o700})
}

/**
 * Writes a file 0600 atomically: temp file in the same dir, fsync, rename. A crash mid-write leaves
 * either the old file or the new one, never half of one.
 */
export async function writePrivateFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path)
  await ensurePrivateDir(dir)
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(content, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    // A full disk (or any failure) leaves the old file and no half-written temp file behind.
    await rm(temp, {force: true}).catch(() => undefined)
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
