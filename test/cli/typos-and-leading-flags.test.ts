// A mistyped command off a terminal, and global flags written before the command (`ftauth --env local status`).
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {makeWorld, type World} from '../call/helpers.js'
import {runCli} from '../helpers/cli.js'

vi.setConfig({testTimeout: 120_000, hookTimeout: 120_000})

let world: World
beforeAll(async () => {
  world = await makeWorld()
})
afterAll(() => world?.close())

describe('a typo off a terminal', () => {
  it('is one line on stderr with the closest command, and exit 127', async () => {
    const result = await runCli(['sesion', 'create'])
    expect(result.code).toBe(127)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('error: "sesion create" is not a ftauth command — did you mean "session create"? (`ftauth help` lists them all)\n')
    const single = await runCli(['stauts'])
    expect(single.code).toBe(127)
    expect(single.stderr.trim().split('\n')).toHaveLength(1)
    expect(single.stderr).toContain('did you mean "status"?')
  })
})

describe('global flags before the command', () => {
  it('`ftauth --env local session create --headless` works on the fast path and through oclif', async () => {
    for (const fastPath of ['1', '0']) {
      const env = {FTAUTH_ENV: undefined, FTAUTH_FAST_PATH: fastPath}
      const result = await world.run(['--env', 'local', 'session', 'create', '--headless', '--json'], {env})
      expect(result.code, result.stderr).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({provider: 'funtrips', env: 'local'})
      const status = await world.run(['--profile', 'other', '-q', 'status'], {env})
      expect(status.code, status.stderr).toBe(0)
      expect(status.stdout).toBe('other\n')
    }
    // An oclif-only command, too.
    const config = await world.run(['--env', 'local', '--json', 'config', 'list'], {env: {FTAUTH_ENV: undefined}})
    expect(config.code, config.stderr).toBe(0)
    expect(JSON.parse(config.stdout)).toHaveProperty('settings')
  })
})
