import {chmod, readFile, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'

runCliInProcess()

const USER = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f'
const OTHER_USER = '11111111-2222-4333-8444-555555555555'

let sandbox: Sandbox
let configPath: string
beforeEach(async () => {
  // No emulator and no FTAUTH_ENV: config commands send no request and must not need one.
  sandbox = await makeSandbox()
  configPath = join(sandbox.configDir, 'config.json')
})
afterEach(() => sandbox.cleanup())

const readConfig = async () => JSON.parse(await readFile(configPath, 'utf8')) as {profiles: Record<string, Record<string, unknown>>}

describe('ftauth config set / get / unset', () => {
  it('round-trips a value through the file', async () => {
    const set = await sandbox.run(['config', 'set', 'fluz.userId', USER])
    expect(set.code).toBe(0)
    // Ids belong to an environment: the short key addresses the one in use (fluz: sandbox by default).
    expect(set.stdout).toContain(`Set fluz.ids.sandbox.userId = ${USER} in profile default`)
    expect((await readConfig()).profiles.default).toEqual({fluz: {ids: {sandbox: {userId: USER}}}})
    expect((await stat(configPath)).mode & 0o777).toBe(0o600)

    const get = await sandbox.run(['config', 'get', 'fluz.userId', '-q'])
    expect(get).toMatchObject({code: 0, stdout: `${USER}\n`})
    const human = await sandbox.run(['config', 'get', 'fluz.userId'])
    expect(human.stdout).toContain(`${USER}  (profile)`)

    const unset = await sandbox.run(['config', 'unset', 'fluz.userId'])
    expect(unset).toMatchObject({code: 0})
    expect(unset.stdout).toContain('Unset fluz.ids.sandbox.userId in profile default')
    // The emptied provider object is pruned; the profile stays.
    expect((await readConfig()).profiles).toEqual({default: {}})
    const after = await sandbox.run(['config', 'get', 'fluz.userId', '--json'])
    expect(JSON.parse(after.stdout)).toEqual({schemaVersion: 1, profile: 'default', key: 'fluz.ids.sandbox.userId', value: null, source: 'unset'})

    const again = await sandbox.run(['config', 'unset', 'fluz.userId'])
    expect(again).toMatchObject({code: 0})
    expect(again.stdout).toContain('was not set')
  })

  it('sets URLs per environment, the top-level env, lists and booleans', async () => {
    expect((await sandbox.run(['config', 'set', 'funtrips.urls.sandbox.apiUrl', 'https://api.partner.test/acc'])).code).toBe(0)
    expect((await sandbox.run(['config', 'set', 'env', 'local'])).code).toBe(0)
    expect((await sandbox.run(['config', 'set', 'fluz.scopes', 'LIST_OFFERS,PURCHASE_GIFTCARD'])).code).toBe(0)
    expect((await sandbox.run(['config', 'set', 'insecureStorage', 'false'])).code).toBe(0)
    expect((await readConfig()).profiles.default).toEqual({
      env: 'local',
      insecureStorage: false,
      funtrips: {urls: {sandbox: {apiUrl: 'https://api.partner.test/acc'}}},
      fluz: {scopes: ['LIST_OFFERS', 'PURCHASE_GIFTCARD']},
    })
    expect((await sandbox.run(['config', 'get', 'fluz.scopes', '-q'])).stdout).toBe('LIST_OFFERS,PURCHASE_GIFTCARD\n')
    // A group can be unset at once.
    expect((await sandbox.run(['config', 'unset', 'funtrips.urls'])).code).toBe(0)
    expect((await readConfig()).profiles.default!.funtrips).toBeUndefined()
  })

  it('writes to the profile chosen with --profile', async () => {
    expect((await sandbox.run(['config', 'set', 'shuttle.clientId', 'sh_ci', '--profile', 'ci'])).code).toBe(0)
    expect((await readConfig()).profiles).toEqual({ci: {shuttle: {ids: {production: {clientId: 'sh_ci'}}}}})
    expect((await sandbox.run(['config', 'get', 'shuttle.clientId', '-q', '--profile', 'ci'])).stdout).toBe('sh_ci\n')
    expect((await sandbox.run(['config', 'get', 'shuttle.clientId', '-q'])).stdout).toBe('')
  })

  it.each([
    ['fluz.ids.sandbox.userId', 'not-a-uuid', 'a UUID'],
    ['env', 'staging', 'one of sandbox, production, local'],
    ['funtrips.urls.sandbox.apiUrl', 'ftp://x.test', 'an http(s) URL'],
    ['funtrips.urls.sandbox.exchangePath', 'v1/token', 'a path starting with "/"'],
    ['insecureStorage', 'maybe', 'true or false'],
  ])('validates %s before writing: exit 2 naming the key, file byte-identical', async (key, value, expects) => {
    await sandbox.run(['config', 'set', 'fluz.seatId', USER])
    const before = await readFile(configPath)
    const result = await sandbox.run(['config', 'set', key, value])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`invalid value for ${key}`)
    expect(result.stderr).toContain(`expects ${expects}`)
    expect(await readFile(configPath)).toEqual(before)
  })

  it('refuses an invalid profile name without writing', async () => {
    const result = await sandbox.run(['config', 'set', 'env', 'local', '--profile', 'no spaces'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('invalid profile name "no spaces"')
    await expect(stat(configPath)).rejects.toThrow(/ENOENT/)
  })

  it('answers an unknown key with a did-you-mean (exit 2)', async () => {
    const get = await sandbox.run(['config', 'get', 'fluz.userid'])
    expect(get.code).toBe(2)
    expect(get.stderr).toContain('unknown config key fluz.userid')
    expect(get.stderr).toContain('did you mean fluz.userId')
    const set = await sandbox.run(['config', 'set', 'shuttle.clientid', 'x'])
    expect(set.code).toBe(2)
    expect(set.stderr).toContain('did you mean shuttle.clientId')
    const unset = await sandbox.run(['config', 'unset', 'fluz.seat'])
    expect(unset.code).toBe(2)
    expect(unset.stderr).toContain('did you mean fluz.seatId')
    await expect(stat(configPath)).rejects.toThrow(/ENOENT/)
  })

  it('never takes a secret: points to ftauth login', async () => {
    for (const args of [['funtrips.clientSecret'], ['funtrips.clientSecret', 's3cret-value'], ['fluz.apiKey', 'abc']]) {
      const result = await sandbox.run(['config', 'set', ...args])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/secrets are never kept in the config file — store it in the keychain with `ftauth login (funtrips|fluz)`/)
      expect(result.stderr).not.toContain('s3cret-value')
    }
    await expect(stat(configPath)).rejects.toThrow(/ENOENT/)
  })

  it('asks for the value when it is missing', async () => {
    const result = await sandbox.run(['config', 'set', 'fluz.seatId'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('no value given for fluz.ids.sandbox.seatId')
  })

  it.each([[['set', 'env', 'local']], [['unset', 'env']], [['get', 'env']], [['list']]])('leaves a malformed file untouched: config %j', async (args) => {
    await writeFile(configPath, '{"profiles": ', {mode: 0o600})
    const result = await sandbox.run(['config', ...args])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`config file ${configPath} is not valid JSON`)
    expect(await readFile(configPath, 'utf8')).toBe('{"profiles": ')
  })

  it('repairs a file with an unknown key by unsetting it', async () => {
    await writeFile(configPath, JSON.stringify({version: 1, profiles: {default: {env: 'local', funtrips: {clientSecret: 'left-here', clientId: 'ft'}}}}), {
      mode: 0o600,
    })
    const blocked = await sandbox.run(['config', 'set', 'funtrips.clientId', 'ft2'])
    expect(blocked.code).toBe(2)
    expect(blocked.stderr).toContain('config unset funtrips.clientSecret')
    const repaired = await sandbox.run(['config', 'unset', 'funtrips.clientSecret'])
    expect(repaired.code).toBe(0)
    // Written in the new layout (the old profile-wide id became local's), the old file kept once.
    expect((await readConfig()).profiles.default).toEqual({env: 'local', funtrips: {ids: {local: {clientId: 'ft'}}}})
    expect(JSON.parse(await readFile(`${configPath}.bak`, 'utf8'))).toMatchObject({version: 1, profiles: {default: {funtrips: {clientId: 'ft'}}}})
    expect((await sandbox.run(['config', 'list'])).code).toBe(0)
  })
})

describe('ftauth config list', () => {
  it('shows each key with its value and where it came from; an env var wins over the profile', async () => {
    await sandbox.run(['config', 'set', 'fluz.userId', USER])
    await sandbox.run(['config', 'set', 'env', 'sandbox'])
    const list = await sandbox.run(['config', 'list', '--json'], {env: {FTAUTH_FLUZ_USER_ID: OTHER_USER}})
    expect(list.code).toBe(0)
    const body = JSON.parse(list.stdout) as {profile: string; configFile: string; settings: {key: string; value: unknown; source: string; origin?: string}[]}
    expect(body.profile).toBe('default')
    expect(body.configFile).toBe(configPath)
    const byKey = new Map(body.settings.map((setting) => [setting.key, setting]))
    expect(byKey.get('fluz.ids.sandbox.userId')).toEqual({key: 'fluz.ids.sandbox.userId', value: OTHER_USER, source: 'env', origin: 'FTAUTH_FLUZ_USER_ID'})
    // The variable applies to the active environment only.
    expect(byKey.get('fluz.ids.production.userId')).toMatchObject({value: null, source: 'unset'})
    expect(byKey.get('env')).toEqual({key: 'env', value: 'sandbox', source: 'profile'})
    expect(byKey.get('fluz.urls.sandbox.url')).toEqual({
      key: 'fluz.urls.sandbox.url',
      value: 'https://transactional-graph.staging.fluzapp.com/api/v1/graphql',
      source: 'default',
      origin: 'built-in',
    })
    expect(byKey.get('fluz.ids.sandbox.seatId')).toMatchObject({value: null, source: 'unset'})

    const human = await sandbox.run(['config', 'list'], {env: {FTAUTH_FLUZ_USER_ID: OTHER_USER}})
    expect(human.stdout).toMatch(new RegExp(`fluz\\.ids\\.sandbox\\.userId\\s+${OTHER_USER}\\s+env FTAUTH_FLUZ_USER_ID`))
    expect(human.stdout).toMatch(/^\s+env\s+sandbox\s+profile$/m)
    // Without the variable the profile value shows.
    const plain = await sandbox.run(['config', 'get', 'fluz.userId', '--json'])
    expect(JSON.parse(plain.stdout)).toMatchObject({value: USER, source: 'profile'})
  })

  it('shows the --env flag winning over FTAUTH_ENV', async () => {
    const list = await sandbox.run(['config', 'list', '--json', '--env', 'production'], {env: {FTAUTH_ENV: 'local'}})
    const settings = (JSON.parse(list.stdout) as {settings: {key: string; value: unknown; source: string}[]}).settings
    expect(settings.find((setting) => setting.key === 'fluz.env')).toMatchObject({value: 'production', source: 'flag'})
  })

  it('warns after set when an environment variable still overrides the key', async () => {
    const result = await sandbox.run(['config', 'set', 'fluz.userId', USER], {env: {FTAUTH_FLUZ_USER_ID: OTHER_USER}})
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`FTAUTH_FLUZ_USER_ID is set and overrides fluz.ids.sandbox.userId (effective value ${OTHER_USER})`)
  })

  it('prints key=value lines with -q', async () => {
    await sandbox.run(['config', 'set', 'shuttle.clientId', 'sh_x'])
    const quiet = await sandbox.run(['config', 'list', '-q'])
    expect(quiet.stdout.split('\n')).toContain('shuttle.ids.production.clientId=sh_x')
  })

  it('config set leaves the file unreadable by others after every write', async () => {
    await sandbox.run(['config', 'set', 'env', 'local'])
    await chmod(configPath, 0o644)
    await sandbox.run(['config', 'set', 'env', 'sandbox'])
    expect((await stat(configPath)).mode & 0o777).toBe(0o600)
  })
})
