import {execFile} from 'node:child_process'
import {copyFile, mkdtemp, readdir, readFile, rm, symlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'

import {ROOT} from '../helpers/cli.js'

const run = promisify(execFile)

async function commandIds(dir: string): Promise<string[]> {
  const ids: string[] = []
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      ids.push(
        relative(join(ROOT, 'src/commands'), join(entry.parentPath, entry.name))
          .replace(/\.ts$/, '')
          .replace(/\/index$/, '')
          .split('/')
          .join(':'),
      )
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

describe("src/cli/registry.ts (the runtime's id → command map)", () => {
  it('is what scripts/registry.mjs generates from the command files (npm test builds first)', async () => {
    // @ts-expect-error a plain .mjs script without types
    const {commandFiles, definitionFiles, registrySource} = (await import('../../scripts/registry.mjs')) as {
      commandFiles(): Promise<string[]>
      definitionFiles(files: string[]): Promise<string[]>
      registrySource(files: string[]): string
    }
    const expected = registrySource(await definitionFiles(await commandFiles()))
    expect(await readFile(join(ROOT, 'src/cli/registry.ts'), 'utf8'), 'run `npm run build` (scripts/registry.mjs) and commit src/cli/registry.ts').toBe(
      expected,
    )
  })
})

describe('command reference (README topic list and docs/commands/)', () => {
  it('is what `npm run readme` (oclif readme --multi) generates from the current commands', async () => {
    // oclif writes next to the plugin it documents: generate into a scratch copy of the package
    // (its package.json, manifest, README and the built commands) and compare every page.
    const scratch = await mkdtemp(join(tmpdir(), 'ftauth-readme-'))
    try {
      for (const file of ['package.json', 'oclif.manifest.json', 'README.md']) await copyFile(join(ROOT, file), join(scratch, file))
      for (const dir of ['dist', 'node_modules']) await symlink(join(ROOT, dir), join(scratch, dir))
      const {readme} = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).scripts as {readme: string}
      const [command, ...args] = readme.split(' ')
      expect(command).toBe('oclif')
      await run(join(ROOT, 'node_modules', '.bin', 'oclif'), args, {cwd: scratch, maxBuffer: 10_000_000})
      const section = (text: string) => text.slice(text.indexOf('\n<!-- commands -->\n'), text.indexOf('<!-- commandsstop -->'))
      const hint = 'run `npm run readme` after changing commands'
      expect(section(await readFile(join(ROOT, 'README.md'), 'utf8')), hint).toBe(section(await readFile(join(scratch, 'README.md'), 'utf8')))
      const pages = (await readdir(join(scratch, 'docs', 'commands'))).sort()
      expect(pages.length).toBeGreaterThan(10)
      expect((await readdir(join(ROOT, 'docs', 'commands'))).sort(), hint).toEqual(pages)
      for (const page of pages) {
        expect(await readFile(join(ROOT, 'docs', 'commands', page), 'utf8'), `${hint} (docs/commands/${page})`).toBe(
          await readFile(join(scratch, 'docs', 'commands', page), 'utf8'),
        )
      }
    } finally {
      await rm(scratch, {recursive: true, force: true})
    }
  }, 60_000)
})
