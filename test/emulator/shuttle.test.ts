import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {REDIRECT, SH_BASIC, authorizeUrl, basic, claims, jsonOf, pkcePair, postForm, postJson, shuttleCode, shuttleTokens} from './helpers.js'

const BODY_CREDS = {client_id: DEMO.shuttle.clientId, client_secret: DEMO.shuttle.clientSecret}

let e: Emulator
beforeAll(async () => {
  // The helpers' REDIRECT and the https one are registered; everything else is refused.
  e = await startEmulator({shuttleRedirects: [REDIRECT, 'https://example.com/callback']})
})
afterAll(() => e.close())

function location(res: Response): URL {
  expect(res.status).toBe(302)
  return new URL(res.headers.get('location') ?? '')
}

async function consentRequestId(res: Response): Promise<string> {
  expect(res.status).toBe(200)
  const page = await res.text()
  expect(page).toContain('value="approve"')
  expect(page).toContain('value="deny"')
  const id = /name="request_id" value="([^"]+)"/.exec(page)?.[1]
  if (!id) throw new Error('no request_id on the consent page')
  return id
}

const decide = (requestId: string, decision: string) =>
  fetch(`${e.url}/shuttle/authorize/decision`, {
    method: 'POST',
    redirect: 'manual',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({request_id: requestId, decision}).toString(),
  })

describe('consent (GET /shuttle/authorize)', () => {
  it('shows a consent page; Approve redirects back with code and state', async () => {
    const id = await consentRequestId(await fetch(authorizeUrl(e), {redirect: 'manual'}))
    const back = location(await decide(id, 'approve'))
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
    expect(back.searchParams.get('state')).toBe('st4te')
    expect(back.searchParams.get('code')).toMatch(/^ac_[0-9a-f]{32}$/)
    // The consent request is single-use.
    expect((await decide(id, 'approve')).status).toBe(400)
  })

  it('Deny redirects back with error=access_denied and the state', async () => {
    const id = await consentRequestId(await fetch(authorizeUrl(e, {redirect_uri: REDIRECT, redirect_url: REDIRECT}), {redirect: 'manual'}))
    const back = location(await decide(id, 'deny'))
    expect(back.searchParams.get('error')).toBe('access_denied')
    expect(back.searchParams.get('state')).toBe('st4te')
    expect(back.searchParams.has('code')).toBe(false)
  })

  it('auto-approves with ?auto_approve=1 and with the autoApprove option', async () => {
    expect(location(await fetch(authorizeUrl(e, {auto_approve: '1'}), {redirect: 'manual'})).searchParams.get('code')).toBeTruthy()
    const auto = await startEmulator({autoApprove: true, shuttleRedirects: ['http://localhost:8080/x?keep=1']})
    try {
      const back = location(await fetch(authorizeUrl(auto, {redirect_url: 'http://localhost:8080/x?keep=1'}), {redirect: 'manual'}))
      expect(back.searchParams.get('code')).toBeTruthy()
      expect(back.searchParams.get('keep')).toBe('1')
    } finally {
      await auto.close()
    }
  })

  it.each([
    ['unknown client', {client_id: 'evil'}],
    ['unregistered redirect', {redirect_url: 'https://evil.example/cb'}],
    ['non-loopback http redirect', {redirect_url: 'http://example.com/callback'}],
    ['disagreeing redirect_uri/redirect_url', {redirect_uri: 'http://127.0.0.1:1/a'}],
  ])('shows a 400 error page and does not redirect for an %s', async (_name, params) => {
    const res = await fetch(authorizeUrl(e, params), {redirect: 'manual'})
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
  })

  it('accepts exactly the registered redirects; another loopback port only with shuttleLoopbackAnyPort', async () => {
    for (const redirect of [REDIRECT, 'https://example.com/callback']) {
      const res = await fetch(authorizeUrl(e, {redirect_url: redirect, auto_approve: '1'}), {redirect: 'manual'})
      expect(res.status, redirect).toBe(302)
    }
    const otherPort = new URL(REDIRECT)
    otherPort.port = String(Number(otherPort.port) + 1)
    for (const redirect of [otherPort.toString(), `${REDIRECT}/more`]) {
      const res = await fetch(authorizeUrl(e, {redirect_url: redirect, auto_approve: '1'}), {redirect: 'manual'})
      expect(res.status, redirect).toBe(400)
      expect(await res.text()).toContain('is not registered for this client')
    }
    const anyPort = await startEmulator({shuttleRedirects: [REDIRECT], shuttleLoopbackAnyPort: true})
    try {
      const res = await fetch(authorizeUrl(anyPort, {redirect_url: otherPort.toString(), auto_approve: '1'}), {redirect: 'manual'})
      expect(res.status).toBe(302)
      const wrongPath = await fetch(authorizeUrl(anyPort, {redirect_url: `${otherPort.origin}/elsewhere`, auto_approve: '1'}), {redirect: 'manual'})
      expect(wrongPath.status).toBe(400)
    } finally {
      await anyPort.close()
    }
  })

  it("by default registers ftauth's default redirect only", async () => {
    const plain = await startEmulator()
    try {
      const ok = await fetch(
        authorizeUrl(plain, {redirect_url: 'http://127.0.0.1:8765/callback', redirect_uri: 'http://127.0.0.1:8765/callback', auto_approve: '1'}),
        {redirect: 'manual'},
      )
      expect(ok.status).toBe(302)
      const other = await fetch(
        authorizeUrl(plain, {redirect_url: 'http://127.0.0.1:8766/callback', redirect_uri: 'http://127.0.0.1:8766/callback', auto_approve: '1'}),
        {redirect: 'manual'},
      )
      expect(other.status).toBe(400)
    } finally {
      await plain.close()
    }
  })

  it.each([
    [{response_type: 'token'}, 'unsupported_response_type'],
    [{scope: 'admin'}, 'invalid_scope'],
    [{code_challenge: 'x'.repeat(43), code_challenge_method: 'plain'}, 'invalid_request'],
    [{code_challenge_method: 'S256'}, 'invalid_request'],
  ])('redirects errors for a valid client and redirect: %j → %s', async (params, error) => {
    const back = location(await fetch(authorizeUrl(e, params), {redirect: 'manual'}))
    expect(back.searchParams.get('error')).toBe(error)
    expect(back.searchParams.get('state')).toBe('st4te')
  })

  it('escapes what it echoes on the consent page', async () => {
    const res = await fetch(authorizeUrl(e, {redirect_url: 'http://127.0.0.1:9/<script>'}), {redirect: 'manual'})
    expect(await res.text()).not.toContain('<script>')
  })
})

describe('POST /shuttle/token: authorization_code', () => {
  it('exchanges a code (form, HTTP Basic) for a 1 h JWT, a refresh token, the scope and the instance', async () => {
    const code = await shuttleCode(e)
    const res = await postForm(`${e.url}/shuttle/token`, {grant_type: 'authorization_code', code, redirect_uri: REDIRECT}, {authorization: SH_BASIC})
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const t = await jsonOf<Record<string, unknown>>(res)
    expect(t).toMatchObject({token_type: 'Bearer', expires_in: 3600, scope: 'read write', instance_id: expect.stringMatching(/^inst_/)})
    expect(String(t.refresh_token)).toMatch(/^rt_/)
    expect(claims(String(t.access_token))).toMatchObject({
      iss: `${e.url}/shuttle`,
      instance_id: t.instance_id,
      scope: 'read write',
      client_id: DEMO.shuttle.clientId,
      env: 'local',
    })
  })

  it('accepts body client credentials and JSON, and redirect_url as the parameter name', async () => {
    const code = await shuttleCode(e)
    const res = await postJson(`${e.url}/shuttle/token`, {grant_type: 'authorization_code', code, redirect_url: REDIRECT, ...BODY_CREDS})
    expect(res.status).toBe(200)
  })

  it('lets HTTP Basic win over body credentials', async () => {
    const code = await shuttleCode(e)
    const wrongBasic = await postForm(
      `${e.url}/shuttle/token`,
      {grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...BODY_CREDS},
      {authorization: basic(DEMO.shuttle.clientId, 'wrong')},
    )
    expect(wrongBasic.status).toBe(401)
    expect(wrongBasic.headers.get('www-authenticate')).toMatch(/^Basic/)
    expect(await jsonOf(wrongBasic)).toMatchObject({error: 'invalid_client'})
    const goodBasic = await postForm(
      `${e.url}/shuttle/token`,
      {grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: DEMO.shuttle.clientId, client_secret: 'wrong'},
      {authorization: SH_BASIC},
    )
    expect(goodBasic.status).toBe(200)
  })

  it('is single-use, and a replay revokes the tokens issued from the code', async () => {
    const code = await shuttleCode(e)
    const params = {grant_type: 'authorization_code', code, redirect_uri: REDIRECT}
    const first = await jsonOf<{access_token: string; refresh_token: string}>(await postForm(`${e.url}/shuttle/token`, params, {authorization: SH_BASIC}))
    const replay = await postForm(`${e.url}/shuttle/token`, params, {authorization: SH_BASIC})
    expect(replay.status).toBe(400)
    expect(await jsonOf(replay)).toMatchObject({error: 'invalid_grant'})
    const api = await fetch(`${e.url}/shuttle/c/api/payment_links`, {headers: {authorization: `Bearer ${first.access_token}`}})
    expect(api.status).toBe(401)
    const refreshed = await postForm(`${e.url}/shuttle/token`, {grant_type: 'refresh_token', refresh_token: first.refresh_token}, {authorization: SH_BASIC})
    expect(await jsonOf(refreshed)).toMatchObject({error: 'invalid_grant'})
  })

  it.each([
    ['unknown code', {code: 'ac_nope', redirect_uri: REDIRECT}, 'invalid_grant'],
    ['redirect mismatch', {redirect_uri: 'http://127.0.0.1:1/other'}, 'invalid_grant'],
    ['missing code', {code: ''}, 'invalid_request'],
  ])('rejects %s', async (_name, override, error) => {
    const code = await shuttleCode(e)
    const res = await postForm(
      `${e.url}/shuttle/token`,
      {grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...override},
      {authorization: SH_BASIC},
    )
    expect(res.status).toBe(400)
    expect(await jsonOf(res)).toMatchObject({error})
  })

  it('rejects unknown grant types and missing client auth', async () => {
    const grant = await postForm(`${e.url}/shuttle/token`, {grant_type: 'client_credentials'}, {authorization: SH_BASIC})
    expect(grant.status).toBe(400)
    expect(await jsonOf(grant)).toMatchObject({error: 'unsupported_grant_type'})
    const noClient = await postForm(`${e.url}/shuttle/token`, {grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT})
    expect(noClient.status).toBe(401)
    expect(noClient.headers.get('www-authenticate')).toBeNull()
    const noGrant = await postForm(`${e.url}/shuttle/token`, {}, {authorization: SH_BASIC})
    expect(await jsonOf(noGrant)).toMatchObject({error: 'invalid_request'})
  })

  it('checks PKCE (S256): missing or wrong verifier → invalid_grant, right one → tokens', async () => {
    const {verifier, challenge} = pkcePair()
    const pkce = {code_challenge: challenge, code_challenge_method: 'S256'}
    const exchange = async (extra: Record<string, string>) =>
      postForm(
        `${e.url}/shuttle/token`,
        {grant_type: 'authorization_code', code: await shuttleCode(e, pkce), redirect_uri: REDIRECT, ...extra},
        {
          authorization: SH_BASIC,
        },
      )
    expect(await jsonOf(await exchange({}))).toMatchObject({error: 'invalid_grant'})
    expect(await jsonOf(await exchange({code_verifier: pkcePair().verifier}))).toMatchObject({error: 'invalid_grant'})
    expect((await exchange({code_verifier: verifier})).status).toBe(200)
  })
})

describe('refresh_token grant', () => {
  it('returns a new access token and keeps the same refresh token (no rotation)', async () => {
    const t = await shuttleTokens(e)
    const refresh = () => postForm(`${e.url}/shuttle/token`, {grant_type: 'refresh_token', refresh_token: t.refresh_token}, {authorization: SH_BASIC})
    const r1 = await jsonOf<Record<string, unknown>>(await refresh())
    expect(r1).toMatchObject({token_type: 'Bearer', expires_in: 3600, scope: 'read write', instance_id: t.instance_id})
    expect(r1.access_token).not.toBe(t.access_token)
    expect(r1.refresh_token).toBeUndefined()
    expect((await refresh()).status).toBe(200)
  })

  it('can narrow the scope but not widen it', async () => {
    const t = await shuttleTokens(e, {scope: 'read'})
    const narrowed = await postForm(
      `${e.url}/shuttle/token`,
      {grant_type: 'refresh_token', refresh_token: t.refresh_token, scope: 'read write'},
      {authorization: SH_BASIC},
    )
    expect(await jsonOf(narrowed)).toMatchObject({error: 'invalid_scope'})
  })

  it('rotates when shuttleRotateRefresh is set: the old refresh token stops working', async () => {
    const rot = await startEmulator({shuttleRotateRefresh: true})
    try {
      const t = await shuttleTokens(rot)
      const refresh = (rt: string) => postForm(`${rot.url}/shuttle/token`, {grant_type: 'refresh_token', refresh_token: rt}, {authorization: SH_BASIC})
      const r1 = await jsonOf<{refresh_token: string}>(await refresh(t.refresh_token))
      expect(r1.refresh_token).toMatch(/^rt_/)
      expect(r1.refresh_token).not.toBe(t.refresh_token)
      const old = await refresh(t.refresh_token)
      expect(old.status).toBe(400)
      expect(await jsonOf(old)).toMatchObject({error: 'invalid_grant'})
      expect((await refresh(r1.refresh_token)).status).toBe(200)
    } finally {
      await rot.close()
    }
  })
})

describe('expiry', () => {
  let clocked: Emulator
  afterEach(() => clocked.close())

  it('expires authorization codes after 15 minutes', async () => {
    clocked = await startEmulator()
    const code = await shuttleCode(clocked)
    clocked.advanceClock(901)
    const res = await postForm(`${clocked.url}/shuttle/token`, {grant_type: 'authorization_code', code, redirect_uri: REDIRECT}, {authorization: SH_BASIC})
    expect(res.status).toBe(400)
    expect(await jsonOf(res)).toMatchObject({error: 'invalid_grant', error_description: expect.stringContaining('expired')})
  })

  it('expires access tokens after an hour; the refresh token still works', async () => {
    clocked = await startEmulator()
    const t = await shuttleTokens(clocked)
    clocked.advanceClock(3601)
    const api = await fetch(`${clocked.url}/shuttle/c/api/payment_links`, {headers: {authorization: `Bearer ${t.access_token}`}})
    expect(api.status).toBe(401)
    expect(await jsonOf(api)).toMatchObject({error: 'invalid_token', error_description: expect.stringContaining('expired')})
    const r = await postForm(`${clocked.url}/shuttle/token`, {grant_type: 'refresh_token', refresh_token: t.refresh_token}, {authorization: SH_BASIC})
    expect(r.status).toBe(200)
  })
})

describe('POST /shuttle/revoke', () => {
  const revoke = (token: string, headers: Record<string, string> = {authorization: SH_BASIC}, extra: Record<string, string> = {}) =>
    postForm(`${e.url}/shuttle/revoke`, {token, ...extra}, headers)
  const links = (token: string) => fetch(`${e.url}/shuttle/c/api/payment_links`, {headers: {authorization: `Bearer ${token}`}})

  it('revoking a refresh token kills it and its access tokens', async () => {
    const t = await shuttleTokens(e)
    expect((await links(t.access_token)).status).toBe(200)
    const res = await revoke(t.refresh_token, {authorization: SH_BASIC}, {token_type_hint: 'refresh_token'})
    expect(res.status).toBe(200)
    expect(await jsonOf(res)).toEqual({})
    expect((await links(t.access_token)).status).toBe(401)
    const r = await postForm(`${e.url}/shuttle/token`, {grant_type: 'refresh_token', refresh_token: t.refresh_token}, {authorization: SH_BASIC})
    expect(await jsonOf(r)).toMatchObject({error: 'invalid_grant'})
  })

  it('revoking an access token kills only that token', async () => {
    const t = await shuttleTokens(e)
    expect((await revoke(t.access_token, {'content-type': 'application/x-www-form-urlencoded'}, BODY_CREDS)).status).toBe(200)
    const api = await links(t.access_token)
    expect(api.status).toBe(401)
    expect(await jsonOf(api)).toMatchObject({error_description: expect.stringContaining('revoked')})
    const r = await postForm(`${e.url}/shuttle/token`, {grant_type: 'refresh_token', refresh_token: t.refresh_token}, {authorization: SH_BASIC})
    expect(r.status).toBe(200)
  })

  it('answers 200 for an unknown but well-formed token, 400 for a malformed one, 401 for a bad client', async () => {
    expect((await revoke('rt_0000')).status).toBe(200)
    const malformed = await revoke('not a token!')
    expect(malformed.status).toBe(400)
    expect(await jsonOf(malformed)).toMatchObject({error: 'invalid_request'})
    expect((await postForm(`${e.url}/shuttle/revoke`, {}, {authorization: SH_BASIC})).status).toBe(400)
    const badClient = await revoke('rt_0000', {authorization: basic(DEMO.shuttle.clientId, 'nope')})
    expect(badClient.status).toBe(401)
    expect(await jsonOf(badClient)).toMatchObject({error: 'invalid_client'})
  })
})

describe('payment links API', () => {
  let auth: Record<string, string>
  beforeAll(async () => {
    auth = {authorization: `Bearer ${(await shuttleTokens(e)).access_token}`}
  })
  const url = (suffix = '') => `${e.url}/shuttle/c/api/payment_links${suffix}`

  it('lists the seeded links', async () => {
    const res = await fetch(url(), {headers: auth})
    expect(res.status).toBe(200)
    const body = await jsonOf<{data: Array<{id: string}>}>(res)
    expect(body.data.map((l) => l.id)).toEqual(expect.arrayContaining(['pl_seed_deposit', 'pl_seed_balance']))
  })

  it('creates, reads, updates and deletes a link', async () => {
    const created = await postJson(url(), {amount: 1999, currency: 'GBP', description: 'Test'}, auth)
    expect(created.status).toBe(201)
    const link = await jsonOf<{id: string; status: string}>(created)
    expect(link).toMatchObject({amount: 1999, currency: 'GBP', status: 'active'})
    expect((await jsonOf(await fetch(url(`/${link.id}`), {headers: auth}))).description).toBe('Test')
    const put = await fetch(url(`/${link.id}`), {
      method: 'PUT',
      headers: {...auth, 'content-type': 'application/json'},
      body: JSON.stringify({status: 'inactive', amount: 2500}),
    })
    expect(put.status).toBe(200)
    expect(await jsonOf(put)).toMatchObject({status: 'inactive', amount: 2500, description: 'Test'})
    expect((await fetch(url(`/${link.id}`), {method: 'DELETE', headers: auth})).status).toBe(204)
    expect((await fetch(url(`/${link.id}`), {headers: auth})).status).toBe(404)
  })

  it('validates bodies and answers 404 for unknown ids', async () => {
    const bad = await postJson(url(), {amount: -1, currency: 'pounds'}, auth)
    expect(bad.status).toBe(400)
    expect(await jsonOf(bad)).toMatchObject({error: 'invalid_request'})
    const unknownField = await fetch(url('/pl_seed_deposit'), {
      method: 'PUT',
      headers: {...auth, 'content-type': 'application/json'},
      body: JSON.stringify({colour: 'red'}),
    })
    expect(unknownField.status).toBe(400)
    expect((await fetch(url('/pl_nope'), {headers: auth})).status).toBe(404)
    expect((await fetch(url('/pl_nope'), {method: 'DELETE', headers: auth})).status).toBe(404)
  })

  it('needs a valid bearer (401 JSON with a Bearer challenge)', async () => {
    const none = await fetch(url())
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(await jsonOf(none)).toMatchObject({error: 'invalid_token'})
    expect((await fetch(url(), {headers: {authorization: 'Bearer eyJ.eyJ.sig'}})).status).toBe(401)
  })

  it('needs the write scope to change links (403 with a read-only token)', async () => {
    const readOnly = {authorization: `Bearer ${(await shuttleTokens(e, {scope: 'read'})).access_token}`}
    expect((await fetch(url(), {headers: readOnly})).status).toBe(200)
    const res = await postJson(url(), {amount: 100, currency: 'GBP'}, readOnly)
    expect(res.status).toBe(403)
    expect(await jsonOf(res)).toMatchObject({error: 'insufficient_scope'})
  })
})
