import {randomUUID} from 'node:crypto'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {FT_BASIC, backendToken, basic, claims, createSession, jsonOf, pkcePair, postForm, postJson, publicToken} from './helpers.js'

const CREDS = {client_id: DEMO.funtrips.clientId, client_secret: DEMO.funtrips.clientSecret}

let e: Emulator
beforeAll(async () => {
  e = await startEmulator()
})
afterAll(() => e.close())

describe('client credentials (POST /funtrips/oauth/token)', () => {
  it('issues a backend bearer JWT with HTTP Basic and a form body', async () => {
    const res = await postForm(`${e.url}/funtrips/oauth/token`, {grant_type: 'client_credentials'}, {authorization: FT_BASIC})
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = await jsonOf<{access_token: string; token_type: string; expires_in: number; scope: string}>(res)
    expect(body).toMatchObject({token_type: 'Bearer', expires_in: 3600, scope: 'session:create admin:read'})
    expect(claims(body.access_token)).toMatchObject({
      iss: `${e.url}/funtrips`,
      sub: DEMO.funtrips.clientId,
      typ: 'backend',
      env: 'local',
      scope: 'session:create admin:read',
    })
  })

  it('accepts client_id/client_secret in a JSON body and narrows the scope', async () => {
    const res = await postJson(`${e.url}/funtrips/oauth/token`, {grant_type: 'client_credentials', scope: 'session:create', ...CREDS})
    expect(res.status).toBe(200)
    expect(await jsonOf(res)).toMatchObject({scope: 'session:create'})
  })

  it('rejects a wrong secret with 401 invalid_client and a Basic challenge', async () => {
    const res = await postForm(
      `${e.url}/funtrips/oauth/token`,
      {grant_type: 'client_credentials'},
      {
        authorization: basic(DEMO.funtrips.clientId, 'nope'),
      },
    )
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/)
    expect(await jsonOf(res)).toMatchObject({error: 'invalid_client'})
  })

  it('rejects missing client credentials with 401', async () => {
    const res = await postForm(`${e.url}/funtrips/oauth/token`, {grant_type: 'client_credentials'})
    expect(res.status).toBe(401)
    expect(await jsonOf(res)).toMatchObject({error: 'invalid_client'})
  })

  it('rejects another grant type with 400 unsupported_grant_type, and a missing one with invalid_request', async () => {
    const wrong = await postForm(`${e.url}/funtrips/oauth/token`, {grant_type: 'password'}, {authorization: FT_BASIC})
    expect(wrong.status).toBe(400)
    expect(await jsonOf(wrong)).toMatchObject({error: 'unsupported_grant_type'})
    const missing = await postForm(`${e.url}/funtrips/oauth/token`, {}, {authorization: FT_BASIC})
    expect(await jsonOf(missing)).toMatchObject({error: 'invalid_request'})
  })

  it('rejects an unknown scope with invalid_scope', async () => {
    const res = await postForm(`${e.url}/funtrips/oauth/token`, {grant_type: 'client_credentials', scope: 'root'}, {authorization: FT_BASIC})
    expect(res.status).toBe(400)
    expect(await jsonOf(res)).toMatchObject({error: 'invalid_scope'})
  })
})

describe('POST /funtrips/v1/session', () => {
  it('creates a headless session code that expires after 300 s', async () => {
    const before = Date.now()
    const s = await createSession(e, {integration: 'headless', campaign_id: 'spring', external_user_id: 'ada@example.com'})
    expect(s.session_code).toMatch(/^sc_[0-9a-f]{32}$/)
    expect(s.pkce_required).toBe(false)
    expect(s.frame_url).toBeUndefined()
    expect(s).toMatchObject({integration: 'headless', campaign_id: 'spring'})
    const ttl = (Date.parse(s.code_expires_at) - before) / 1000
    expect(ttl).toBeGreaterThan(295)
    expect(ttl).toBeLessThan(305)
  })

  it('returns a frame_url that already has a query string for webframe sessions', async () => {
    const s = await createSession(e, {integration: 'webframe'})
    expect(s.frame_url).toBe(`${e.url}/funtrips/frame?theme=light`)
  })

  it('sets pkce_required when a S256 challenge is sent', async () => {
    const s = await createSession(e, {integration: 'headless', code_challenge: pkcePair().challenge, code_challenge_method: 'S256'})
    expect(s.pkce_required).toBe(true)
  })

  it.each([
    [{}, 'validation-error'],
    [{integration: 'iframe', external_user_id: 'ada@example.com'}, 'validation-error'],
    [{integration: 'headless'}, 'validation-error'],
    [{integration: 'headless', external_user_id: ''}, 'validation-error'],
    [{integration: 'headless', external_user_id: 'ada@example.com', code_ttl: 59}, 'validation-error'],
    [{integration: 'headless', external_user_id: 'ada@example.com', code_ttl: 901}, 'validation-error'],
    [{integration: 'webframe', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256'}, 'pkce-not-supported'],
    [{integration: 'headless', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain'}, 'invalid-code-challenge'],
    [{integration: 'headless', code_challenge: 'short', code_challenge_method: 'S256'}, 'invalid-code-challenge'],
    [{integration: 'headless', code_challenge_method: 'S256'}, 'invalid-code-challenge'],
    [{integration: 'headless', external_user_id: 'x'.repeat(129)}, 'validation-error'],
  ])('rejects %j with a 400 %s problem', async (body, type) => {
    // Every case but the user checks carries a valid user, so each is refused for its own reason.
    const withUser = 'external_user_id' in body || Object.keys(body).length <= 1 ? body : {external_user_id: 'ada@example.com', ...body}
    const res = await postJson(`${e.url}/funtrips/v1/session`, withUser, {authorization: `Bearer ${await backendToken(e)}`})
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const p = await jsonOf(res)
    expect(p).toMatchObject({status: 400, type: `https://docs.funtrips.io/problems/${type}`})
    expect(typeof p.title).toBe('string')
    expect(typeof p.detail).toBe('string')
  })

  it('requires a backend bearer: none, garbage, or a public bearer → 401 problem', async () => {
    const url = `${e.url}/funtrips/v1/session`
    const none = await postJson(url, {integration: 'headless'})
    expect(none.status).toBe(401)
    expect(await jsonOf(none)).toMatchObject({type: 'https://docs.funtrips.io/problems/invalid-token'})
    const garbage = await postJson(url, {integration: 'headless'}, {authorization: 'Bearer abc.def.ghi'})
    expect(garbage.status).toBe(401)
    const pub = await postJson(url, {integration: 'headless'}, {authorization: `Bearer ${await publicToken(e)}`})
    expect(pub.status).toBe(401)
    expect(await jsonOf(pub)).toMatchObject({type: 'https://docs.funtrips.io/problems/wrong-token-type'})
  })

  it('needs the session:create scope (403 otherwise)', async () => {
    const token = await backendToken(e, 'admin:read')
    const res = await postJson(`${e.url}/funtrips/v1/session`, {integration: 'headless'}, {authorization: `Bearer ${token}`})
    expect(res.status).toBe(403)
    expect(await jsonOf(res)).toMatchObject({type: 'https://docs.funtrips.io/problems/insufficient-scope'})
  })

  it('replays the same answer for a repeated Idempotency-Key and refuses a different body', async () => {
    const auth = {authorization: `Bearer ${await backendToken(e)}`, 'idempotency-key': randomUUID()}
    const url = `${e.url}/funtrips/v1/session`
    const first = await jsonOf(await postJson(url, {integration: 'headless', external_user_id: 'ada@example.com'}, auth))
    const again = await postJson(url, {integration: 'headless', external_user_id: 'ada@example.com'}, auth)
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect((await jsonOf(again)).session_code).toBe(first.session_code)
    const other = await postJson(url, {integration: 'webframe', external_user_id: 'ada@example.com'}, auth)
    expect(other.status).toBe(422)
    const bad = await postJson(url, {integration: 'headless', external_user_id: 'ada@example.com'}, {...auth, 'idempotency-key': 'not-a-uuid'})
    expect(await jsonOf(bad)).toMatchObject({type: 'https://docs.funtrips.io/problems/invalid-idempotency-key'})
  })
})

describe('code exchange', () => {
  it.each([
    ['/funtrips/v1/session/token', 'session_code'],
    ['/funtrips/v1/oauth/token', 'code'],
  ])('exchanges a code at %s (field %s) for a public bearer', async (path, field) => {
    const s = await createSession(e, {integration: 'headless', external_user_id: 'grace@example.com', campaign_id: 'c1'})
    const res = await postForm(`${e.url}${path}`, {[field]: s.session_code, ...CREDS})
    expect(res.status).toBe(200)
    const body = await jsonOf<{access_token: string; token_type: string; expires_in: number}>(res)
    expect(body).toMatchObject({token_type: 'Bearer', expires_in: 3600})
    expect(claims(body.access_token)).toMatchObject({
      iss: `${e.url}/funtrips`,
      sub: 'grace@example.com',
      typ: 'public',
      env: 'local',
      campaign_id: 'c1',
    })
    expect(String(claims(body.access_token).scope)).toContain('public')
  })

  it("accepts HTTP Basic client auth; the subject is the session's external_user_id", async () => {
    const s = await createSession(e)
    const res = await postJson(`${e.url}/funtrips/v1/session/token`, {session_code: s.session_code}, {authorization: FT_BASIC})
    expect(res.status).toBe(200)
    expect(claims((await jsonOf<{access_token: string}>(res)).access_token).sub).toBe('ada@example.com')
  })

  it("refuses the other part of the guide's field by name (400), without spending the code", async () => {
    const s = await createSession(e)
    const wrongField = await postForm(`${e.url}/funtrips/v1/session/token`, {code: s.session_code, ...CREDS})
    expect(wrongField.status).toBe(400)
    expect(JSON.stringify(await jsonOf(wrongField))).toContain('session_code')
    const other = await postForm(`${e.url}/funtrips/v1/oauth/token`, {session_code: s.session_code, ...CREDS})
    expect(other.status).toBe(400)
    expect((await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: s.session_code, ...CREDS})).status).toBe(200)
  })

  it('honours a requested code lifetime (code_ttl) within 60–900 s', async () => {
    const before = Date.now()
    const s = await createSession(e, {integration: 'headless', code_ttl: 120})
    const left = (Date.parse(s.code_expires_at) - before) / 1000
    expect(left).toBeGreaterThan(115)
    expect(left).toBeLessThan(125)
  })

  it('is single-use: the second exchange gets code-already-used', async () => {
    const s = await createSession(e)
    expect((await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: s.session_code, ...CREDS})).status).toBe(200)
    const again = await postForm(`${e.url}/funtrips/v1/oauth/token`, {code: s.session_code, ...CREDS})
    expect(again.status).toBe(400)
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await jsonOf(again)).toMatchObject({type: 'https://docs.funtrips.io/problems/code-already-used', status: 400})
  })

  it('reports an unknown code as code-unknown and a missing code as a validation error naming the field', async () => {
    const unknown = await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: 'sc_nope', ...CREDS})
    expect(await jsonOf(unknown)).toMatchObject({type: 'https://docs.funtrips.io/problems/code-unknown'})
    const missing = await postForm(`${e.url}/funtrips/v1/session/token`, {...CREDS})
    expect(await jsonOf(missing)).toMatchObject({type: 'https://docs.funtrips.io/problems/validation-error', detail: 'session_code is required'})
  })

  it('rejects a bad client with 401 invalid-client and does not burn the code', async () => {
    const s = await createSession(e)
    const bad = await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: s.session_code, client_id: DEMO.funtrips.clientId, client_secret: 'x'})
    expect(bad.status).toBe(401)
    expect(await jsonOf(bad)).toMatchObject({type: 'https://docs.funtrips.io/problems/invalid-client', status: 401})
    expect((await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: s.session_code, ...CREDS})).status).toBe(200)
  })

  it('checks the PKCE verifier (S256) and burns the code at the first attempt', async () => {
    const {verifier, challenge} = pkcePair()
    const s1 = await createSession(e, {integration: 'headless', code_challenge: challenge, code_challenge_method: 'S256'})
    const missing = await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: s1.session_code, ...CREDS})
    expect(missing.status).toBe(400)
    expect(await jsonOf(missing)).toMatchObject({type: 'https://docs.funtrips.io/problems/invalid-code-verifier'})
    const retried = await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: s1.session_code, code_verifier: verifier, ...CREDS})
    expect(await jsonOf(retried)).toMatchObject({type: 'https://docs.funtrips.io/problems/code-already-used'})

    const s2 = await createSession(e, {integration: 'headless', code_challenge: challenge, code_challenge_method: 'S256'})
    const wrong = await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: s2.session_code, code_verifier: pkcePair().verifier, ...CREDS})
    expect(await jsonOf(wrong)).toMatchObject({type: 'https://docs.funtrips.io/problems/invalid-code-verifier'})

    const s3 = await createSession(e, {integration: 'headless', code_challenge: challenge, code_challenge_method: 'S256'})
    const good = await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: s3.session_code, code_verifier: verifier, ...CREDS})
    expect(good.status).toBe(200)
  })

  it('answers 404 on a disabled exchange path', async () => {
    const only = await startEmulator({funtripsExchangePaths: ['oauth']})
    try {
      const s = await createSession(only)
      const disabled = await postForm(`${only.url}/funtrips/v1/session/token`, {session_code: s.session_code, ...CREDS})
      expect(disabled.status).toBe(404)
      const enabled = await postForm(`${only.url}/funtrips/v1/oauth/token`, {code: s.session_code, ...CREDS})
      expect(enabled.status).toBe(200)
    } finally {
      await only.close()
    }
  })
})

describe('expiry on the emulator clock', () => {
  let clocked: Emulator
  afterEach(() => clocked.close())

  it('expires session codes after codeTtlSeconds with code-expired and expired_at', async () => {
    clocked = await startEmulator({codeTtlSeconds: 60})
    const s = await createSession(clocked)
    clocked.advanceClock(61)
    const res = await postForm(`${clocked.url}/funtrips/v1/session/token`, {session_code: s.session_code, ...CREDS})
    expect(res.status).toBe(400)
    expect(await jsonOf(res)).toMatchObject({type: 'https://docs.funtrips.io/problems/code-expired', expired_at: s.code_expires_at})
  })

  it('keeps a code valid just before its expiry', async () => {
    clocked = await startEmulator()
    const s = await createSession(clocked)
    clocked.advanceClock(298)
    expect((await postForm(`${clocked.url}/funtrips/v1/session/token`, {session_code: s.session_code, ...CREDS})).status).toBe(200)
  })

  it('rejects an expired public bearer with 401 token-expired', async () => {
    clocked = await startEmulator({tokenTtlSeconds: 5})
    const token = await publicToken(clocked)
    expect((await fetch(`${clocked.url}/funtrips/v1/merchants`, {headers: {authorization: `Bearer ${token}`}})).status).toBe(200)
    clocked.advanceClock(6)
    const res = await fetch(`${clocked.url}/funtrips/v1/merchants`, {headers: {authorization: `Bearer ${token}`}})
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('invalid_token')
    expect(await jsonOf(res)).toMatchObject({type: 'https://docs.funtrips.io/problems/token-expired'})
  })
})

describe('webframe (GET /funtrips/frame)', () => {
  it('redeems the code and shows who is signed in, then refuses it a second time', async () => {
    const s = await createSession(e, {integration: 'webframe', external_user_id: 'frame<user>@example.com'})
    const url = new URL(s.frame_url ?? '')
    url.searchParams.set('session_code', s.session_code)
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const page = await res.text()
    expect(page).toContain('Signed in as')
    expect(page).toContain('frame&#60;user&#62;@example.com')
    expect(page).toMatch(/Session valid until <time datetime="\d{4}-/)
    const again = await fetch(url)
    expect(again.status).toBe(400)
    expect(await again.text()).toContain('already used')
    const exchange = await postForm(`${e.url}/funtrips/v1/session/token`, {session_code: s.session_code, ...CREDS})
    expect(await jsonOf(exchange)).toMatchObject({type: 'https://docs.funtrips.io/problems/code-already-used'})
  })

  it('shows a 400 error page for a missing or unknown code', async () => {
    expect((await fetch(`${e.url}/funtrips/frame?theme=dark`)).status).toBe(400)
    const res = await fetch(`${e.url}/funtrips/frame?session_code=sc_unknown`)
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Unknown session code')
  })
})

describe('content API with the public bearer', () => {
  let auth: {authorization: string}
  beforeAll(async () => {
    auth = {authorization: `Bearer ${await publicToken(e, 'buyer@example.com')}`}
  })

  it('lists merchants and a merchant’s products', async () => {
    const merchants = await jsonOf<{data: Array<{id: string}>}>(await fetch(`${e.url}/funtrips/v1/merchants`, {headers: auth}))
    expect(merchants.data.map((m) => m.id)).toContain('mer_aquapark')
    const products = await fetch(`${e.url}/funtrips/v1/merchants/mer_aquapark/products`, {headers: auth})
    expect(products.status).toBe(200)
    const p = await jsonOf<{data: Array<{merchant_id: string}>}>(products)
    expect(p.data.length).toBeGreaterThan(0)
    expect(p.data.every((x) => x.merchant_id === 'mer_aquapark')).toBe(true)
    const unknown = await fetch(`${e.url}/funtrips/v1/merchants/mer_nope/products`, {headers: auth})
    expect(unknown.status).toBe(404)
  })

  it('refuses a backend bearer and a missing bearer with 401 problems', async () => {
    const backend = await fetch(`${e.url}/funtrips/v1/merchants`, {headers: {authorization: `Bearer ${await backendToken(e)}`}})
    expect(backend.status).toBe(401)
    expect(await jsonOf(backend)).toMatchObject({type: 'https://docs.funtrips.io/problems/wrong-token-type'})
    const none = await fetch(`${e.url}/funtrips/v1/wallet/me/balance`)
    expect(none.status).toBe(401)
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  })

  it('creates a checkout, polls 202 twice with Retry-After, then gets tickets', async () => {
    const res = await postJson(`${e.url}/funtrips/v1/merchants/mer_zoo/checkouts`, {product_id: 'prd_zoo_adult', quantity: 2}, auth)
    expect(res.status).toBe(201)
    const checkout = await jsonOf<{id: string; status: string; total: {amount: number}}>(res)
    expect(checkout).toMatchObject({status: 'pending', total: {amount: 4390}})
    const poll = () => fetch(`${e.url}/funtrips/v1/checkouts/${checkout.id}/fulfillment`, {headers: auth})
    for (let i = 0; i < 2; i++) {
      const p = await poll()
      expect(p.status).toBe(202)
      expect(p.headers.get('retry-after')).toBe('1')
    }
    const done = await poll()
    expect(done.status).toBe(200)
    const f = await jsonOf<{status: string; tickets: unknown[]}>(done)
    expect(f.status).toBe('fulfilled')
    expect(f.tickets).toHaveLength(2)

    const mine = await jsonOf<{data: Array<{checkout_id: string}>}>(await fetch(`${e.url}/funtrips/v1/me/fulfillments`, {headers: auth}))
    expect(mine.data.map((x) => x.checkout_id)).toContain(checkout.id)

    const other = {authorization: `Bearer ${await publicToken(e, 'someone-else@example.com')}`}
    expect((await fetch(`${e.url}/funtrips/v1/checkouts/${checkout.id}/fulfillment`, {headers: other})).status).toBe(404)
    const theirs = await jsonOf<{data: unknown[]}>(await fetch(`${e.url}/funtrips/v1/me/fulfillments`, {headers: other}))
    expect(theirs.data).toEqual([])

    const admin = await fetch(`${e.url}/funtrips/v1/admin/fulfillments`, {headers: {authorization: `Bearer ${await backendToken(e)}`}})
    expect(admin.status).toBe(200)
    const all = await jsonOf<{data: Array<{checkout_id: string; user: string}>}>(admin)
    expect(all.data).toContainEqual(expect.objectContaining({checkout_id: checkout.id, user: 'buyer@example.com'}))
  })

  it('validates checkout bodies', async () => {
    const wrongProduct = await postJson(`${e.url}/funtrips/v1/merchants/mer_zoo/checkouts`, {product_id: 'prd_aqua_day'}, auth)
    expect(wrongProduct.status).toBe(400)
    const badQty = await postJson(`${e.url}/funtrips/v1/merchants/mer_zoo/checkouts`, {product_id: 'prd_zoo_adult', quantity: 0}, auth)
    expect(await jsonOf(badQty)).toMatchObject({type: 'https://docs.funtrips.io/problems/validation-error'})
    const noMerchant = await postJson(`${e.url}/funtrips/v1/merchants/mer_nope/checkouts`, {product_id: 'prd_zoo_adult'}, auth)
    expect(noMerchant.status).toBe(404)
  })

  it('admin endpoint refuses the public bearer', async () => {
    const res = await fetch(`${e.url}/funtrips/v1/admin/fulfillments`, {headers: auth})
    expect(res.status).toBe(401)
  })

  it('serves the wallet balance and pages through transactions', async () => {
    const balance = await jsonOf(await fetch(`${e.url}/funtrips/v1/wallet/me/balance`, {headers: auth}))
    expect(balance).toMatchObject({balance: {amount: 2500, currency: 'EUR'}})
    const page1 = await jsonOf<{data: Array<{id: string}>; pagination: {next_token: string | null}}>(
      await fetch(`${e.url}/funtrips/v1/wallet/me/transactions?limit=3`, {headers: auth}),
    )
    expect(page1.data.map((t) => t.id)).toEqual(['wtx_001', 'wtx_002', 'wtx_003'])
    expect(page1.pagination.next_token).toEqual(expect.any(String))
    const page2 = await jsonOf<{data: Array<{id: string}>; pagination: {next_token: string | null}}>(
      await fetch(`${e.url}/funtrips/v1/wallet/me/transactions?limit=3&next_token=${page1.pagination.next_token ?? ''}`, {headers: auth}),
    )
    expect(page2.data.map((t) => t.id)).toEqual(['wtx_004', 'wtx_005'])
    expect(page2.pagination.next_token).toBeNull()
    expect((await fetch(`${e.url}/funtrips/v1/wallet/me/transactions?limit=0`, {headers: auth})).status).toBe(400)
  })
})
