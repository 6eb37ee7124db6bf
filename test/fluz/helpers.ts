// Shared pieces of the Fluz tests: in-process Deps for flow tests, a stand-in GraphQL server whose
// token type has only one of accessToken/token, and readers of the emulator's request log.
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {buildSchema, graphql} from 'graphql'

import type {Deps} from '../../src/core/deps.js'
import type {Profile} from '../../src/core/config.js'
import {CredentialStore} from '../../src/core/credential-store.js'
import {KeychainBackend} from '../../src/core/keychain.js'
import {pathsFor} from '../../src/core/paths.js'
import {TokenCache, type StoredToken} from '../../src/core/token-cache.js'
import {inProcessDeps} from '../helpers/deps.js'
import type {Emulator, LoggedRequest} from '../../src/emulator/index.js'

export interface TestDeps extends Deps {
  stderr: string[]
  cleanup(): Promise<void>
}

/** Real Deps for flow functions (see test/helpers/deps.ts), with stderr captured. */
export async function makeDeps(emulatorUrl: string, options: {fluz?: Profile['fluz']; env?: Record<string, string>} = {}): Promise<TestDeps> {
  const made = await inProcessDeps(emulatorUrl, {profile: {fluz: options.fluz}, env: options.env, http: {sleep: undefined}})
  return {...made.deps, stderr: made.stderr, cleanup: made.cleanup}
}

/** The token cache of a CLI sandbox, read and written the way the CLI does (keychain + cache.json). */
export function sandboxTokens(sandbox: {configDir: string; service: string}): TokenCache {
  const store = new CredentialStore(new KeychainBackend(sandbox.service, 5000), 'default', {})
  const paths = pathsFor(sandbox.configDir)
  return new TokenCache(store, paths.cache, paths.locks, () => undefined)
}

export async function storedToken(sandbox: {configDir: string; service: string}, key: string): Promise<StoredToken> {
  const token = await sandboxTokens(sandbox).get('fluz', key)
  if (!token) throw new Error(`no cached Fluz token under ${key}`)
  return token
}

/** GraphQL operations the emulator saw (by operation name in the body), in order. */
export function fluzOperations(emulator: Emulator): string[] {
  return fluzRequests(emulator).map((request) => operationOf(request))
}

export function fluzRequests(emulator: Emulator): LoggedRequest[] {
  return emulator.requests().filter((request) => request.path.startsWith('/fluz/'))
}

function operationOf(request: LoggedRequest): string {
  const body = JSON.parse(request.body) as {operationName?: string; query?: string}
  return body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? '?'
}

export interface StandInServer {
  url: string
  requests: {authorization: string | undefined; query: string; variables: Record<string, unknown>}[]
  close(): Promise<void>
}

/**
 * A Fluz stand-in whose UserAccessToken type has only `tokenField` (and no success/error), issuing
 * opaque tokens: what a server matching one of the two documented spellings would do.
 */
export async function startOneFieldServer(tokenField: 'accessToken' | 'token', apiKey: string): Promise<StandInServer> {
  const schema = buildSchema(`
    scalar UUID
    enum ScopeType { LIST_OFFERS PURCHASE_GIFTCARD }
    type UserAccessToken { ${tokenField}: String refreshToken: String scopes: [ScopeType!] }
    type Query { marco: String }
    type Mutation {
      generateUserAccessToken(userId: UUID!, accountId: UUID!, scopes: [ScopeType!]!, seatId: UUID): UserAccessToken
      refreshUserAccessToken(userId: String!): UserAccessToken
    }
  `)
  let issued = 0
  const mint = (scopes: string[]) => {
    issued += 1
    return {[tokenField]: `opaque-access-${issued}-0123456789abcdef`, refreshToken: `opaque-refresh-${issued}-0123456789abcdef`, scopes}
  }
  const rootValue = {
    generateUserAccessToken: (args: {scopes: string[]}) => mint(args.scopes),
    refreshUserAccessToken: () => mint(['LIST_OFFERS']),
  }
  const requests: StandInServer['requests'] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', async () => {
      const parsed = JSON.parse(body) as {query: string; variables?: Record<string, unknown>; operationName?: string}
      requests.push({authorization: req.headers.authorization, query: parsed.query, variables: parsed.variables ?? {}})
      if (req.headers.authorization !== `Basic ${apiKey}`) {
        res.writeHead(401, {'content-type': 'application/json'}).end('{"error":"unauthorized"}')
        return
      }
      const result = await graphql({schema, source: parsed.query, rootValue, variableValues: parsed.variables, operationName: parsed.operationName})
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(result))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/api/v1/graphql`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
