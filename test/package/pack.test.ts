import {execFile} from 'node:child_process'
import {mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ROOT} from '../helpers/cli.js'

const run = promisify(execFile)

/**
 * `npm pack` → `npm install -g` into a temp prefix → run `ftauth` from there, away from the source
 * tree: what a user installing the tarball gets.
 */
describe('the npm package', () => {
  let work: string
  let ftauth: string
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ftauth-pack-'))
    await run('npm', ['pack', '--pack-destination', work], {cwd: ROOT})
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'))
    if (!tarball) throw new Error('npm pack wrote no tarball')
    const prefix = join(work, 'prefix')
    await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)], {cwd: work})
    ftauth = join(prefix, 'bin', 'ftauth')
  }, 240_000)
  afterAll(async () => {
    await rm(work, {recursive: true, force: true})
  })

  it('installs globally and runs without the source', async () => {
    const version = await run(ftauth, ['--version'], {cwd: work})
    expect(version.stdout).toMatch(/^ftauth\/\d+\.\d+\.\d+ /)
    const help = await run(ftauth, ['--help'], {cwd: work})
    expect(help.stdout).toContain('session')
    expect(help.stdout).toContain('emulator')
    // A fast-path command (dist/fast/), which loads without oclif.
    const env = {...process.env, FTAUTH_CONFIG_DIR: join(work, 'config'), FTAUTH_KEYCHAIN_SERVICE: `ftauth-pack-${process.pid}`}
    const status = await run(ftauth, ['status', '--json'], {cwd: work, env})
    expect(JSON.parse(status.stdout)).toMatchObject({profile: 'default', configDir: join(work, 'config')})
  })

  it('ships only the built CLI, not the sources or tests', async () => {
    const {stdout} = await run('npm', ['pack', '--dry-run', '--json'], {cwd: ROOT})
    const files = (JSON.parse(stdout) as [{files: {path: string}[]}])[0].files.map((file) => file.path)
    expect(files).toContain('dist/ftauth.js')
    expect(files).toContain('dist/fast/index.js')
    expect(files).toContain('oclif.manifest.json')
    expect(files.some((path) => path.startsWith('src/') || path.startsWith('test/'))).toBe(false)
  })
})
