// Scripts clear a variable with `FTAUTH_X=`: an empty FTAUTH_* variable counts as unset.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'

runCliInProcess()

let sandbox: Sandbox
beforeEach(async () => {
  sandbox = await makeSandbox()
})
afterEach(() => sandbox.cleanup())

const EMPTY = {FTAUTH_ENV: '', FTAUTH_PROFILE: '', FTAUTH_LOCAL_URL: '', FTAUTH_FUNTRIPS_API_URL: '', FTAUTH_TRACE: '', FTAUTH_CONFIG_DIR: undefined}

describe('empty FTAUTH_* variables', () => {
  it.each([
    ['status (fast path)', ['status', '--json']],
    ['config list (oclif)', ['config', 'list', '--json']],
    ['status through oclif', ['status', '--json']],
  ])('%s runs as if they were unset', async (name, args) => {
    const oclifOnly = name === 'status through oclif' ? {FTAUTH_FAST_PATH: '0'} : {}
    const result = await sandbox.run(args, {env: {...EMPTY, FTAUTH_CONFIG_DIR: sandbox.configDir, ...oclifOnly}})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe('')
    if (args[0] === 'status') {
      const status = JSON.parse(result.stdout)
      expect(status.profile).toBe('default')
      expect(status.providers.map((provider: {env: string}) => provider.env)).toEqual(['sandbox', 'sandbox', 'production'])
    }
  })

  it('an empty FTAUTH_CONFIG_DIR means the default dir, not the current directory', async () => {
    const result = await sandbox.run(['status', '--json'], {env: {FTAUTH_CONFIG_DIR: '', HOME: sandbox.configDir, XDG_CONFIG_HOME: undefined}})
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).configDir).toBe(`${sandbox.configDir}/.config/ftauth`)
  })
})
