// Contract tests: each documented example (test/contract/examples.ts) is replayed three ways —
// the request ftauth sends matches it field by field (method, path, headers, body fields; seen in
// the emulator's request log), the documented response parses with the client's own schema, and
// the emulator answers the documented request as the docs show.
import {parse, print, type FieldNode, type OperationDefinitionNode} from 'graphql'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {inProcessDeps, type InProcessDeps} from '../helpers/deps.js'
import {DEMO, emulatorUrls, startEmulator, type Emulator, type LoggedRequest} from '../../src/emulator/index.js'
import {runCall} from '../../src/call/run-call.js'
import {ExitCode} from '../../src/core/errors.js'
import {FluzPayloadError, fluzCodeError, pingFluz} from '../../src/providers/fluz/graphql.js'
import {fluzTokenRequest, resolveFluzIds} from '../../src/providers/fluz/request.js'
import {generateUserAccessToken, refreshUserAccessToken, UserAccessTokenPayload} from '../../src/providers/fluz/user-token.js'
import {BackendTokenResponse, obtainBackendBearer} from '../../src/providers/funtrips/backend-token.js'
import {ExchangeResponse} from '../../src/providers/funtrips/exchange.js'
import {createSessionFlow, exchangeFlow} from '../../src/providers/funtrips/flows.js'
import {frameUrlWithCode, SessionResponse} from '../../src/providers/funtrips/session.js'
import {buildAuthorizationUrl, exchangeCode, refresh, revoke, TokenResponseSchema} from '../../src/providers/shuttle/oauth.js'
import {saveShuttleToken} from '../../src/providers/shuttle/token-store.js'
import {FLUZ, FUNTRIPS, SHUTTLE} from './examples.js'

let emulator: Emulator
const open: InProcessDeps[] = []
beforeAll(async () => {
  emulator = await startEmulator({port: 0, autoApprove: true})
})
afterAll(() => emulator.close())
afterEach(async () => {
  emulator.clearRequests()
  for (const made of open.splice(0)) await made.cleanup()
})
async function local(env: Record<string, string> = {}) {
  const made = await inProcessDeps(emulator.url, {env})
  open.push(made)
  return made.deps
}

const logged = (suffix: string): LoggedRequest[] => emulator.requests().filter((request) => request.path.endsWith(suffix))
const form = (request: LoggedRequest) => Object.fromEntries(new URLSearchParams(request.body))
const json = (request: LoggedRequest) => JSON.parse(request.body) as Record<string, unknown>

describe('Funtrips examples', () => {
  it('client credentials: POST /oauth/token with grant_type, client_id, client_secret', async () => {
    const deps = await local()
    await obtainBackendBearer(deps, {fresh: true})
    const [sent] = logged(FUNTRIPS.clientCredentials.path)
    expect(sent?.method).toBe(FUNTRIPS.clientCredentials.method)
    expect(Object.keys(form(sent!)).sort()).toEqual(Object.keys(FUNTRIPS.clientCredentials.form).sort())
    expect(form(sent!)).toMatchObject({grant_type: 'client_credentials', client_id: DEMO.funtrips.clientId})
    // The diagram's answer `{ backend_bearer }` parses, as the OAuth `access_token` does.
    expect(BackendTokenResponse.parse(FUNTRIPS.clientCredentials.response.body).access_token).toBe('backend-bearer-from-the-diagram')
  })

  it('session: POST /v1/session with the backend bearer, integration and the user the reference requires', async () => {
    const deps = await local()
    const created = await createSessionFlow(deps, {userId: 'ada@example.com', integration: 'headless', pkce: false, fresh: false, keepVerifier: false})
    const [sent] = logged(FUNTRIPS.session.path)
    expect(sent?.method).toBe(FUNTRIPS.session.method)
    expect(sent?.headers.authorization).toBe(`Bearer ${created.backend.token}`)
    expect(json(sent!)).toMatchObject(FUNTRIPS.session.body)
    for (const field of FUNTRIPS.session.requiredByReference) expect(json(sent!)).toHaveProperty(field)
    expect(sent?.headers['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    // Every documented answer parses: the diagram's bare `{ session_code }`, the full one, the webframe one.
    expect(SessionResponse.parse(FUNTRIPS.session.response.body).session_code).toBe(FUNTRIPS.session.response.body.session_code)
    expect(SessionResponse.parse(FUNTRIPS.session.fullResponse)).toMatchObject(FUNTRIPS.session.fullResponse)
    expect(SessionResponse.parse(FUNTRIPS.session.webframeResponse).frame_url).toBe(FUNTRIPS.session.webframeResponse.frame_url)
  })

  it('exchange: the prose form first (POST /v1/session/token with session_code, client_id, client_secret)', async () => {
    const deps = await local()
    const {code} = await createSessionFlow(deps, {userId: 'ada@example.com', integration: 'headless', pkce: false, fresh: false, keepVerifier: false})
    await exchangeFlow(deps, {code})
    const [sent] = logged(FUNTRIPS.exchangeProse.path)
    expect(sent?.method).toBe(FUNTRIPS.exchangeProse.method)
    expect(Object.keys(json(sent!)).sort()).toEqual([...FUNTRIPS.exchangeProse.fields].sort())
    expect(json(sent!).session_code).toBe(code)
  })

  it('exchange: the diagram form (POST /v1/oauth/token { code }) when the server has only that; `{ public_bearer }` parses', async () => {
    const diagramOnly = await startEmulator({port: 0, funtripsExchangePaths: ['oauth']})
    try {
      const made = await inProcessDeps(diagramOnly.url)
      open.push(made)
      const {code} = await createSessionFlow(made.deps, {userId: 'ada@example.com', integration: 'headless', pkce: false, fresh: false, keepVerifier: false})
      await exchangeFlow(made.deps, {code})
      const sent = diagramOnly.requests().find((request) => request.path.endsWith(FUNTRIPS.exchangeDiagram.path))
      expect(sent?.method).toBe(FUNTRIPS.exchangeDiagram.method)
      expect(json(sent!).code).toBe(code)
      expect(json(sent!)).not.toHaveProperty('session_code')
    } finally {
      await diagramOnly.close()
    }
    expect(ExchangeResponse.parse(FUNTRIPS.exchangeDiagram.response.body).public_bearer).toBe('public-bearer-from-the-diagram')
  })

  it('the frame URL is built exactly as the example', () => {
    expect(frameUrlWithCode(FUNTRIPS.frame.frameUrl, FUNTRIPS.frame.code)).toBe(FUNTRIPS.frame.url)
  })

  it('content calls carry Authorization: Bearer <public bearer>', async () => {
    const deps = await local()
    await runCall(deps, {
      provider: 'funtrips',
      target: FUNTRIPS.contentCall.path,
      method: undefined,
      headers: [],
      fields: [],
      body: undefined,
      as: 'user',
      query: undefined,
      variables: undefined,
      wait: false,
      waitTimeoutMs: 10_000,
    })
    const [sent] = logged(FUNTRIPS.contentCall.path)
    const entry = (await deps.tokens.entries()).find((candidate) => candidate.provider === 'funtrips' && candidate.meta.kind === 'public')
    const publicBearer = (await deps.tokens.get('funtrips', entry!.key))!.accessToken
    expect(sent?.method).toBe(FUNTRIPS.contentCall.method)
    expect(sent?.headers.authorization).toBe(FUNTRIPS.contentCall.authorization.replace('<public_token>', publicBearer))
  })

  it('the emulator answers the documented requests as documented', async () => {
    const base = emulatorUrls(emulator.url).funtrips
    const token = await fetch(`${base}${FUNTRIPS.clientCredentials.path}`, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams({...FUNTRIPS.clientCredentials.form, client_id: DEMO.funtrips.clientId, client_secret: DEMO.funtrips.clientSecret}),
    })
    expect(token.status).toBe(FUNTRIPS.clientCredentials.response.status)
    const backend = BackendTokenResponse.parse(await token.json()).access_token
    const sessionAt = (body: object) =>
      fetch(`${base}${FUNTRIPS.session.path}`, {
        method: 'POST',
        headers: {authorization: `Bearer ${backend}`, 'content-type': 'application/json'},
        body: JSON.stringify(body),
      })
    // The diagram's body alone lacks the user the reference requires: refused, as Funtrips would.
    expect((await sessionAt(FUNTRIPS.session.body)).status).toBe(400)
    const session = await sessionAt({...FUNTRIPS.session.body, external_user_id: 'ada@example.com'})
    expect(session.status).toBe(FUNTRIPS.session.response.status)
    const parsed = SessionResponse.parse(await session.json())
    expect(parsed.pkce_required).toBe(false)
    for (const [path, field] of [
      [FUNTRIPS.exchangeProse.path, 'session_code'],
      [FUNTRIPS.exchangeDiagram.path, 'code'],
    ] as const) {
      const again = SessionResponse.parse(await (await sessionAt({...FUNTRIPS.session.body, external_user_id: 'ada@example.com'})).json())
      const exchanged = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({[field]: again.session_code, client_id: DEMO.funtrips.clientId, client_secret: DEMO.funtrips.clientSecret}),
      })
      expect(exchanged.status).toBe(FUNTRIPS.exchangeDiagram.response.status)
      expect(ExchangeResponse.parse(await exchanged.json()).access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    }
    const webframe = SessionResponse.parse(await (await sessionAt({integration: 'webframe', external_user_id: 'ada@example.com'})).json())
    expect(webframe.frame_url).toBeDefined()
    expect(webframe.pkce_required).toBe(false)
  })
})

/** The operation of a GraphQL document: name, variable definitions, the root field's arguments and selection. */
function operationOf(query: string) {
  const operation = parse(query).definitions[0] as OperationDefinitionNode
  const field = operation.selectionSet.selections[0] as FieldNode
  return {
    name: operation.name?.value,
    variables: (operation.variableDefinitions ?? []).map((definition) => print(definition)),
    field: field.name.value,
    arguments: (field.arguments ?? []).map((argument) => print(argument)),
    selection: (field.selectionSet?.selections ?? []).map((selection) => (selection as FieldNode).name.value),
  }
}

describe('Fluz examples', () => {
  const sandboxUrl = () => emulatorUrls(emulator.url).fluzSandbox

  it('generateUserAccessToken: the cURL request field by field', async () => {
    const deps = await local({FTAUTH_FLUZ_URL: sandboxUrl()})
    const request = fluzTokenRequest(deps, resolveFluzIds(deps, {}), [...FLUZ.generate.body.variables.scopes])
    await generateUserAccessToken(deps, request, DEMO.fluz.apiKey)
    const [sent] = logged('/api/v1/graphql')
    expect(sent?.method).toBe(FLUZ.generate.method)
    expect(new URL(sent!.path, 'http://x').pathname.endsWith(new URL(FLUZ.generate.url).pathname)).toBe(true)
    // The API key is sent as is (already base64 of app_id:app_secret), as the example's header.
    expect(sent?.headers.authorization).toBe(FLUZ.generate.headers.authorization.replace('<YOUR_SANDBOX_API_KEY>', DEMO.fluz.apiKey))
    expect(sent?.headers['content-type']).toMatch(/^application\/json/)
    const body = json(sent!)
    const documented = operationOf(FLUZ.generate.body.query)
    const ours = operationOf(body.query as string)
    expect({...ours, selection: undefined}).toEqual({...documented, selection: undefined})
    // Every documented field is asked for; the others are the docs' other spelling (token) and the in-payload error.
    expect(ours.selection).toEqual(expect.arrayContaining(documented.selection))
    expect(ours.selection.filter((name) => !documented.selection.includes(name)).sort()).toEqual(['error', 'success', 'token'])
    expect(body.variables).toEqual({
      userId: DEMO.fluz.userId,
      accountId: DEMO.fluz.accountId,
      scopes: FLUZ.generate.body.variables.scopes,
    })
    // Beyond the example: operationName (standard GraphQL over HTTP), naming the documented operation.
    expect(Object.keys(body).sort()).toEqual(['operationName', 'query', 'variables'])
    expect(body.operationName).toBe(documented.name)
  })

  it('the example response parses, with the token under `token`', () => {
    const payload = UserAccessTokenPayload.parse(FLUZ.generate.response.data.generateUserAccessToken)
    expect(payload).toMatchObject({token: FLUZ.generate.response.data.generateUserAccessToken.token, refreshToken: '0cb671d0b1aaa727c96874270cd15c2f'})
    expect(payload.accessToken ?? undefined).toBeUndefined()
  })

  it('ping and refresh are sent as documented', async () => {
    const deps = await local({FTAUTH_FLUZ_URL: sandboxUrl()})
    await pingFluz(deps, sandboxUrl(), DEMO.fluz.apiKey)
    expect(json(logged('/api/v1/graphql')[0]!).query).toBe(FLUZ.ping.query)

    emulator.clearRequests()
    const request = fluzTokenRequest(deps, resolveFluzIds(deps, {}), ['LIST_OFFERS'])
    const issued = await generateUserAccessToken(deps, request, DEMO.fluz.apiKey)
    await refreshUserAccessToken(deps, request, DEMO.fluz.apiKey, issued.refreshToken!)
    const refreshBody = json(logged('/api/v1/graphql')[1]!)
    const documented = operationOf(FLUZ.refresh.query)
    const ours = operationOf(refreshBody.query as string)
    expect({...ours, selection: undefined}).toEqual({...documented, selection: undefined})
    expect(ours.selection).toEqual(expect.arrayContaining(documented.selection))
    expect(refreshBody.variables).toEqual({refreshToken: issued.refreshToken})
  })

  it('the documented error payload parses and maps by its code (AUTH-0026 is no credential problem: exit 6)', () => {
    const error = FluzPayloadError.parse(FLUZ.errorPayload.data.op.error)
    expect(fluzCodeError('op', error.code, error.message).exitCode).toBe(ExitCode.provider)
  })

  it('the emulator answers the cURL request and the ping as documented', async () => {
    const post = (body: object) =>
      fetch(sandboxUrl(), {method: 'POST', headers: {...FLUZ.generate.headers, authorization: `Basic ${DEMO.fluz.apiKey}`}, body: JSON.stringify(body)})
    const generated = await post({
      ...FLUZ.generate.body,
      variables: {...FLUZ.generate.body.variables, userId: DEMO.fluz.userId, accountId: DEMO.fluz.accountId},
    })
    expect(generated.status).toBe(200)
    const data = ((await generated.json()) as {data: {generateUserAccessToken: Record<string, unknown>}}).data.generateUserAccessToken
    expect(Object.keys(data).sort()).toEqual(['accessToken', 'refreshToken', 'scopes'])
    expect(UserAccessTokenPayload.parse(data).accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(await (await post({query: FLUZ.ping.query})).json()).toEqual(FLUZ.ping.response)
  })
})

describe('Shuttle examples', () => {
  const client = {clientId: DEMO.shuttle.clientId, clientSecret: DEMO.shuttle.clientSecret}

  it('authorize: response_type=code, client_id, redirect_url, scope, state (plus redirect_uri and PKCE)', () => {
    const url = buildAuthorizationUrl({
      authorizationEndpoint: 'https://merchant.shuttleglobal.com/authorize',
      clientId: client.clientId,
      redirectUri: 'http://127.0.0.1:8765/callback',
      scope: 'read',
      state: 'a'.repeat(32),
      codeChallenge: undefined,
    })
    expect(url.pathname).toBe(SHUTTLE.authorize.path)
    for (const param of SHUTTLE.authorize.params) expect(url.searchParams.has(param), param).toBe(true)
    expect(url.searchParams.get('response_type')).toBe(SHUTTLE.authorize.responseType)
    expect([...url.searchParams.keys()].filter((key) => !(SHUTTLE.authorize.params as readonly string[]).includes(key))).toEqual(['redirect_uri'])
  })

  it('token, refresh and revoke requests as documented; a refresh answer without a refresh token parses', async () => {
    const anyPort = await startEmulator({port: 0, autoApprove: true})
    try {
      const made = await inProcessDeps(anyPort.url)
      open.push(made)
      const authUrl = made.deps.profile.shuttle.authUrl
      const redirectUri = 'http://127.0.0.1:8765/callback'
      const authorize = buildAuthorizationUrl({
        authorizationEndpoint: `${authUrl}/authorize`,
        clientId: client.clientId,
        redirectUri,
        scope: 'read',
        state: 'b'.repeat(32),
        codeChallenge: undefined,
      })
      const code = new URL((await fetch(authorize, {redirect: 'manual'})).headers.get('location')!).searchParams.get('code')!
      const endpoint = {url: `${authUrl}/token`, client, auth: 'basic' as const}
      const grant = await exchangeCode(made.deps, endpoint, {code, redirectUri})
      await refresh(made.deps, endpoint, {refreshToken: grant.body.refresh_token!})
      await revoke(made.deps, {...endpoint, url: `${authUrl}/revoke`}, {token: grant.body.refresh_token!, hint: 'refresh_token'})
      const [exchange, refreshed] = anyPort.requests().filter((request) => request.path.endsWith(SHUTTLE.token.path))
      expect(exchange?.method).toBe(SHUTTLE.token.method)
      expect(exchange?.headers.authorization).toMatch(/^Basic /)
      expect(Object.keys(form(exchange!)).sort()).toEqual([...SHUTTLE.token.form].sort())
      expect(form(exchange!).grant_type).toBe(SHUTTLE.token.grantType)
      expect(Object.keys(form(refreshed!)).sort()).toEqual([...SHUTTLE.refresh.form].sort())
      const revoked = anyPort.requests().find((request) => request.path.endsWith(SHUTTLE.revoke.path))
      expect(revoked?.method).toBe(SHUTTLE.revoke.method)
      expect(form(revoked!)).toHaveProperty('token')
    } finally {
      await anyPort.close()
    }
    expect(TokenResponseSchema.parse(SHUTTLE.refresh.response).refresh_token).toBeUndefined()
  })

  it('API call: GET /c/api/payment_links with Authorization: Bearer <token>, exactly as the example', async () => {
    const deps = await local()
    const now = new Date()
    await saveShuttleToken(deps, {
      accessToken: 'at_1234_h480djs93hd8',
      tokenType: 'Bearer',
      expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      obtainedAt: now.toISOString(),
      env: 'local',
      scopes: [],
      meta: {},
    })
    // The emulator does not know the docs' example token (401); the request it received is what counts.
    await runCall(deps, {
      provider: 'shuttle',
      target: '/payment_links',
      method: undefined,
      headers: [],
      fields: [],
      body: undefined,
      as: 'user',
      query: undefined,
      variables: undefined,
      wait: false,
      waitTimeoutMs: 10_000,
    }).catch(() => undefined)
    const [sent] = logged(SHUTTLE.api.path)
    expect(sent?.method).toBe(SHUTTLE.api.method)
    expect(sent?.headers.authorization).toBe(SHUTTLE.api.authorization)
    expect(sent?.path.endsWith(new URL(SHUTTLE.api.url).pathname)).toBe(true)
  })
})
