import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {loadConfig, saveConfig, updateProfile} from '../../src/core/config.js'
import {ExitCode, FtauthError} from '../../src/core/errors.js'
import {resolveProfile} from '../../src/core/profiles.js'
import {DEMO} from '../../src/local-demo/credentials.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftauth-config-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('config file', () => {
  it('is empty when missing', async () => {
    expect(await loadConfig(join(dir, 'config.json'))).toEqual({version: 2, profiles: {}})
  })

  it('names the file and the bad key, and leaves a malformed file untouched', async () => {
    const path = join(dir, 'config.json')
    const text = JSON.stringify({version: 2, profiles: {default: {fluz: {ids: {sandbox: {userId: 'not-a-uuid'}}}}}})
    await writeFile(path, text)
    const error = await loadConfig(path).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FtauthError)
    expect((error as FtauthError).exitCode).toBe(ExitCode.usage)
    expect((error as FtauthError).message).toContain(path)
    expect((error as FtauthError).message).toContain('profiles.default.fluz.ids.sandbox.userId')
    expect(await readFile(path, 'utf8')).toBe(text)
  })

  it('reports unknown keys by name', async () => {
    const path = join(dir, 'config.json')
    await writeFile(path, JSON.stringify({profiles: {default: {funtrips: {clientSecret: 'x'}}}}))
    await expect(loadConfig(path)).rejects.toThrow(/unknown key "clientSecret"/)
  })

  it('reports invalid JSON', async () => {
    const path = join(dir, 'config.json')
    await writeFile(path, '{"profiles": ')
    await expect(loadConfig(path)).rejects.toThrow(/is not valid JSON/)
  })

  it('is written 0600 in a 0700 dir', async () => {
    const path = join(dir, 'nested', 'config.json')
    await saveConfig(path, {version: 1, profiles: {default: {env: 'sandbox'}}})
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700)
    await updateProfile(path, 'ci', (profile) => ({...profile, env: 'local'}))
    expect((await loadConfig(path)).profiles).toEqual({default: {env: 'sandbox'}, ci: {env: 'local'}})
  })
})

describe('profile resolution precedence: flag > env > profile > default', () => {
  const config = {
    version: 1 as const,
    profiles: {
      default: {env: 'production' as const, fluz: {env: 'sandbox' as const}},
      other: {funtrips: {ids: {sandbox: {clientId: 'from-profile'}}}},
    },
  }

  it('takes the profile from the flag, then FTAUTH_PROFILE, then default', () => {
    expect(resolveProfile(config, {profileFlag: 'other', env: {FTAUTH_PROFILE: 'x'}}).name).toBe('other')
    expect(resolveProfile(config, {env: {FTAUTH_PROFILE: 'other'}}).name).toBe('other')
    expect(resolveProfile(config, {env: {}}).name).toBe('default')
  })

  it('takes the environment from the flag, then FTAUTH_ENV, then the provider, then the profile', () => {
    expect(resolveProfile(config, {envFlag: 'local', env: {FTAUTH_ENV: 'sandbox'}}).funtrips.env).toBe('local')
    expect(resolveProfile(config, {env: {FTAUTH_ENV: 'sandbox'}}).funtrips.env).toBe('sandbox')
    const resolved = resolveProfile(config, {env: {}})
    expect(resolved.fluz.env).toBe('sandbox')
    expect(resolved.funtrips.env).toBe('production')
    expect(resolved.funtrips.authUrl).toBe('https://api.funtrips.io/prod')
    expect(resolved.fluz.url).toBe('https://transactional-graph.staging.fluzapp.com/api/v1/graphql')
  })

  it('lets env variables override ids and URLs, and local use the emulator and demo ids', () => {
    const resolved = resolveProfile(config, {
      profileFlag: 'other',
      envFlag: 'local',
      env: {FTAUTH_LOCAL_URL: 'http://127.0.0.1:9999/', FTAUTH_FUNTRIPS_CLIENT_ID: 'from-env', FTAUTH_FLUZ_URL: 'http://x.test/gql'},
    })
    expect(resolved.funtrips.clientId).toBe('from-env')
    expect(resolved.funtrips.apiUrl).toBe('http://127.0.0.1:9999/funtrips')
    expect(resolved.shuttle.authUrl).toBe('http://127.0.0.1:9999/shuttle')
    expect(resolved.fluz.url).toBe('http://x.test/gql')
    expect(resolved.fluz.userId).toBe(DEMO.fluz.userId)
    expect(resolved.shuttle.clientId).toBe(DEMO.shuttle.clientId)
  })
})

describe('Funtrips hosts and stage', () => {
  it('the stage is its own setting; the built-in one goes with the built-in hosts, local has none; guesses are named', () => {
    const resolved = (funtrips: Record<string, unknown>, envFlag: 'sandbox' | 'production' | 'local' = 'production') =>
      resolveProfile({version: 2, profiles: {default: {funtrips}}}, {envFlag, env: {}}).funtrips
    expect(resolved({})).toMatchObject({apiUrl: 'https://api.funtrips.io/prod', authUrl: 'https://api.funtrips.io/prod', stage: 'prod'})
    expect(resolved({}).guesses.join(' ')).toMatch(/API host.*auth host.*stage \/prod/)
    expect(resolved({stage: 'v2'})).toMatchObject({apiUrl: 'https://api.funtrips.io/v2', stage: 'v2'})
    // A configured URL is used as written (older profiles carry the stage in it)…
    expect(resolved({urls: {production: {apiUrl: 'https://gw.partner.test/prod', authUrl: 'https://auth.partner.test'}}})).toMatchObject({
      apiUrl: 'https://gw.partner.test/prod',
      authUrl: 'https://auth.partner.test',
      guesses: [],
    })
    // … unless the stage is set, and the auth host may differ from the API host.
    expect(resolved({stage: 'acc', urls: {production: {authUrl: 'https://auth.partner.test'}}})).toMatchObject({
      authUrl: 'https://auth.partner.test/acc',
      apiUrl: 'https://api.funtrips.io/acc',
    })
    expect(resolved({stage: 'prod'}, 'local').apiUrl).toMatch(/\/funtrips$/)
  })
})
