// `ftauth fluz token|refresh|scopes` as a user runs them: the built CLI against the emulator.
import {decodeJwt} from 'jose'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {keychainEntries, makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'
import {fluzOperations, fluzRequests, sandboxTokens, startOneFieldServer, storedToken} from './helpers.js'

runCliInProcess()

let emulator: Emulator
const sandboxes: Sandbox[] = []

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(async () => {
  await emulator.close()
})
beforeEach(() => emulator.clearRequests())
afterEach(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.cleanup()
})

async function sandboxFor(url = emulator.url): Promise<Sandbox> {
  const sandbox = await makeSandbox(url)
  sandboxes.push(sandbox)
  return sandbox
}

interface TokenJson {
  token: string
  hasRefreshToken: boolean
  refreshToken?: string
  scopes: string[]
  requestedScopes: string[]
  expiresAt: string
  expiresInSeconds: number
  expiryBasis: string
  env: string
  source: 'cache' | 'refresh' | 'new'
  tokenField: 'accessToken' | 'token'
  cacheKey: string
}

function json(stdout: string): TokenJson {
  return JSON.parse(stdout) as TokenJson
}

async function tokenAccounts(sandbox: Sandbox): Promise<string[]> {
  // Long values are stored as chunks beside an index entry: count the index entries only.
  return [...(await keychainEntries(sandbox.service)).keys()].filter((account) => account.includes(':fluz:token:') && !account.includes('#chunk:'))
}

/** Spends a refresh token behind ftauth's back, as another client of the same app would. */
async function spendRefreshToken(refreshToken: string): Promise<void> {
  const response = await fetch(`${emulator.url}/fluz/api/v1/graphql`, {
    method: 'POST',
    headers: {'content-type': 'application/json', authorization: `Basic ${DEMO.fluz.apiKey}`},
    body: JSON.stringify({
      query: 'mutation spend($rt: String!) { refreshUserAccessToken(userId: $rt) { success accessToken } }',
      variables: {rt: refreshToken},
    }),
  })
  const body = (await response.json()) as {data: {refreshUserAccessToken: {success: boolean}}}
  expect(body.data.refreshUserAccessToken.success).toBe(true)
}

const envFor = (env: 'sandbox' | 'production', url: string) => ({
  FTAUTH_ENV: env,
  FTAUTH_FLUZ_URL: url,
  FTAUTH_FLUZ_API_KEY: DEMO.fluz.apiKey,
  FTAUTH_FLUZ_USER_ID: DEMO.fluz.userId,
  FTAUTH_FLUZ_ACCOUNT_ID: DEMO.fluz.accountId,
})

describe('ftauth fluz token', () => {
  it('generates a token, then reuses it from the cache without a second call; -q prints only the token', async () => {
    const sandbox = await sandboxFor()
    const first = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS,PURCHASE_GIFTCARD'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('Fluz user access token')
    expect(first.stdout).toContain('LOCAL')
    expect(first.stdout).toMatch(/expires\s+\d{4}-\d\d-\d\dT[\d:.]+Z \(in (9m \d+s|10m)\)/)
    expect(first.stdout).toMatch(/scopes\s+LIST_OFFERS PURCHASE_GIFTCARD/)
    expect(first.stderr).toContain('Generate')
    expect(await tokenAccounts(sandbox)).toHaveLength(1)

    const second = await sandbox.run(['fluz', 'token', '-q', '--scope', 'PURCHASE_GIFTCARD', '--scope', 'LIST_OFFERS'])
    expect(second.code, second.stderr).toBe(0)
    const token = second.stdout.trim()
    expect(second.stdout).toBe(`${token}\n`)
    // Human output shows the token only redacted (a short prefix, its kind and length) unless --show.
    expect(first.stdout).toContain(`${token.slice(0, 10)}… (JWT, ${token.length} chars, signature hidden; --show prints it)`)
    expect(first.stdout).not.toContain(token)
    const shown = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS,PURCHASE_GIFTCARD', '--show'])
    expect(shown.stdout).toContain(token)
    expect(decodeJwt(token).scopes).toEqual(['LIST_OFFERS', 'PURCHASE_GIFTCARD'])
    expect(second.stderr).toBe('')
    expect(fluzOperations(emulator)).toEqual(['generateUserAccessToken'])
    expect(fluzRequests(emulator)[0]!.headers.authorization).toBe(`Basic ${DEMO.fluz.apiKey}`)
  })

  it('--json names the source and token field, and shows the refresh token only with --show-refresh', async () => {
    const sandbox = await sandboxFor()
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const body = json(result.stdout)
    expect(body).toMatchObject({hasRefreshToken: true, scopes: ['LIST_OFFERS'], env: 'local', source: 'new', tokenField: 'accessToken', expiryBasis: 'exp'})
    expect(body).not.toHaveProperty('refreshToken')
    expect(body.expiresInSeconds).toBeGreaterThan(590)
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now())
    const stored = await storedToken(sandbox, body.cacheKey)
    expect(stored.accessToken).toBe(body.token)
    expect(result.stdout).not.toContain(stored.refreshToken)
    expect(result.stderr).not.toContain(stored.refreshToken)

    const shown = json((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json', '--show-refresh'])).stdout)
    expect(shown).toMatchObject({source: 'cache', token: body.token, refreshToken: stored.refreshToken})
  })

  it('refreshes a token inside the safety margin (--min-ttl), and reuses it outside', async () => {
    const shortLived = await startEmulator({port: 0, tokenTtlSeconds: 20})
    try {
      const sandbox = await sandboxFor(shortLived.url)
      const first = json((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])).stdout)
      expect(first.source).toBe('new')
      const reused = json((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json', '--min-ttl', '5'])).stdout)
      expect(reused).toMatchObject({source: 'cache', token: first.token})

      const refreshed = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])
      expect(refreshed.code, refreshed.stderr).toBe(0)
      const body = json(refreshed.stdout)
      expect(body.source).toBe('refresh')
      expect(body.token).not.toBe(first.token)
      expect(fluzOperations(shortLived)).toEqual(['generateUserAccessToken', 'refreshUserAccessToken'])
      expect((await storedToken(sandbox, body.cacheKey)).accessToken).toBe(body.token)
    } finally {
      await shortLived.close()
    }
  })

  it('generates anew when the refresh is rejected with AUTH-0008', async () => {
    const sandbox = await sandboxFor()
    const first = json((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])).stdout)
    await spendRefreshToken((await storedToken(sandbox, first.cacheKey)).refreshToken!)
    emulator.clearRequests()

    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--min-ttl', '700', '--show'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('refresh failed (AUTH-0008); generating a new token instead')
    expect(result.stdout).toContain('newly generated')
    expect(fluzOperations(emulator)).toEqual(['refreshUserAccessToken', 'generateUserAccessToken'])
    const stored = await storedToken(sandbox, first.cacheKey)
    expect(stored.accessToken).not.toBe(first.token)
    expect(result.stdout).toContain(stored.accessToken)
  })

  it('--fresh always generates', async () => {
    const sandbox = await sandboxFor()
    const first = json((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])).stdout)
    const fresh = json((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json', '--fresh'])).stdout)
    expect(fresh.source).toBe('new')
    expect(fresh.token).not.toBe(first.token)
    expect(fluzOperations(emulator)).toEqual(['generateUserAccessToken', 'generateUserAccessToken'])
  })

  it.each([
    ['sandbox', 600, 'SANDBOX'],
    ['production', 180, 'PRODUCTION'],
  ] as const)('%s: the endpoint of that environment, its lifetime from exp, and the environment shown', async (env, lifetime, badge) => {
    const sandbox = await sandboxFor()
    const environment = envFor(env, `${emulator.url}/fluz/${env}/api/v1/graphql`)
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'], {env: environment})
    expect(result.code, result.stderr).toBe(0)
    const body = json(result.stdout)
    expect(body).toMatchObject({env, expiryBasis: 'exp'})
    expect(body.expiresInSeconds).toBeGreaterThan(lifetime - 10)
    expect(body.expiresInSeconds).toBeLessThanOrEqual(lifetime)
    expect(fluzRequests(emulator).map((request) => request.path)).toEqual([`/fluz/${env}/api/v1/graphql`])

    const human = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS'], {env: environment})
    expect(human.stdout).toContain(badge)
  })

  it.each([
    ['token', 'production', 180],
    ['accessToken', 'sandbox', 600],
  ] as const)('a server naming the token only "%s": asks once more without the other field (%s, documented lifetime)', async (field, env, lifetime) => {
    const server = await startOneFieldServer(field, DEMO.fluz.apiKey)
    try {
      const sandbox = await sandboxFor()
      const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'], {env: envFor(env, server.url)})
      expect(result.code, result.stderr).toBe(0)
      const body = json(result.stdout)
      expect(body).toMatchObject({tokenField: field, expiryBasis: 'documented lifetime', env, hasRefreshToken: true})
      expect(body.token).toMatch(/^opaque-access-1-/)
      expect(body.expiresInSeconds).toBeGreaterThan(lifetime - 10)
      expect(body.expiresInSeconds).toBeLessThanOrEqual(lifetime)
      expect(server.requests).toHaveLength(2)
    } finally {
      await server.close()
    }
  })

  it('AUTH-0001 (unknown account) exits 3 and stores nothing', async () => {
    const sandbox = await sandboxFor()
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--account-id', '11111111-2222-4333-8444-555555555555'])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('API key or account rejected (AUTH-0001')
    expect(await tokenAccounts(sandbox)).toEqual([])
  })

  it('a scope the application lacks comes back as a GraphQL error, shown with its message (exit 6)', async () => {
    const sandbox = await sandboxFor()
    // The demo application was never granted EDIT_VIRTUALCARD.
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'EDIT_VIRTUALCARD'])
    expect(result.code).toBe(6)
    expect(result.stderr).toMatch(/Fluz GraphQL error: Application scope not granted: EDIT_VIRTUALCARD/)
  })

  it('rejects a malformed UUID locally: exit 2, no request sent', async () => {
    const sandbox = await sandboxFor()
    const flag = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--user-id', 'not-a-uuid'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('--user-id is not a UUID ("not-a-uuid")')
    const seat = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--seat-id', '1234'])
    expect(seat.code).toBe(2)
    expect(seat.stderr).toContain('--seat-id is not a UUID')
    const variable = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS'], {env: {FTAUTH_FLUZ_ACCOUNT_ID: 'acc-42'}})
    expect(variable.code).toBe(2)
    expect(variable.stderr).toContain('FTAUTH_FLUZ_ACCOUNT_ID is not a UUID')
    expect(fluzRequests(emulator)).toEqual([])
  })

  it('warns about an unknown scope with a did-you-mean, and lets the server decide', async () => {
    const sandbox = await sandboxFor()
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFER'])
    expect(result.stderr).toContain('warning: "LIST_OFER" is not a known Fluz scope — did you mean LIST_OFFERS?')
    expect(fluzOperations(emulator)).toEqual(['generateUserAccessToken'])
    expect(JSON.parse(fluzRequests(emulator)[0]!.body).variables.scopes).toEqual(['LIST_OFER'])
    expect(result.code).toBe(6)
  })

  it('without scopes and without a terminal: exit 2 naming --scopes, no request', async () => {
    const sandbox = await sandboxFor()
    const result = await sandbox.run(['fluz', 'token'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('no Fluz scopes given')
    expect(result.stderr).toContain('--scopes')
    expect(fluzRequests(emulator)).toEqual([])
  })

  it('a malformed response exits 6 and keeps the cached token', async () => {
    const sandbox = await sandboxFor()
    const first = json((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])).stdout)
    emulator.inject({path: '/fluz/api/v1/graphql', kind: 'malformed-json'})
    const result = await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'])
    expect(result.code).toBe(6)
    expect(result.stderr).toContain('malformed JSON')
    expect((await storedToken(sandbox, first.cacheKey)).accessToken).toBe(first.token)
  })

  it('8 processes on an expired access token spend the refresh token once and all print the new token', {timeout: 120_000}, async () => {
    const sandbox = await sandboxFor()
    const first = json((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])).stdout)
    const tokens = sandboxTokens(sandbox)
    const stored = await storedToken(sandbox, first.cacheKey)
    await tokens.put('fluz', first.cacheKey, {...stored, expiresAt: new Date(Date.now() - 60_000).toISOString()})
    emulator.clearRequests()

    const results = await Promise.all(Array.from({length: 8}, () => sandbox.run(['fluz', 'token', '-q', '--scopes', 'LIST_OFFERS'], {timeoutMs: 100_000})))
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    const printed = new Set(results.map((result) => result.stdout.trim()))
    expect(printed.size).toBe(1)
    const [token] = [...printed] as [string]
    expect(token).not.toBe(first.token)
    expect(decodeJwt(token).exp! * 1000).toBeGreaterThan(Date.now())
    expect(fluzOperations(emulator)).toEqual(['refreshUserAccessToken'])

    const after = await storedToken(sandbox, first.cacheKey)
    const newestRefreshToken = emulator
      .issuedSecrets()
      .filter((secret) => secret.startsWith('rt_'))
      .at(-1)
    expect(after.accessToken).toBe(token)
    expect(after.refreshToken).toBe(newestRefreshToken)
    expect(new Date(after.expiresAt).getTime()).toBeGreaterThan(Date.now())
  })
})

describe('ftauth fluz refresh', () => {
  it('spends the cached refresh token; a spent one exits 4 with the regenerate hint; then nothing is left to refresh', async () => {
    const sandbox = await sandboxFor()
    const first = json((await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json'])).stdout)
    emulator.clearRequests()

    // No --scopes: the newest cached token for the profile's ids is the one refreshed.
    const refreshed = await sandbox.run(['fluz', 'refresh', '--json'])
    expect(refreshed.code, refreshed.stderr).toBe(0)
    const body = json(refreshed.stdout)
    expect(body).toMatchObject({source: 'refresh', scopes: ['LIST_OFFERS']})
    expect(body.token).not.toBe(first.token)
    expect(fluzOperations(emulator)).toEqual(['refreshUserAccessToken'])
    const stored = await storedToken(sandbox, body.cacheKey)
    expect(stored.accessToken).toBe(body.token)

    await spendRefreshToken(stored.refreshToken!)
    const rejected = await sandbox.run(['fluz', 'refresh', '--scopes', 'LIST_OFFERS'])
    expect(rejected.code).toBe(4)
    expect(rejected.stderr).toContain('AUTH-0008')
    expect(rejected.stderr).toContain('ftauth fluz token --fresh')
    const kept = await storedToken(sandbox, body.cacheKey)
    expect(kept.accessToken).toBe(body.token)
    expect(kept.refreshToken).toBeUndefined()

    emulator.clearRequests()
    const nothing = await sandbox.run(['fluz', 'refresh', '--scopes', 'LIST_OFFERS'])
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toContain('no refreshable Fluz token cached')
    expect(fluzRequests(emulator)).toEqual([])
  })
})

describe('ftauth fluz scopes', () => {
  it("lists the application's scopes beside the known list and marks the cached token's", async () => {
    const sandbox = await sandboxFor()
    await sandbox.run(['fluz', 'token', '--scopes', 'LIST_OFFERS,REVEAL_GIFTCARD'])
    emulator.clearRequests()

    const human = await sandbox.run(['fluz', 'scopes'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/✓\s+✓\s+LIST_OFFERS\s+view available merchants and offers/)
    expect(human.stdout).toMatch(/✓\s+·\s+PURCHASE_GIFTCARD\s+buy gift cards/)
    expect(human.stdout).toMatch(/·\s+·\s+MAKE_WIDTHDRAW/)
    expect(human.stdout).toContain('Cached token (valid')
    expect(fluzRequests(emulator)[0]!.headers.authorization).toBe(`Basic ${DEMO.fluz.apiKey}`)

    const result = JSON.parse((await sandbox.run(['fluz', 'scopes', '--json'])).stdout) as {
      applicationScopes: string[]
      cachedToken: {scopes: string[]} | null
      scopes: {scope: string; application: boolean; cachedToken: boolean; meaning: string | null}[]
    }
    expect(result.applicationScopes).toHaveLength(12)
    expect(result.applicationScopes).not.toContain('EDIT_VIRTUALCARD')
    expect(result.cachedToken?.scopes.sort()).toEqual(['LIST_OFFERS', 'REVEAL_GIFTCARD'])
    expect(result.scopes.find((row) => row.scope === 'EDIT_VIRTUALCARD')).toMatchObject({application: false, cachedToken: false})
    expect(result.scopes.find((row) => row.scope === 'REVEAL_GIFTCARD')).toMatchObject({application: true, cachedToken: true})
    expect(result.scopes.every((row) => row.meaning)).toBe(true)

    const quiet = await sandbox.run(['fluz', 'scopes', '-q'])
    expect(quiet.stdout.trim().split(',')).toEqual(result.applicationScopes)
  })
})
