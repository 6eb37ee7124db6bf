// What differs per OS, tested with each OS's inputs on this Linux machine.
import {Config} from '@oclif/core'
import {describe, expect, it} from 'vitest'

import {describeFailure, keychainLabel} from '../../src/core/keychain.js'
import {resolveInvocation} from '../../src/core/invocation.js'
import {defaultConfigDir, resolveConfigDir, type ConfigDirInputs} from '../../src/core/paths.js'
import {ROOT} from '../helpers/cli.js'

const CASES: [string, ConfigDirInputs][] = [
  ['linux', {platform: 'linux', osHome: '/home/ada', env: {HOME: '/home/ada'}}],
  ['linux, XDG_CONFIG_HOME', {platform: 'linux', osHome: '/home/ada', env: {HOME: '/home/ada', XDG_CONFIG_HOME: '/xdg'}}],
  ['linux, no HOME', {platform: 'linux', osHome: '/home/from-passwd', env: {}}],
  ['darwin', {platform: 'darwin', osHome: '/Users/ada', env: {HOME: '/Users/ada'}}],
  ['darwin, XDG_CONFIG_HOME', {platform: 'darwin', osHome: '/Users/ada', env: {HOME: '/Users/ada', XDG_CONFIG_HOME: '/Users/ada/xdg'}}],
  ['win32, LOCALAPPDATA', {platform: 'win32', osHome: 'C:/Users/ada', env: {LOCALAPPDATA: 'C:/Users/ada/AppData/Local', USERPROFILE: 'C:/Users/ada'}}],
  ['win32, no LOCALAPPDATA', {platform: 'win32', osHome: 'C:/Users/ada', env: {HOMEDRIVE: 'C:', HOMEPATH: '/Users/ada'}}],
  ['win32, USERPROFILE only', {platform: 'win32', osHome: 'C:/x', env: {USERPROFILE: 'C:/Users/ada'}}],
  ['win32, XDG_CONFIG_HOME', {platform: 'win32', osHome: 'C:/x', env: {XDG_CONFIG_HOME: 'D:/cfg', LOCALAPPDATA: 'C:/Local'}}],
  ['FTAUTH_CONFIG_DIR', {platform: 'win32', osHome: 'C:/x', env: {FTAUTH_CONFIG_DIR: 'E:/ftauth', LOCALAPPDATA: 'C:/Local'}}],
]

/** What oclif's Config (the oclif start-up path) chooses for these inputs: its own code, fed the OS. */
async function oclifConfigDir(config: Config, inputs: ConfigDirInputs): Promise<string> {
  const saved = process.env
  process.env = {...inputs.env}
  try {
    const oclif = config as unknown as {
      windows: boolean
      home: string
      dir(category: string): string
      windowsHome(): string | undefined
      scopedEnvVar(name: string): string | undefined
    }
    oclif.windows = inputs.platform === 'win32'
    // oclif's own home rule (Config.load), with os.homedir() as given.
    oclif.home = process.env.HOME || (oclif.windows && oclif.windowsHome()) || inputs.osHome
    return oclif.scopedEnvVar('CONFIG_DIR') || oclif.dir('config')
  } finally {
    process.env = saved
  }
}

describe('one config dir on every OS and both start-up paths', () => {
  it.each(CASES)('%s: the resolver agrees with oclif', async (_name, inputs) => {
    const config = await Config.load(ROOT)
    expect(resolveConfigDir(inputs)).toBe(await oclifConfigDir(config, inputs))
  })

  it('uses %LOCALAPPDATA% on Windows, not ~/.config (where the fast path once looked)', () => {
    expect(resolveConfigDir(CASES[5]![1])).toBe('C:/Users/ada/AppData/Local/ftauth')
    expect(defaultConfigDir({...CASES[9]![1]})).toBe('C:/Local/ftauth')
  })
})

/** oclif's cache dir for these inputs (Config.load's rule: FTAUTH_CACHE_DIR, macOS Library/Caches, else dir('cache')). */
function oclifCacheDir(config: Config, inputs: ConfigDirInputs): string {
  const saved = process.env
  process.env = {...inputs.env}
  const oclif = config as unknown as {
    platform: string
    windows: boolean
    home: string
    dir(category: string): string
    windowsHome(): string | undefined
    scopedEnvVar(name: string): string | undefined
    macosCacheDir(): string | undefined
  }
  const savedPlatform = oclif.platform
  try {
    oclif.windows = inputs.platform === 'win32'
    oclif.platform = inputs.platform
    oclif.home = process.env.HOME || (oclif.windows && oclif.windowsHome()) || inputs.osHome
    return oclif.scopedEnvVar('CACHE_DIR') || oclif.macosCacheDir() || oclif.dir('cache')
  } finally {
    oclif.platform = savedPlatform
    process.env = saved
  }
}

describe('the invocation resolver (every path: our runtime, oclif classes, completion)', () => {
  const stream = {write: () => true, isTTY: false}
  const CACHE_CASES: [string, ConfigDirInputs][] = [
    ...CASES,
    ['linux, XDG_CACHE_HOME', {platform: 'linux', osHome: '/home/ada', env: {HOME: '/home/ada', XDG_CACHE_HOME: '/xdg-cache'}}],
    ['darwin, XDG_CACHE_HOME (macOS keeps Library/Caches)', {platform: 'darwin', osHome: '/Users/ada', env: {HOME: '/Users/ada', XDG_CACHE_HOME: '/x'}}],
    ['FTAUTH_CACHE_DIR', {platform: 'linux', osHome: '/home/ada', env: {HOME: '/home/ada', FTAUTH_CACHE_DIR: '/c'}}],
  ]
  it.each(CACHE_CASES)('%s: config dir and cache dir as oclif chooses them', async (_name, inputs) => {
    const config = await Config.load(ROOT)
    const invocation = resolveInvocation({
      env: {...inputs.env},
      platform: inputs.platform,
      osHome: inputs.osHome,
      stdin: process.stdin,
      stdout: stream,
      stderr: stream,
    })
    expect(invocation.paths.dir).toBe(await oclifConfigDir(config, inputs))
    expect(invocation.cacheDir).toBe(oclifCacheDir(config, inputs))
  })

  it('drops empty FTAUTH_* variables and reads the streams, platform and profile of the run', () => {
    const invocation = resolveInvocation({
      env: {FTAUTH_ENV: '', FTAUTH_PROFILE: 'ci', HOME: '/h'},
      platform: 'darwin',
      osHome: '/h',
      stdin: process.stdin,
      stdout: {...stream, isTTY: true},
      stderr: stream,
    })
    expect(invocation.env).not.toHaveProperty('FTAUTH_ENV')
    expect(invocation.environmentVariable).toBeUndefined()
    expect(invocation.profileVariable).toBe('ci')
    expect(invocation.tty.stdout).toBe(true)
    expect(invocation.tty.stderr).toBe(false)
    expect(invocation.cacheDir).toBe('/h/Library/Caches/ftauth')
  })
})

describe('keychain per OS', () => {
  it('names the backend @napi-rs/keyring uses', () => {
    expect(keychainLabel('darwin')).toBe('macOS Keychain')
    expect(keychainLabel('win32')).toBe('Windows Credential Manager')
    expect(keychainLabel('linux')).toBe('Secret Service (D-Bus)')
  })

  it('a locked collection with no display to prompt on says so, not that a prompt was dismissed', () => {
    const dismissed = new Error('Platform secure storage failure: The user dismissed a prompt')
    const headless = describeFailure('Secret Service (D-Bus)', dismissed, {}, 'linux')
    expect(headless.message).toContain('is locked, and no unlock prompt can be shown here')
    expect(headless.message).not.toContain('dismissed')
    expect(headless.hint).toContain('gnome-keyring-daemon --unlock')
    // With a display the prompt was shown: the user's dismissal is the reason.
    expect(describeFailure('Secret Service (D-Bus)', dismissed, {DISPLAY: ':0'}, 'linux').message).toContain('dismissed a prompt')
  })
})
