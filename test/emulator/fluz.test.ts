import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {DEMO, emulatorUrls, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {GENERATE, REFRESH, claims, generateToken, gql, postJson, type UserToken} from './helpers.js'

const ALL_SCOPES = [
  'LIST_OFFERS',
  'PURCHASE_GIFTCARD',
  'REVEAL_GIFTCARD',
  'LIST_PURCHASES',
  'LIST_PAYMENT',
  'MANAGE_PAYMENT',
  'MAKE_DEPOSIT',
  'CREATE_VIRTUALCARD',
  'REVEAL_VIRTUALCARD',
  'EDIT_VIRTUALCARD',
  'REQUEST_VIRTUAL_CARD',
  'LIST_APPROVALS',
  'MANAGE_APPROVALS',
  'MAKE_WIDTHDRAW',
]

let e: Emulator
let urls: ReturnType<typeof emulatorUrls>
beforeAll(async () => {
  e = await startEmulator()
  urls = emulatorUrls(e.url)
})
afterAll(() => e.close())

const refresh = async (url: string, refreshToken: string) => (await gql(url, REFRESH, {refreshToken})).body.data?.refreshUserAccessToken as unknown as UserToken

describe('transport and API key', () => {
  it('answers marco with polo', async () => {
    const {status, body} = await gql(urls.fluz, 'query Marco { marco }')
    expect(status).toBe(200)
    expect(body).toEqual({data: {marco: 'polo'}})
  })

  it('answers 401 (plain HTTP) to a wrong API key, even for marco', async () => {
    const res = await postJson(urls.fluz, {query: '{ marco }'}, {authorization: 'Basic ZGVtb19hcHA6d3Jvbmc='})
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({error: 'unauthorized'})
  })

  it('does not accept a re-encoded API key', async () => {
    const reEncoded = `Basic ${Buffer.from(DEMO.fluz.apiKey).toString('base64')}`
    expect((await postJson(urls.fluz, {query: '{ marco }'}, {authorization: reEncoded})).status).toBe(401)
  })

  it('answers 401 to a Basic-auth operation without an API key', async () => {
    const res = await postJson(urls.fluz, {query: '{ getApplicationScopes }'})
    expect(res.status).toBe(401)
    const gen = await postJson(urls.fluz, {
      query: GENERATE,
      variables: {userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId, scopes: ['LIST_OFFERS']},
    })
    expect(gen.status).toBe(401)
  })

  it('rejects GET with 405', async () => {
    const res = await fetch(urls.fluz)
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST')
  })

  it('answers 400 with errors[] to a syntax error or a body that is not a GraphQL request', async () => {
    const syntax = await gql(urls.fluz, '{ marco ')
    expect(syntax.status).toBe(400)
    expect(syntax.body.errors?.[0]?.message).toMatch(/Syntax Error/)
    const notJson = await fetch(urls.fluz, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{'})
    expect(notJson.status).toBe(400)
    const noQuery = await postJson(urls.fluz, {variables: {}})
    expect(noQuery.status).toBe(400)
  })

  it('answers 200 with errors[] for an unknown field, a bad enum value and a bad UUID', async () => {
    const field = await gql(urls.fluz, '{ polo }')
    expect(field.status).toBe(200)
    expect(field.body.errors?.[0]?.message).toMatch(/Cannot query field "polo"/)
    const badEnum = await gql(urls.fluz, GENERATE, {userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId, scopes: ['MAKE_WITHDRAW']})
    expect(badEnum.status).toBe(200)
    expect(badEnum.body.errors?.[0]?.message).toMatch(/MAKE_WITHDRAW/)
    expect(badEnum.body.data).toBeUndefined()
    const badUuid = await gql(urls.fluz, GENERATE, {userId: 'not-a-uuid', accountId: DEMO.fluz.accountId, scopes: ['LIST_OFFERS']})
    expect(badUuid.status).toBe(200)
    expect(badUuid.body.errors?.[0]?.message).toMatch(/UUID/)
    const literal = await gql(
      urls.fluz,
      `mutation { generateUserAccessToken(userId: "nope", accountId: "${DEMO.fluz.accountId}", scopes: [LIST_OFFERS]) { token } }`,
    )
    expect(literal.body.errors?.[0]?.message).toMatch(/UUID/)
  })

  it('keeps the MAKE_WIDTHDRAW spelling in the ScopeType enum', async () => {
    const {body} = await gql(urls.fluz, '{ __type(name: "ScopeType") { enumValues { name } } }')
    const type = body.data?.__type as {enumValues: Array<{name: string}>} | undefined
    expect(type?.enumValues.map((v) => v.name).sort()).toEqual([...ALL_SCOPES].sort())
  })

  it('lists the application scopes: all but MAKE_WIDTHDRAW and EDIT_VIRTUALCARD', async () => {
    const {body} = await gql(urls.fluz, '{ getApplicationScopes }')
    const scopes = body.data?.getApplicationScopes as string[]
    expect(scopes).toHaveLength(ALL_SCOPES.length - 2)
    expect(scopes).not.toContain('MAKE_WIDTHDRAW')
    expect(scopes).not.toContain('EDIT_VIRTUALCARD')
  })
})

describe('generateUserAccessToken', () => {
  it('issues an RS256 JWT (as accessToken and token), an opaque refresh token and the scopes', async () => {
    const t = await generateToken(urls.fluzSandbox, ['LIST_OFFERS', 'LIST_PURCHASES'], {seatId: DEMO.fluz.seatId})
    expect(t.success).toBe(true)
    expect(t.error).toBeNull()
    expect(t.accessToken).toBe(t.token)
    expect(t.refreshToken).toMatch(/^rt_[0-9a-f]{32}$/)
    expect(t.scopes).toEqual(['LIST_OFFERS', 'LIST_PURCHASES'])
    const c = claims(t.accessToken ?? '')
    expect(c).toMatchObject({
      iss: `${e.url}/fluz/sandbox`,
      sub: DEMO.fluz.userId,
      account_id: DEMO.fluz.accountId,
      seat_id: DEMO.fluz.seatId,
      scopes: ['LIST_OFFERS', 'LIST_PURCHASES'],
      env: 'sandbox',
    })
    expect(Number(c.exp) - Number(c.iat)).toBe(600)
  })

  it('supports the documented selection { accessToken refreshToken scopes } alone', async () => {
    const q = `mutation g($userId: UUID!, $accountId: UUID!, $scopes: [ScopeType!]!) {
      generateUserAccessToken(userId: $userId, accountId: $accountId, scopes: $scopes) { accessToken refreshToken scopes } }`
    const {body} = await gql(urls.fluz, q, {userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId, scopes: ['LIST_OFFERS']})
    expect(Object.keys(body.data?.generateUserAccessToken as object).sort()).toEqual(['accessToken', 'refreshToken', 'scopes'])
  })

  it('issues 180 s tokens in production with a production issuer', async () => {
    const t = await generateToken(urls.fluzProduction, ['LIST_OFFERS'])
    const c = claims(t.token ?? '')
    expect(c).toMatchObject({iss: `${e.url}/fluz/production`, env: 'production'})
    expect(Number(c.exp) - Number(c.iat)).toBe(180)
  })

  it('reports an unknown user, account or seat in the payload as AUTH-0001', async () => {
    const other = '00000000-0000-4000-8000-000000000000'
    for (const extra of [{userId: other}, {accountId: other}, {seatId: other}]) {
      const t = await generateToken(urls.fluz, ['LIST_OFFERS'], extra)
      expect(t).toMatchObject({success: false, error: {code: 'AUTH-0001'}, accessToken: null, refreshToken: null})
    }
  })

  it('refuses scopes the application does not hold with a GraphQL error, not an invented AUTH code', async () => {
    const res = await gql(urls.fluz, GENERATE, {userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId, scopes: ['LIST_OFFERS', 'MAKE_WIDTHDRAW']})
    expect(res.body.errors?.[0]?.message).toBe('Application scope not granted: MAKE_WIDTHDRAW')
    expect(JSON.stringify(res.body)).not.toMatch(/AUTH-0026/)
  })
})

describe('refreshUserAccessToken', () => {
  it('rotates the refresh token: the new one works, the old one is AUTH-0008', async () => {
    const first = await generateToken(urls.fluz, ['LIST_OFFERS'])
    const second = await refresh(urls.fluz, first.refreshToken ?? '')
    expect(second.success).toBe(true)
    expect(second.scopes).toEqual(['LIST_OFFERS'])
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect(second.accessToken).not.toBe(first.accessToken)
    const reused = await refresh(urls.fluz, first.refreshToken ?? '')
    expect(reused).toMatchObject({success: false, error: {code: 'AUTH-0008', message: 'Invalid user access'}, accessToken: null})
    const third = await refresh(urls.fluz, second.refreshToken ?? '')
    expect(third.success).toBe(true)
  })

  it('refuses unknown refresh tokens and tokens of the other environment', async () => {
    expect(await refresh(urls.fluz, 'rt_unknown')).toMatchObject({error: {code: 'AUTH-0008'}})
    const prod = await generateToken(urls.fluzProduction, ['LIST_OFFERS'])
    expect(await refresh(urls.fluzSandbox, prod.refreshToken ?? '')).toMatchObject({error: {code: 'AUTH-0008'}})
  })

  it('needs the API key', async () => {
    const res = await postJson(urls.fluz, {query: REFRESH, variables: {refreshToken: 'rt_x'}})
    expect(res.status).toBe(401)
  })
})

describe('bearer-protected queries', () => {
  const OFFERS = '{ offers(first: 2) { success error { code message } totalCount offers { offerId merchantName } } }'
  const PURCHASES = '{ purchases { success error { code } purchases { purchaseId } } }'

  it('lists offers with a LIST_OFFERS token', async () => {
    const t = await generateToken(urls.fluz, ['LIST_OFFERS'])
    const {status, body} = await gql(urls.fluz, OFFERS, {}, `Bearer ${t.accessToken ?? ''}`)
    expect(status).toBe(200)
    const offers = body.data?.offers as {success: boolean; totalCount: number; offers: unknown[]}
    expect(offers.success).toBe(true)
    expect(offers.offers).toHaveLength(2)
    expect(offers.totalCount).toBe(3)
  })

  it('answers a GraphQL error when the token lacks the scope and AUTH-0008 without a token', async () => {
    const t = await generateToken(urls.fluz, ['LIST_OFFERS'])
    const noScope = await gql(urls.fluz, PURCHASES, {}, `Bearer ${t.accessToken ?? ''}`)
    expect(noScope.body.errors?.[0]?.message).toBe('Scope LIST_PURCHASES is not granted to this token')
    const none = await gql(urls.fluz, OFFERS, {}, undefined)
    expect(none.status).toBe(200)
    expect(none.body.data?.offers).toMatchObject({success: false, error: {code: 'AUTH-0008'}})
    const garbage = await gql(urls.fluz, OFFERS, {}, 'Bearer not.a.jwt')
    expect(garbage.body.data?.offers).toMatchObject({error: {code: 'AUTH-0008'}})
  })

  it('refuses a sandbox token on the production endpoint', async () => {
    const t = await generateToken(urls.fluzSandbox, ['LIST_OFFERS'])
    const res = await gql(urls.fluzProduction, OFFERS, {}, `Bearer ${t.accessToken ?? ''}`)
    expect(res.body.data?.offers).toMatchObject({error: {code: 'AUTH-0008'}})
  })

  it('lists purchases with a LIST_PURCHASES token', async () => {
    const t = await generateToken(urls.fluz, ['LIST_PURCHASES'])
    const res = await gql(urls.fluz, PURCHASES, {}, `Bearer ${t.accessToken ?? ''}`)
    expect(res.body.data?.purchases).toMatchObject({success: true})
  })
})

describe('environments and expiry', () => {
  let other: Emulator
  afterEach(() => other.close())

  it('serves production at /fluz/api/v1/graphql when fluzEnv is production', async () => {
    other = await startEmulator({fluzEnv: 'production'})
    const t = await generateToken(emulatorUrls(other.url).fluz, ['LIST_OFFERS'])
    expect(claims(t.accessToken ?? '')).toMatchObject({iss: `${other.url}/fluz/production`, env: 'production'})
  })

  it('expires user access tokens on the emulator clock (AUTH-0008), and refresh still works', async () => {
    other = await startEmulator()
    const url = emulatorUrls(other.url).fluz
    const t = await generateToken(url, ['LIST_OFFERS'])
    const q = '{ offers { success error { code message } } }'
    other.advanceClock(597)
    expect((await gql(url, q, {}, `Bearer ${t.accessToken ?? ''}`)).body.data?.offers).toMatchObject({success: true})
    other.advanceClock(4)
    const expired = (await gql(url, q, {}, `Bearer ${t.accessToken ?? ''}`)).body.data?.offers as unknown as UserToken
    expect(expired).toMatchObject({success: false, error: {code: 'AUTH-0008'}})
    expect(expired.error?.message).toMatch(/expired/)
    const fresh = await refresh(url, t.refreshToken ?? '')
    expect((await gql(url, q, {}, `Bearer ${fresh.accessToken ?? ''}`)).body.data?.offers).toMatchObject({success: true})
  })

  it('applies tokenTtlSeconds to Fluz tokens', async () => {
    other = await startEmulator({tokenTtlSeconds: 30})
    const t = await generateToken(emulatorUrls(other.url).fluz, ['LIST_OFFERS'])
    const c = claims(t.accessToken ?? '')
    expect(Number(c.exp) - Number(c.iat)).toBe(30)
  })
})
