import {AsyncLocalStorage} from 'node:async_hooks'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {ensurePrivateDir} from './files.js'
import {FtauthError, ExitCode} from './errors.js'

/** A lock held by a killed process is taken over after this long (proper-lockfile refreshes live locks). */
const STALE_MS = 10_000

/** The lock files this async call chain already holds: taking one again must not wait for itself. */
const heldLocks = new AsyncLocalStorage<ReadonlySet<string>>()

/**
 * Cross-process mutex (proper-lockfile: mkdir-based, stale-lock detection). Used around
 * read → refresh → store so two ftauth processes never spend one refresh token. Reentrant within
 * one call chain (a login holding the config lock may store a secret whose first write records
 * the keychain id under the same lock).
 */
export async function withLock<T>(locksDir: string, name: string, run: () => Promise<T>): Promise<T> {
  const target = join(locksDir, `${name.replace(/[^\w.-]/g, '_')}`)
  const held = heldLocks.getStore()
  if (held?.has(target)) return run()
  // proper-lockfile is CommonJS: its exports are on `default` both in Node and in the esbuild bundle.
  const {lock} = (await import('proper-lockfile')).default
  await ensurePrivateDir(locksDir)
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
    return await heldLocks.run(new Set([...(held ?? []), target]), run)
  } finally {
    await release().catch(() => undefined)
  }
}
