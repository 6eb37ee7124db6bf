import {describe, expect, it} from 'vitest'

import {profileSchema, type Config} from '../../src/core/config.js'
import {allConfigKeys, effectiveSettings, findKey, parseValue, requireKey, suggestKeys} from '../../src/core/config-keys.js'
import {ExitCode, FtauthError} from '../../src/core/errors.js'

const UUID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f'

/** A value each kind of key accepts, to prove every walked key is a real path of the schema. */
function sampleFor(key: string): string {
  if (key.endsWith('env')) return 'sandbox'
  if (key === 'defaultProvider') return 'fluz'
  if (key === 'insecureStorage') return 'true'
  if (/Id$/.test(key) && key.startsWith('fluz.')) return UUID
  if (/url$/i.test(key) || key.endsWith('redirectUri')) return 'https://example.test/x'
  if (key.endsWith('exchangePath')) return '/v1/session/token'
  return 'value-1'
}

function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown) {
  let node = root
  for (const name of path.slice(0, -1)) {
    node[name] ??= {}
    node = node[name] as Record<string, unknown>
  }
  node[path.at(-1)!] = value
}

describe('config keys walked from ProfileSchema', () => {
  it('lists the leaf keys of the schema, URL overrides per environment included', () => {
    const keys = allConfigKeys().map((key) => key.key)
    for (const key of [
      'env',
      'defaultProvider',
      'insecureStorage',
      'fluz.ids.sandbox.userId',
      'fluz.ids.production.userId',
      'funtrips.ids.local.clientId',
      'funtrips.userId',
      'funtrips.stage',
      'fluz.scopes',
      'fluz.urls.local.url',
      'funtrips.urls.sandbox.apiUrl',
      'funtrips.urls.production.exchangePath',
      'shuttle.redirectUri',
    ]) {
      expect(keys).toContain(key)
    }
    // Groups are not keys.
    expect(keys).not.toContain('fluz')
    expect(keys).not.toContain('fluz.urls.sandbox')
  })

  it('has no secret among the keys', () => {
    expect(allConfigKeys().filter((key) => /secret|api_?key|token|password/i.test(key.key))).toEqual([])
  })

  it('every key takes a value of its kind and the schema accepts it at that path', () => {
    for (const key of allConfigKeys()) {
      const profile: Record<string, unknown> = {}
      setPath(profile, key.path, parseValue(key, sampleFor(key.key)))
      const parsed = profileSchema().safeParse(profile)
      expect(parsed.success, `${key.key}: ${parsed.error?.message}`).toBe(true)
    }
  })

  it('describes what each key expects', () => {
    expect(findKey('fluz.ids.production.userId')?.expects).toBe('a UUID')
    expect(findKey('fluz.userId')).toBeUndefined()
    expect(findKey('env')?.expects).toBe('one of sandbox, production, local')
    expect(findKey('funtrips.urls.sandbox.apiUrl')?.expects).toBe('an http(s) URL')
    expect(findKey('funtrips.urls.sandbox.exchangePath')?.expects).toBe('a path starting with "/"')
    expect(findKey('insecureStorage')?.expects).toBe('true or false')
  })

  it('turns command-line text into lists and booleans', () => {
    expect(parseValue(findKey('fluz.scopes')!, 'LIST_OFFERS, PURCHASE_GIFTCARD')).toEqual(['LIST_OFFERS', 'PURCHASE_GIFTCARD'])
    expect(parseValue(findKey('fluz.scopes')!, '["A","B"]')).toEqual(['A', 'B'])
    expect(parseValue(findKey('insecureStorage')!, 'false')).toBe(false)
    expect(parseValue(findKey('insecureStorage')!, 'maybe')).toBe('maybe')
  })
})

describe('unknown keys', () => {
  it('suggests the key with other casing alone', () => {
    expect(suggestKeys('fluz.userid')).toEqual(['fluz.userId'])
  })

  it('suggests keys by their last segment and by edit distance', () => {
    expect(suggestKeys('userId')).toContain('fluz.userId')
    expect(suggestKeys('fluz.url')).toEqual(expect.arrayContaining(['fluz.urls.sandbox.url', 'fluz.urls.local.url']))
    expect(suggestKeys('shuttle.clientID')).toEqual(['shuttle.clientId'])
    expect(suggestKeys('fluz.acountId')).toContain('fluz.accountId')
    expect(suggestKeys('zzzzzzzzzz')).toEqual([])
  })

  it('is a usage error with a did-you-mean', () => {
    const error = captureError(() => requireKey('fluz.userid'))
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(error.line).toContain('did you mean fluz.userId')
  })

  it('sends secrets to ftauth login instead', () => {
    const error = captureError(() => requireKey('funtrips.clientSecret'))
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(error.line).toContain('`ftauth login funtrips`')
    expect(error.line).toContain('FTAUTH_FUNTRIPS_CLIENT_SECRET')
    expect(captureError(() => requireKey('fluz.apiKey')).line).toContain('`ftauth login fluz`')
  })

  it('refuses a group for get and set, naming its keys', () => {
    const error = captureError(() => requireKey('fluz.urls'))
    expect(error.line).toContain('fluz.urls.sandbox.url')
    expect(requireKey('fluz.urls', {allowGroup: true})).toMatchObject({group: 'fluz.urls'})
  })
})

describe('effective settings: flag > env var > profile > default', () => {
  const config: Config = {
    version: 1,
    profiles: {
      default: {
        env: 'sandbox',
        fluz: {ids: {sandbox: {userId: UUID}}, urls: {sandbox: {url: 'https://fluz.profile.test/graphql'}}},
        shuttle: {env: 'production'},
      },
    },
  }
  const settingOf = (key: string, input: Parameters<typeof effectiveSettings>[1]) =>
    effectiveSettings(config, input).settings.find((setting) => setting.key === key)!

  it('takes the profile value over the default', () => {
    expect(settingOf('fluz.ids.sandbox.userId', {env: {}})).toEqual({key: 'fluz.ids.sandbox.userId', value: UUID, source: 'profile', origin: undefined})
    expect(settingOf('fluz.urls.sandbox.url', {env: {}})).toMatchObject({value: 'https://fluz.profile.test/graphql', source: 'profile'})
  })

  it('lets an environment variable win over the profile', () => {
    const other = '11111111-2222-4333-8444-555555555555'
    expect(settingOf('fluz.ids.sandbox.userId', {env: {FTAUTH_FLUZ_USER_ID: other}})).toEqual({
      key: 'fluz.ids.sandbox.userId',
      value: other,
      source: 'env',
      origin: 'FTAUTH_FLUZ_USER_ID',
    })
    expect(settingOf('fluz.urls.sandbox.url', {env: {FTAUTH_FLUZ_URL: 'http://127.0.0.1:9/x'}})).toMatchObject({
      value: 'http://127.0.0.1:9/x',
      source: 'env',
      origin: 'FTAUTH_FLUZ_URL',
    })
  })

  it('applies URL variables only to the environment in use', () => {
    // FTAUTH_FLUZ_URL overrides the URL of fluz's resolved env (sandbox), not the production one.
    expect(settingOf('fluz.urls.production.url', {env: {FTAUTH_FLUZ_URL: 'http://127.0.0.1:9/x'}})).toMatchObject({
      value: 'https://transactional-graph.fluzapp.com/api/v1/graphql',
      source: 'default',
      origin: 'built-in',
    })
  })

  it('lets the --env flag win over FTAUTH_ENV, and FTAUTH_ENV over the profile', () => {
    expect(settingOf('shuttle.env', {env: {FTAUTH_ENV: 'local'}, envFlag: 'sandbox'})).toMatchObject({value: 'sandbox', source: 'flag', origin: '--env'})
    expect(settingOf('shuttle.env', {env: {FTAUTH_ENV: 'local'}})).toMatchObject({value: 'local', source: 'env', origin: 'FTAUTH_ENV'})
    expect(settingOf('shuttle.env', {env: {}})).toMatchObject({value: 'production', source: 'profile'})
    expect(settingOf('funtrips.env', {env: {}})).toMatchObject({value: 'sandbox', source: 'profile', origin: 'inherits env'})
  })

  it('shows defaults and unset keys', () => {
    expect(settingOf('fluz.ids.sandbox.seatId', {env: {}})).toMatchObject({value: null, source: 'unset'})
    expect(settingOf('insecureStorage', {env: {}})).toMatchObject({value: false, source: 'default'})
    expect(settingOf('insecureStorage', {env: {}, insecureFlag: true})).toMatchObject({value: true, source: 'flag', origin: '--insecure-storage'})
    expect(settingOf('shuttle.ids.local.clientId', {env: {}, envFlag: 'local'})).toMatchObject({
      value: 'sh_demo_client',
      source: 'default',
      origin: 'emulator demo',
    })
  })

  it('uses the profile chosen by flag or FTAUTH_PROFILE', () => {
    expect(effectiveSettings(config, {env: {FTAUTH_PROFILE: 'ci'}}).profile).toBe('ci')
    expect(effectiveSettings(config, {env: {FTAUTH_PROFILE: 'ci'}, profileFlag: 'x'}).profile).toBe('x')
  })
})

function captureError(run: () => unknown): FtauthError {
  try {
    run()
  } catch (error) {
    if (error instanceof FtauthError) return error
    throw error
  }
  throw new Error('expected an FtauthError')
}
