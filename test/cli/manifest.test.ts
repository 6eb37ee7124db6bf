import {execFile} from 'node:child_process'
import {readdir, readFile} from 'node:fs/promises'
import {join, relative} from 'node:path'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'

import {ROOT} from '../helpers/cli.js'

const run = promisify(execFile)

async function commandIds(dir: string): Promise<string[]> {
  const ids: string[] = []
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      ids.push(relative(join(ROOT, 'src/commands'), join(entry.parentPath, entry.name)).replace(/\.ts$/, '').replace(/\/index$/, '').split('/').join(':'))
    }
  }
  return ids.sort()
}

describe('oclif.manifest.json', () => {
  it('lists exactly the commands in src/commands', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    expect(Object.keys(manifest.commands).sort()).toEqual(await commandIds(join(ROOT, 'src/commands')))
  })

  it('is committed as the build generates it (npm test builds first)', async () => {
    const committed = await run('git', ['show', 'HEAD:oclif.manifest.json'], {cwd: ROOT, maxBuffer: 10_000_000}).then(
      (result) => result.stdout,
      () => undefined,
    )
    if (committed === undefined) return // not a git checkout (e.g. an unpacked tarball): nothing to compare
    const built = await readFile(join(ROOT, 'oclif.manifest.json'), 'utf8')
    expect(JSON.parse(committed), 'the committed oclif.manifest.json is stale: commit the one `npm run build` generated').toEqual(JSON.parse(built))
  })
})

describe('README command reference', () => {
  it('is what `oclif readme` generates from the current commands', async () => {
    const {stdout: generated} = await run('npx', ['oclif', 'readme', '--dry-run'], {cwd: ROOT, maxBuffer: 10_000_000})
    // The dry run prints a "replacing <!-- commands --> in …" line first; the section starts at the marker's own line.
    const section = (text: string) => text.slice(text.indexOf('\n<!-- commands -->\n'), text.indexOf('<!-- commandsstop -->'))
    expect(section(await readFile(join(ROOT, 'README.md'), 'utf8')), 'run `npm run readme` after changing commands').toBe(section(generated))
  }, 60_000)
})
