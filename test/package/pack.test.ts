import {execFile, spawn, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtemp, readdir, rm, symlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {clearKeychainService, ROOT} from '../helpers/cli.js'

const run = promisify(execFile)

/**
 * What a user installing the tarball gets: a fresh `git clone` of the committed tree (no dist/),
 * `npm pack` there (prepack builds it), `npm install -g` into a temp prefix, and `ftauth` run from
 * there, away from the source tree. The clone borrows this checkout's node_modules for the build
 * (the devDependencies), which keeps the test from reinstalling them.
 */
describe('the npm package, packed from a fresh clone', () => {
  let work: string
  let ftauth: string
  let files: string[]
  let emulator: ChildProcess | undefined
  const service = `ftauth-pack-${randomBytes(4).toString('hex')}`
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ftauth-pack-'))
    const clone = join(work, 'clone')
    await run('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone])
    expect(await readdir(clone)).not.toContain('dist')
    await symlink(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir')
    await run('npm', ['pack', '--pack-destination', work], {cwd: clone, maxBuffer: 16 * 1024 * 1024})
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'))
    if (!tarball) throw new Error('npm pack wrote no tarball')
    files = (await run('tar', ['-tzf', join(work, tarball)])).stdout
      .split('\n')
      .filter(Boolean)
      .map((path) => path.replace(/^package\//, ''))
    const prefix = join(work, 'prefix')
    await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)], {cwd: work})
    ftauth = join(prefix, 'bin', 'ftauth')
  }, 420_000)
  afterAll(async () => {
    emulator?.kill()
    await clearKeychainService(service)
    await rm(work, {recursive: true, force: true})
  })

  it('ships the built CLI and only what runs', () => {
    for (const path of ['bin/run.js', 'dist/ftauth.js', 'dist/fast/index.js', 'oclif.manifest.json', 'package.json', 'README.md']) expect(files).toContain(path)
    expect(files).not.toContain('bin/dev.js')
    expect(files.filter((path) => /^(src|test|scripts)\//.test(path) || path.endsWith('.ts'))).toEqual([])
  })

  it('installs globally and runs status and a real flow against its own emulator', async () => {
    const version = await run(ftauth, ['--version'], {cwd: work})
    expect(version.stdout).toMatch(/^ftauth\/\d+\.\d+\.\d+ /)
    expect((await run(ftauth, ['--help'], {cwd: work})).stdout).toContain('session')

    // The installed `ftauth emulator`, in the background on a free port.
    const child = spawn(ftauth, ['emulator', '--port', '0', '--json'], {cwd: work, stdio: ['ignore', 'pipe', 'inherit']})
    emulator = child
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString().split('\n')[0]!) as {url: string}).url))
      child.once('exit', (code) => reject(new Error(`the installed emulator exited (${code})`)))
    })

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FTAUTH_CONFIG_DIR: join(work, 'config'),
      FTAUTH_KEYCHAIN_SERVICE: service,
      FTAUTH_ENV: 'local',
      FTAUTH_LOCAL_URL: url,
    }
    delete env.CI
    const status = await run(ftauth, ['status', '--json'], {cwd: work, env})
    expect(JSON.parse(status.stdout)).toMatchObject({profile: 'default', configDir: join(work, 'config')})
    const flow = await run(ftauth, ['session', 'create', '--headless', '--exchange', '-q'], {cwd: work, env})
    expect(flow.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const requests = (await (await fetch(`${url}/__admin/requests`)).json()) as {path: string}[]
    expect(requests.map((request) => request.path)).toEqual(['/funtrips/oauth/token', '/funtrips/v1/session', '/funtrips/v1/session/token'])
  })
})
