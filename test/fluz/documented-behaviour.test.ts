// What the Fluz docs allow and the clients must survive: a refresh refused for any documented reason
// falls back to generating once; the token field the server used is remembered; getApplicationScope(s)
// answers as names or objects.
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/core/errors.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {fluzTokenRequest, resolveFluzIds} from '../../src/providers/fluz/request.js'
import {listFluzScopes} from '../../src/providers/fluz/scope-listing.js'
import {obtainFluzToken} from '../../src/providers/fluz/token-flow.js'
import {failure} from '../helpers/errors.js'
import {fluzOperations, makeDeps, startOneFieldServer, type TestDeps} from './helpers.js'

const open: TestDeps[] = []
afterEach(async () => {
  for (const d of open.splice(0)) await d.cleanup()
})
async function deps(url: string, env: Record<string, string> = {}): Promise<TestDeps> {
  const made = await makeDeps(url, {env})
  open.push(made)
  return made
}

type Answer = {status: number; body: unknown}
/** A Fluz stand-in: generate always works (unless told otherwise), refresh answers what the test says. */
async function standIn(answers: {refresh: Answer; generate?: Answer}): Promise<{url: string; operations: string[]; close(): Promise<void>}> {
  const operations: string[] = []
  let issued = 0
  const server: Server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      const operation = (JSON.parse(body) as {operationName: string}).operationName
      operations.push(operation)
      issued += 1
      const generated: Answer = {
        status: 200,
        body: {
          data: {
            generateUserAccessToken: {
              success: true,
              error: null,
              accessToken: `opaque-${issued}-0123456789abcdef`,
              token: null,
              refreshToken: `refresh-${issued}-0123456789abcdef`,
              scopes: ['LIST_OFFERS'],
            },
          },
        },
      }
      const answer = operation === 'refreshUserAccessToken' ? answers.refresh : (answers.generate ?? generated)
      response.writeHead(answer.status, {'content-type': 'application/json'}).end(JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/graphql`,
    operations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const inPayload = (code: string) => ({
  status: 200,
  body: {
    data: {
      refreshUserAccessToken: {success: false, error: {code, message: `${code} says no`}, accessToken: null, token: null, refreshToken: null, scopes: null},
    },
  },
})

describe('a refused refresh falls back to generating once', () => {
  it.each([
    ['AUTH-0008', inPayload('AUTH-0008')],
    ['AUTH-0009 (another documented code)', inPayload('AUTH-0009')],
    ['a GraphQL validation error', {status: 200, body: {errors: [{message: 'Unknown argument "userId" on field "Mutation.refreshUserAccessToken".'}]}}],
    ['HTTP 401', {status: 401, body: {error: 'unauthorized'}}],
  ])('%s → generate, saying so', async (_name, refresh) => {
    const server = await standIn({refresh})
    try {
      const d = await deps('http://127.0.0.1:9', {FTAUTH_FLUZ_URL: server.url, FTAUTH_FLUZ_API_KEY: 'stand-in-key'})
      const request = fluzTokenRequest(d, resolveFluzIds(d, {}), ['LIST_OFFERS'])
      await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false})
      // A margin longer than the token's life makes the cached one due for renewal.
      const next = await obtainFluzToken(d, request, {minTtlSeconds: 3600, fresh: false})
      expect(next.source).toBe('new')
      expect(server.operations).toEqual(['generateUserAccessToken', 'refreshUserAccessToken', 'generateUserAccessToken'])
      expect(d.stderr.join('')).toMatch(/refresh failed \(.+\); generating a new token instead/)
    } finally {
      await server.close()
    }
  })

  it('a wrong API key (AUTH-0002 on generate) still ends with exit 3, after one generation', async () => {
    const server = await standIn({
      refresh: inPayload('AUTH-0002'),
      generate: {status: 200, body: {data: {generateUserAccessToken: {success: false, error: {code: 'AUTH-0002', message: 'invalid credentials'}}}}},
    })
    try {
      const d = await deps('http://127.0.0.1:9', {FTAUTH_FLUZ_URL: server.url, FTAUTH_FLUZ_API_KEY: 'stand-in-key'})
      const request = fluzTokenRequest(d, resolveFluzIds(d, {}), ['LIST_OFFERS'])
      const error = await failure(obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false}))
      expect(error.exitCode).toBe(ExitCode.credentialsRejected)
      expect(server.operations).toEqual(['generateUserAccessToken'])
    } finally {
      await server.close()
    }
  })

  it('a network failure during refresh is not a refusal: no generation', async () => {
    const server = await standIn({refresh: {status: 200, body: 'not json at all'}})
    try {
      const d = await deps('http://127.0.0.1:9', {FTAUTH_FLUZ_URL: server.url, FTAUTH_FLUZ_API_KEY: 'stand-in-key'})
      const request = fluzTokenRequest(d, resolveFluzIds(d, {}), ['LIST_OFFERS'])
      await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false})
      const error = await failure(obtainFluzToken(d, request, {minTtlSeconds: 3600, fresh: false}))
      expect(error.exitCode).toBe(ExitCode.provider)
      expect(server.operations).toEqual(['generateUserAccessToken', 'refreshUserAccessToken'])
    } finally {
      await server.close()
    }
  })
})

describe('the token field the server uses is remembered', () => {
  it('asks without the missing field from the second token on, and says the field was remembered', async () => {
    const server = await startOneFieldServer('token', 'stand-in-key')
    try {
      const d = await deps('http://127.0.0.1:9', {FTAUTH_FLUZ_URL: server.url, FTAUTH_FLUZ_API_KEY: 'stand-in-key'})
      const request = fluzTokenRequest(d, resolveFluzIds(d, {}), ['LIST_OFFERS'])
      await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: false})
      expect(server.requests).toHaveLength(2)
      expect(await d.tokens.serverChoices('fluz', 'local')).toMatchObject({tokenField: 'token', missingFields: expect.stringContaining('accessToken')})
      await obtainFluzToken(d, request, {minTtlSeconds: 30, fresh: true})
      expect(server.requests).toHaveLength(3)
      expect(server.requests[2]!.query).not.toMatch(/\baccessToken\b/)
      expect(d.stderr.join('')).toMatch(/token field token, remembered/)
    } finally {
      await server.close()
    }
  })
})

describe('fluz scopes: both documented query names, names or objects', () => {
  let emulators: Emulator[] = []
  beforeAll(async () => {
    emulators = await Promise.all([
      startEmulator({port: 0, fluzScopesField: 'getApplicationScope'}),
      startEmulator({port: 0, fluzScopesShape: 'objects'}),
      startEmulator({port: 0, fluzScopesField: 'getApplicationScope', fluzScopesShape: 'objects'}),
    ])
  })
  afterAll(async () => {
    await Promise.all(emulators.map((emulator) => emulator.close()))
  })

  it.each([
    [0, 'getApplicationScope', 'strings', ['getApplicationScopes', 'getApplicationScope']],
    [1, 'getApplicationScopes', 'objects.scope', ['getApplicationScopes', 'ScopeType', 'getApplicationScopes']],
    [2, 'getApplicationScope', 'objects.scope', ['getApplicationScopes', 'getApplicationScope', 'ScopeType', 'getApplicationScope']],
  ])('emulator %i: %s as %s', async (index, query, shape, operations) => {
    const emulator = emulators[index]!
    const d = await deps(emulator.url)
    const result = await listFluzScopes(d, {})
    expect(result).toMatchObject({query, shape})
    expect(result.applicationScopes).toContain('LIST_OFFERS')
    expect(fluzOperations(emulator)).toEqual(operations)
  })

  it('an unknown shape is exit 6 naming the field', async () => {
    const server = createServer((request, response) => {
      request.resume()
      request.on('end', () =>
        response.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({data: {getApplicationScopes: {granted: 'LIST_OFFERS'}}})),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/graphql`
      const d = await deps('http://127.0.0.1:9', {FTAUTH_FLUZ_URL: url, FTAUTH_FLUZ_API_KEY: 'stand-in-key'})
      const error = await failure(listFluzScopes(d, {}))
      expect(error.exitCode).toBe(ExitCode.provider)
      expect(error.message).toContain('data.getApplicationScopes')
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
