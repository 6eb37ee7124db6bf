import {lstat, readdir} from 'node:fs/promises'
import {join} from 'node:path'

import {check, type Check} from './check.js'

export interface LoosePath {
  path: string
  kind: 'file' | 'dir'
  mode: number
}

/**
 * Everything under the config dir that group or others can read: files must be 0600, directories
 * 0700. proper-lockfile's `*.lock` directories are skipped: they are empty and live for one command.
 */
export async function findLoosePaths(dir: string): Promise<LoosePath[] | undefined> {
  const top = await lstat(dir).catch(() => undefined)
  if (!top) return undefined
  const loose: LoosePath[] = []
  const visit = async (path: string, isDir: boolean, mode: number): Promise<void> => {
    if ((mode & 0o077) !== 0) loose.push({path, kind: isDir ? 'dir' : 'file', mode: mode & 0o777})
    if (!isDir) return
    for (const entry of await readdir(path, {withFileTypes: true})) {
      if (entry.isSymbolicLink()) continue
      if (entry.isDirectory() && entry.name.endsWith('.lock')) continue
      const child = join(path, entry.name)
      const stats = await lstat(child).catch(() => undefined)
      if (stats) await visit(child, stats.isDirectory(), stats.mode)
    }
  }
  await visit(dir, top.isDirectory(), top.mode)
  return loose
}

export async function checkPermissions(dir: string, os: NodeJS.Platform): Promise<Check> {
  const title = 'File permissions'
  if (os === 'win32') return check('permissions', title, 'pass', `not checked on Windows (the profile directory's ACLs protect ${dir})`)
  const loose = await findLoosePaths(dir)
  if (loose === undefined) return check('permissions', title, 'pass', `${dir} does not exist yet (created 0700 on first use)`)
  if (loose.length === 0) return check('permissions', title, 'pass', `${dir}: files 0600, directories 0700`)
  const detail = loose.map((item) => `${item.path} is ${item.mode.toString(8).padStart(4, '0')} (want ${item.kind === 'dir' ? '0700' : '0600'})`).join('; ')
  return check('permissions', title, 'fail', `readable by other users: ${detail}`, {fix: chmodFix(loose)})
}

export function chmodFix(loose: readonly LoosePath[]): string {
  const files = loose.filter((item) => item.kind === 'file').map((item) => shellQuote(item.path))
  const dirs = loose.filter((item) => item.kind === 'dir').map((item) => shellQuote(item.path))
  return [files.length ? `chmod 600 ${files.join(' ')}` : '', dirs.length ? `chmod 700 ${dirs.join(' ')}` : ''].filter(Boolean).join(' && ')
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`
}
