import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {ensurePrivateDir} from './files.js'
import {FtauthError, ExitCode} from './errors.js'

/** A lock held by a killed process is taken over after this long (proper-lockfile refreshes live locks). */
const STALE_MS = 10_000

/**
 * Cross-process mutex (proper-lockfile: mkdir-based, stale-lock detection). Used around
 * read → refresh → store so two ftauth processes never spend one refresh token.
 */
export async function withLock<T>(locksDir: string, name: string, run: () => Promise<T>): Promise<T> {
  // proper-lockfile is CommonJS: its exports are on `default` both in Node and in the esbuild bundle.
  const {lock} = (await import('proper-lockfile')).default
  await ensurePrivateDir(locksDir)
  const target = join(locksDir, `${name.replace(/[^\w.-]/g, '_')}`)
  await writeFile(target, '', {flag: 'a', mode: 0o600})
  let release: () => Promise<void>
  try {
    release = await lock(target, {
      stale: STALE_MS,
      update: STALE_MS / 2,
      realpath: false,
      retries: {retries: 120, factor: 1.3, minTimeout: 25, maxTimeout: 500, randomize: true},
    })
  } catch (error) {
    throw new FtauthError(ExitCode.unexpected, `could not take the lock ${target} (${(error as Error).message})`, {
      hint: 'another ftauth process is holding it; try again, or remove the .lock directory if no ftauth is running',
      cause: error,
    })
  }
  try {
    return await run()
  } finally {
    await release().catch(() => undefined)
  }
}
