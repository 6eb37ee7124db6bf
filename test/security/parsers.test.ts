// Bad input (issue 8): property-based tests over every parser that takes outside input. Each one
// either parses or throws an FtauthError with an exit code from the table; none throws anything
// else. Plus CLI runs with garbage flags: exit 2, one error line, no stack trace without --debug.
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseField, parseHeader, parsePositionals, resolveTarget} from '../../src/call/request-input.js'
import {loadConfig} from '../../src/core/config.js'
import {CredentialStore} from '../../src/core/credential-store.js'
import {ExitCode, FtauthError} from '../../src/core/errors.js'
import {parseJsonResponse, redactBody, redactUrl, type HttpResponse} from '../../src/core/http.js'
import {decodeToken, expiryOf, scopesOf} from '../../src/core/jwt.js'
import {httpErrorToFtauth, readErrorBody} from '../../src/core/provider-errors.js'
import {isSecretKey} from '../../src/core/redact.js'
import {MemoryBackend} from '../../src/core/secret-backends.js'
import {TokenCache} from '../../src/core/token-cache.js'
import {ApplicationScopesResponse} from '../../src/providers/fluz/application-scopes.js'
import {parseFluzData} from '../../src/providers/fluz/graphql.js'
import {UserAccessTokenPayload} from '../../src/providers/fluz/user-token.js'
import {BackendTokenResponse} from '../../src/providers/funtrips/backend-token.js'
import {ExchangeResponse} from '../../src/providers/funtrips/exchange.js'
import {SessionResponse} from '../../src/providers/funtrips/session.js'
import {interpretCallback, parsePasted} from '../../src/providers/shuttle/callback.js'
import {TokenResponseSchema} from '../../src/providers/shuttle/oauth.js'
import {diffReports, inspectToken} from '../../src/tokens/inspect.js'
import {makeSandbox, runCliInProcess, type CliResult, type Sandbox} from '../helpers/cli.js'

runCliInProcess()

const EXIT_CODES = new Set<number>(Object.values(ExitCode))
const RUNS = {numRuns: 300}

/** Runs `parse`; a non-FtauthError (or an exit code outside the table) fails the property. */
function parsesOrFtauthError(parse: () => unknown, allowed: readonly number[] = [...EXIT_CODES]): unknown {
  try {
    return parse()
  } catch (error) {
    if (!(error instanceof FtauthError))
      throw new Error(`threw ${(error as Error)?.constructor?.name ?? typeof error}: ${(error as Error)?.message ?? String(error)}`)
    if (!allowed.includes(error.exitCode)) throw new Error(`FtauthError with exit ${error.exitCode} (expected ${allowed.join('/')}): ${error.message}`)
    return error
  }
}

async function parsesOrFtauthErrorAsync(parse: () => Promise<unknown>, allowed: readonly number[] = [...EXIT_CODES]): Promise<unknown> {
  try {
    return await parse()
  } catch (error) {
    if (!(error instanceof FtauthError))
      throw new Error(`threw ${(error as Error)?.constructor?.name ?? typeof error}: ${(error as Error)?.message ?? String(error)}`)
    if (!allowed.includes(error.exitCode)) throw new Error(`FtauthError with exit ${error.exitCode} (expected ${allowed.join('/')}): ${error.message}`)
    return error
  }
}

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url')

/** Claim values as they come from a hostile or broken issuer: huge, negative, fractional, wrong types. */
const claimValue = fc.oneof(
  fc.integer(),
  fc.double({noNaN: false}),
  fc.constantFrom(1e20, -1e20, 8.64e15, 8.64e12 + 1, Number.MAX_SAFE_INTEGER, 0, -1),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string()),
  fc.jsonValue(),
)
const claims = fc.record(
  {
    exp: claimValue,
    iat: claimValue,
    nbf: claimValue,
    iss: claimValue,
    aud: claimValue,
    sub: claimValue,
    scope: claimValue,
    scopes: claimValue,
    scp: claimValue,
    env: claimValue,
  },
  {requiredKeys: []},
)
const header = fc.record({alg: fc.oneof(fc.constantFrom('RS256', 'none', 'HS256'), fc.string()), typ: fc.string(), kid: fc.string()}, {requiredKeys: []})
/** JWT-shaped strings: valid JSON header and payload with arbitrary claims, or arbitrary segments. */
const jwtLike = fc.oneof(
  fc
    .tuple(header, claims, fc.uint8Array({minLength: 8, maxLength: 64}))
    .map(([h, c, sig]) => `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(c))}.${Buffer.from(sig).toString('base64url')}`),
  fc.tuple(fc.jsonValue(), fc.jsonValue()).map(([h, c]) => `${b64url(JSON.stringify(h) ?? 'x')}.${b64url(JSON.stringify(c) ?? 'x')}.c2lnbmF0dXJlLXNpZw`),
  fc.tuple(fc.string({minLength: 8}), fc.string({minLength: 8}), fc.string({minLength: 1})).map(([a, b, c]) => `${b64url(a)}.${b64url(b)}.${b64url(c)}`),
  fc.string(),
  fc.string({unit: 'binary'}),
)
const anyDate = fc.date({min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: false})

describe('JWT decoding (src/core/jwt.ts, src/tokens/inspect.ts)', () => {
  it('decodeToken never throws; scopesOf always returns strings', () => {
    fc.assert(
      fc.property(jwtLike, (token) => {
        const decoded = decodeToken(token)
        if (decoded) expect(scopesOf(decoded.claims).every((scope) => typeof scope === 'string')).toBe(true)
      }),
      RUNS,
    )
  })

  it('expiryOf never throws anything but an FtauthError, and its expiry is a real instant', () => {
    // expires_in as the providers' schemas let it through (z.coerce.number().positive()): any positive finite number.
    const expiresIn = fc.oneof(fc.integer({min: 1}), fc.double({min: 1e-3, max: Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true}))
    fc.assert(
      fc.property(
        jwtLike,
        fc.date({noInvalidDate: true}),
        fc.option(expiresIn, {nil: undefined}),
        fc.option(anyDate, {nil: undefined}),
        (token, receivedAt, expiresInSeconds, serverDate) => {
          const result = parsesOrFtauthError(() => expiryOf({token, receivedAt, expiresInSeconds, serverDate}))
          if (!(result instanceof FtauthError)) {
            const {expiresAt} = result as ReturnType<typeof expiryOf>
            expect(Number.isFinite(expiresAt.getTime()), `expiresAt ${String(expiresAt)} for ${token.slice(0, 120)}`).toBe(true)
            // Whatever the token says, the ISO form must exist: it is stored and printed.
            expect(() => expiresAt.toISOString()).not.toThrow()
          }
        },
      ),
      RUNS,
    )
  })

  it('inspectToken (token inspect) never throws, and its report serialises to JSON', () => {
    fc.assert(
      fc.property(jwtLike, (token) => {
        const report = parsesOrFtauthError(() => inspectToken(token, new Date()))
        if (!(report instanceof FtauthError)) {
          expect(() => JSON.stringify(report)).not.toThrow()
          expect(() => diffReports(report as ReturnType<typeof inspectToken>, report as ReturnType<typeof inspectToken>)).not.toThrow()
        }
      }),
      RUNS,
    )
  })
})

describe('config and cache files (src/core/config.ts, src/core/token-cache.ts)', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftauth-parsers-'))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  /** Config-like documents: random JSON, and near-valid configs with random values in every slot. */
  const profile = fc.record(
    {
      env: fc.oneof(fc.constantFrom('sandbox', 'production', 'local'), fc.jsonValue()),
      defaultProvider: fc.oneof(fc.constantFrom('funtrips', 'fluz', 'shuttle'), fc.jsonValue()),
      insecureStorage: fc.jsonValue(),
      funtrips: fc.oneof(fc.record({clientId: fc.jsonValue(), urls: fc.jsonValue(), campaignId: fc.jsonValue()}, {requiredKeys: []}), fc.jsonValue()),
      fluz: fc.oneof(
        fc.record(
          {userId: fc.oneof(fc.uuid(), fc.string()), scopes: fc.jsonValue(), urls: fc.record({sandbox: fc.record({url: fc.oneof(fc.webUrl(), fc.string())})})},
          {requiredKeys: []},
        ),
        fc.jsonValue(),
      ),
      shuttle: fc.oneof(fc.record({redirectUri: fc.oneof(fc.webUrl(), fc.string()), scope: fc.jsonValue()}, {requiredKeys: []}), fc.jsonValue()),
    },
    {requiredKeys: []},
  )
  const configText = fc.oneof(
    fc.string(),
    fc.string({unit: 'binary'}),
    fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
    fc
      .record({version: fc.oneof(fc.constant(1), fc.jsonValue()), profiles: fc.dictionary(fc.string(), profile)}, {requiredKeys: []})
      .map((value) => JSON.stringify(value)),
  )

  it('loadConfig: any file content parses or fails with exit 2 naming the file', async () => {
    let index = 0
    await fc.assert(
      fc.asyncProperty(configText, async (text) => {
        const path = join(dir, `config-${index++}.json`)
        await writeFile(path, text)
        const result = await parsesOrFtauthErrorAsync(() => loadConfig(path), [ExitCode.usage])
        if (result instanceof FtauthError) expect(result.message).toContain(path)
      }),
      {numRuns: 200},
    )
  })

  const cacheEntry = fc.record(
    {
      provider: fc.oneof(fc.constantFrom('funtrips', 'fluz', 'shuttle'), fc.jsonValue()),
      profile: fc.jsonValue(),
      key: fc.string(),
      env: fc.oneof(fc.constantFrom('sandbox', 'production', 'local'), fc.jsonValue()),
      expiresAt: fc.oneof(
        fc.date({noInvalidDate: true}).map((date) => date.toISOString()),
        fc.jsonValue(),
      ),
      obtainedAt: fc.oneof(
        fc.date({noInvalidDate: true}).map((date) => date.toISOString()),
        fc.jsonValue(),
      ),
      scopes: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
      hasRefreshToken: fc.jsonValue(),
      storage: fc.oneof(fc.constantFrom('keychain', 'file', 'memory'), fc.jsonValue()),
      meta: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))), fc.jsonValue()),
    },
    {requiredKeys: []},
  )
  const cacheText = fc.oneof(
    fc.string(),
    fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
    fc
      .record({version: fc.oneof(fc.constant(1), fc.jsonValue()), tokens: fc.dictionary(fc.string(), cacheEntry)}, {requiredKeys: []})
      .map((value) => JSON.stringify(value)),
  )

  it('TokenCache: any cache.json content gives entries or nothing (with a warning); a write afterwards leaves it valid', async () => {
    let index = 0
    await fc.assert(
      fc.asyncProperty(cacheText, async (text) => {
        const cachePath = join(dir, `cache-${index++}.json`)
        await writeFile(cachePath, text)
        const cache = new TokenCache(new CredentialStore(new MemoryBackend(), 'default', {}), cachePath, join(dir, 'locks'), () => undefined)
        await parsesOrFtauthErrorAsync(() => cache.entries())
        const now = new Date().toISOString()
        await parsesOrFtauthErrorAsync(() => cache.put('fluz', 'k', {accessToken: 'a', expiresAt: now, obtainedAt: now, env: 'local', scopes: [], meta: {}}))
        const entries = await cache.entries()
        expect(entries.some((entry) => entry.key === 'k')).toBe(true)
      }),
      {numRuns: 100},
    )
  })

  it('TokenCache.get: any keychain value gives a token or nothing (a damaged one is dropped)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
        ),
        async (value) => {
          const backend = new MemoryBackend()
          await backend.set('default:shuttle:token:oauth.local', value)
          const cache = new TokenCache(new CredentialStore(backend, 'default', {}), join(dir, 'cache-get.json'), join(dir, 'locks'), () => undefined)
          await parsesOrFtauthErrorAsync(() => cache.get('shuttle', 'oauth.local'))
        },
      ),
      {numRuns: 200},
    )
  })
})

describe('provider responses (src/core/http.ts parseJsonResponse, provider-errors.ts, each zod schema)', () => {
  const response = (status: number, body: string): HttpResponse => {
    const buffer = Buffer.from(body, 'utf8')
    return {
      status,
      headers: {'content-type': 'application/json'},
      body: buffer,
      url: 'https://api.example.test/v1/token?x=1',
      method: 'POST',
      ms: 1,
      serverDate: undefined,
      text: () => buffer.toString('utf8'),
    }
  }
  const bodyText = fc.oneof(
    fc.string(),
    fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
    fc
      .record(
        {
          access_token: fc.jsonValue(),
          token_type: fc.jsonValue(),
          expires_in: fc.jsonValue(),
          refresh_token: fc.jsonValue(),
          scope: fc.jsonValue(),
          session_code: fc.jsonValue(),
          code_expires_at: fc.jsonValue(),
          error: fc.jsonValue(),
          error_description: fc.jsonValue(),
          type: fc.jsonValue(),
          title: fc.jsonValue(),
          detail: fc.jsonValue(),
        },
        {requiredKeys: []},
      )
      .map((value) => JSON.stringify(value)),
  )
  const schemas = {BackendTokenResponse, SessionResponse, ExchangeResponse, TokenResponseSchema, UserAccessTokenPayload, ApplicationScopesResponse}

  /** Long string values of a body: none may be repeated in an error message (they may be secrets). */
  const longStrings = (text: string): string[] => {
    const found: string[] = []
    const visit = (value: unknown) => {
      if (typeof value === 'string' && value.length >= 16) found.push(value)
      else if (Array.isArray(value)) value.forEach(visit)
      else if (value && typeof value === 'object') Object.values(value).forEach(visit)
    }
    try {
      visit(JSON.parse(text))
    } catch {
      // not JSON: nothing structured to leak
    }
    return found
  }

  for (const [name, schema] of Object.entries(schemas)) {
    it(`parseJsonResponse with ${name}: parses, or exit 6 naming the endpoint without echoing body values`, () => {
      fc.assert(
        fc.property(bodyText, fc.integer({min: 100, max: 599}), (text, status) => {
          const result = parsesOrFtauthError(() => parseJsonResponse(response(status, text), schema), [ExitCode.provider])
          if (result instanceof FtauthError) {
            expect(result.message).toContain('POST https://api.example.test/v1/token')
            for (const value of longStrings(text)) expect(result.line).not.toContain(value)
          }
        }),
        {numRuns: 200},
      )
    })
  }

  it('parseFluzData: parses, or exit 6', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        (value) => void parsesOrFtauthError(() => parseFluzData(UserAccessTokenPayload, value, 'generateUserAccessToken'), [ExitCode.provider]),
      ),
      RUNS,
    )
  })

  it('readErrorBody and httpErrorToFtauth: any error body maps to an exit code from the table', () => {
    fc.assert(
      fc.property(bodyText, fc.integer({min: 400, max: 599}), (text, status) => {
        readErrorBody(response(status, text))
        const error = httpErrorToFtauth(response(status, text), 'Token request')
        expect(error).toBeInstanceOf(FtauthError)
        expect(EXIT_CODES.has(error.exitCode)).toBe(true)
      }),
      RUNS,
    )
  })

  it('redactBody never throws and masks secret-named fields', () => {
    fc.assert(
      fc.property(bodyText, fc.stringMatching(/^[A-Za-z0-9]{20,40}$/), (text, secret) => {
        redactBody(text, [])
        const masked = redactBody(JSON.stringify({access_token: secret, refresh_token: secret, nested: {client_secret: secret}}), [])
        expect(masked).not.toContain(secret)
      }),
      RUNS,
    )
  })
})

describe('the Shuttle redirect back to ftauth (src/providers/shuttle/callback.ts)', () => {
  it('interpretCallback and parsePasted: any query or pasted text is a verdict, nothing, or an FtauthError', () => {
    const query = fc
      .dictionary(fc.oneof(fc.constantFrom('code', 'state', 'error', 'error_description', 'iss'), fc.string()), fc.string())
      .map((entries) => new URLSearchParams(entries))
    fc.assert(
      fc.property(query, fc.option(fc.string(), {nil: undefined}), fc.string(), (params, state, pasted) => {
        parsesOrFtauthError(() => interpretCallback(params, state))
        parsesOrFtauthError(() => parsePasted(pasted))
        parsesOrFtauthError(() => parsePasted(`http://127.0.0.1:1234/callback?${params.toString()}`))
      }),
      RUNS,
    )
  })
})

describe('-H / -f / positionals / targets / URLs (src/call/request-input.ts, redactUrl)', () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({unit: 'binary'}),
    fc.stringMatching(/^[\w-]{0,12}:[ \w\r\n:=]{0,20}$/),
    fc.stringMatching(/^[\w-]{0,12}=.{0,20}$/),
  )

  it('parseHeader and parseField: parse or exit 2', () => {
    fc.assert(
      fc.property(text, (input) => {
        const header = parsesOrFtauthError(() => parseHeader(input), [ExitCode.usage])
        if (Array.isArray(header)) {
          const [name, value] = header as [string, string]
          expect(name).toMatch(/^[!#$%&'*+.^_`|~\w-]+$/)
          expect(value).not.toMatch(/[\r\n]/)
        }
        parsesOrFtauthError(() => parseField(input), [ExitCode.usage])
      }),
      RUNS,
    )
  })

  it('parsePositionals: parse or exit 2', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(text, fc.constantFrom('GET', 'post', 'fluz', 'shuttle', '/v1/x', 'https://x.test/')), {maxLength: 4}),
        (argv) => void parsesOrFtauthError(() => parsePositionals(argv), [ExitCode.usage]),
      ),
      RUNS,
    )
  })

  it('resolveTarget: any target gives a URL or exit 2', () => {
    const target = fc.oneof(
      text,
      fc.webUrl(),
      fc.constantFrom('http://', 'https://[::1', 'HTTP://x:99999/', 'https://a b/', 'http://%zz/', '//evil.test/x', '/%E0%A4%A', 'https://user:pass@host/x'),
      fc.string().map((s) => `https://${s}`),
      fc.string().map((s) => `/${s}`),
    )
    const base = fc.constantFrom('http://127.0.0.1:7787/funtrips', 'https://api.acc.funtrips.io/acc/', 'https://app.shuttleglobal.com/c/api')
    fc.assert(
      fc.property(target, base, (input, apiBase) => {
        const url = parsesOrFtauthError(() => resolveTarget(input, apiBase), [ExitCode.usage])
        if (url instanceof URL) expect(['http:', 'https:']).toContain(url.protocol)
      }),
      RUNS,
    )
  })

  it('redactUrl never throws, and a secret-named query parameter never survives it', () => {
    const secretKey = fc.constantFrom('code', 'access_token', 'refresh_token', 'client_secret', 'token', 'code_verifier', 'session_code', 'api_key')
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl({withQueryParameters: true, withFragments: true})),
        secretKey,
        fc.stringMatching(/^[A-Za-z0-9]{16,40}$/),
        (url, key, secret) => {
          redactUrl(url)
          expect(isSecretKey(key)).toBe(true)
          expect(redactUrl(`https://host.test/cb?state=abc&${key}=${secret}`)).not.toContain(secret)
          expect(redactUrl(`https://host.test/${secret}/x`, [secret])).not.toContain(secret)
          if (URL.canParse(url)) {
            const withSecret = new URL(url)
            withSecret.searchParams.append(key, secret)
            expect(redactUrl(withSecret.toString())).not.toContain(secret)
          }
        },
      ),
      RUNS,
    )
  })

  it('redactUrl masks secret-named parameters in a #fragment too (implicit-grant style redirects)', () => {
    fc.assert(
      fc.property(fc.constantFrom('access_token', 'code', 'id_token', 'refresh_token'), fc.stringMatching(/^[A-Za-z0-9]{16,40}$/), (key, secret) => {
        expect(redactUrl(`https://host.test/cb#${key}=${secret}&state=abc`)).not.toContain(secret)
      }),
      {numRuns: 20},
    )
  })
})

describe('garbage on the command line: exit 2, one error line, no stack trace without --debug', () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await makeSandbox('http://127.0.0.1:9')
  })
  afterAll(async () => {
    await sandbox?.cleanup()
  })

  const cases: [string, string[], Record<string, string>?][] = [
    ['unknown flag', ['status', '--bogus']],
    ['non-integer --timeout', ['status', '--timeout', 'soon']],
    ['zero --timeout', ['status', '--timeout', '0']],
    ['negative --min-ttl', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--min-ttl', '-5']],
    ['--env not an environment', ['status', '--env', 'staging']],
    ['FTAUTH_ENV not an environment', ['status'], {FTAUTH_ENV: 'staging'}],
    ['login to an unknown provider', ['login', 'acme']],
    ['bad -H', ['call', '--provider', 'funtrips', '/v1/x', '-H', 'no colon here']],
    ['bad -f', ['call', '--provider', 'funtrips', '/v1/x', '-f', '=value']],
    ['not an HTTP method', ['call', 'FETCH', '/v1/x', '--provider', 'funtrips']],
    ['bad --variables', ['call', 'fluz', '--query', 'query { marco }', '--variables', '[1,2']],
    ['bad full URL', ['call', '--provider', 'funtrips', 'https://[::1/x']],
    ['config get of an unknown key', ['config', 'get', 'fluz.nope']],
    ['config set of a bad UUID', ['config', 'set', 'fluz.userId', 'not-a-uuid']],
    ['config set of a bad URL', ['config', 'set', 'shuttle.redirectUri', 'ftp://x']],
    ['token inspect of a missing file', ['token', 'inspect', '@/nonexistent/token.jwt']],
    ['token inspect of an empty env variable', ['token', 'inspect', 'env:FTAUTH_TEST_EMPTY_VAR']],
    ['session create with both integrations', ['session', 'create', '--headless', '--webframe']],
    ['shuttle login with a bad --client-auth', ['shuttle', 'login', '--client-auth', 'jwt']],
    ['shuttle login with a bad --port', ['shuttle', 'login', '--port', '99999']],
    ['fluz token with a bad --seat-id', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--seat-id', '12']],
    ['shuttle login with a --wait past a day', ['shuttle', 'login', '--wait', '100000']],
    ['FTAUTH_SHUTTLE_AUTH_URL not a URL', ['status'], {FTAUTH_SHUTTLE_AUTH_URL: 'merchant.example.com'}],
    ['FTAUTH_FLUZ_URL not an http(s) URL, on a call to another provider', ['call', '--provider', 'funtrips', '/v1/merchants'], {FTAUTH_FLUZ_URL: 'ftp://x'}],
    ['FTAUTH_LOCAL_URL not a URL', ['status'], {FTAUTH_LOCAL_URL: '127.0.0.1:7787'}],
  ]

  it('every case', {timeout: 240_000}, async () => {
    const problems: string[] = []
    // Small batches: 2 cores, and each run is a whole Node process.
    const results: [CliResult, CliResult | undefined][] = []
    for (let start = 0; start < cases.length; start += 4) {
      const batch = cases.slice(start, start + 4)
      // --json for every third case: the error document's shape does not depend on the mistake.
      const withJson = (index: number) => (start + index) % 3 === 0
      results.push(
        ...(await Promise.all(
          batch.map(([, args, env], index) =>
            Promise.all([
              sandbox.run(args, {env, timeoutMs: 60_000}),
              withJson(index) ? sandbox.run([...args, '--json'], {env, timeoutMs: 60_000}) : Promise.resolve(undefined),
            ]),
          ),
        )),
      )
    }
    for (const [index, [human, json]] of results.entries()) {
      const [label] = cases[index]!
      if (human.code !== 2) problems.push(`${label}: exit ${human.code} — ${human.stderr.trim().split('\n')[0]}`)
      if (/^\s+at /m.test(human.stderr)) problems.push(`${label}: stack trace without --debug`)
      const errorLines = human.stderr.split('\n').filter((line) => line.startsWith('error:'))
      if (errorLines.length !== 1) problems.push(`${label}: ${errorLines.length} error lines on stderr: ${JSON.stringify(human.stderr.slice(0, 300))}`)
      if (!json) continue
      if (json.code !== 2) problems.push(`${label} --json: exit ${json.code}`)
      else {
        try {
          const body = JSON.parse(json.stdout) as {error?: {exitCode?: number}}
          if (body.error?.exitCode !== 2) problems.push(`${label} --json: error.exitCode ${body.error?.exitCode}`)
        } catch {
          problems.push(`${label} --json: stdout is not one JSON document: ${JSON.stringify(json.stdout.slice(0, 200))}`)
        }
      }
    }
    expect(problems).toEqual([])
  })

  it('an unknown command exits 127 (the README exit table) without a stack trace', async () => {
    const result = await sandbox.run(['sesion', 'create'])
    expect(result.code).toBe(127)
    expect(result.stderr).toContain('sesion')
    expect(result.stderr).not.toMatch(/^\s+at /m)
  })

  it('--debug adds the stack trace (so its absence above means something)', async () => {
    const result = await sandbox.run(['token', 'inspect', '@/nonexistent/token.jwt', '--debug'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^\s+at /m)
  })
})
