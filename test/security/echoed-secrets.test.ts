// Issue 16, "secrets echoed back by a provider": every common encoding of every known secret is
// masked (URL- and form-encoded, base64 alone and inside `Basic id:secret`, JSON-escaped, cut off),
// masking happens before truncation, every field of an error document is masked at any depth, and
// a URL's password never reaches a trace. Property-based over random secrets and surroundings.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {renderError} from '../../src/core/command-run.js'
import {FtauthError, providerError} from '../../src/core/errors.js'
import {HttpClient, redactBody, redactUrl} from '../../src/core/http.js'
import {Output} from '../../src/core/output.js'
import {redactKnown, redactStrings, redactThenTruncate} from '../../src/core/redact.js'
import {graphqlErrorsToFtauth} from '../../src/providers/fluz/graphql.js'
import {makeSandbox} from '../helpers/cli.js'
import {base64Cores} from './helpers.js'

const RUNS = {numRuns: 200}

/** Secrets as providers issue them: opaque, with the characters that encodings change (+ / = & % space " \ and non-ASCII). */
const secretArb = fc
  .tuple(
    fc.string({unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), minLength: 14, maxLength: 40}),
    fc.string({unit: fc.constantFrom('+', '/', '=', '&', '%', ' ', '"', '\\', 'é', '😀', '-', '_', '.', '~', ':'), maxLength: 6}),
    fc.string({unit: fc.constantFrom(...'abcdef0123456789'), minLength: 6, maxLength: 12}),
  )
  .map(([head, odd, tail]) => `${head}${odd}${tail}`)

/** Text a provider wraps an echo in. */
const surroundingArb = fc.string({unit: fc.constantFrom(...'abc XYZ:;,.()[]{}<>\'"\n\t'), maxLength: 30})

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

/** Every encoding a hostile provider uses in these tests, each a way to leak `secret`. */
function encodings(secret: string, clientId: string): Record<string, string> {
  return {
    raw: secret,
    urlEncoded: encodeURIComponent(secret),
    urlEncodedLower: encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    formEncoded: new URLSearchParams({v: secret}).toString().slice(2),
    base64: b64(secret),
    base64url: Buffer.from(secret).toString('base64url'),
    basic: `Basic ${b64(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`)}`,
    basicRaw: `Basic ${b64(`${clientId}:${secret}`)}`,
    jsonEscaped: JSON.stringify(secret).slice(1, -1),
    jsonSlashes: JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
    jsonUnicode: Array.from({length: secret.length}, (_, at) => `\\u${secret.charCodeAt(at).toString(16).padStart(4, '0')}`).join(''),
    hex: Buffer.from(secret).toString('hex'),
    hexUpper: Buffer.from(secret).toString('hex').toUpperCase(),
    percentEveryByte: Buffer.from(secret).toString('hex').replace(/../g, '%$&'),
    percentEveryByteUpper: Buffer.from(secret).toString('hex').toUpperCase().replace(/../g, '%$&'),
  }
}

/** Whether `text` still carries `secret` in any encoding (or a 16-character piece of one). */
function leaks(text: string, secret: string): string | undefined {
  const forms = Object.entries(encodings(secret, 'x'))
  for (const [name, form] of forms) {
    if (name.startsWith('basic')) continue
    if (text.includes(form)) return name
  }
  for (const core of [...base64Cores(secret), ...base64Cores(encodeURIComponent(secret))]) if (text.includes(core)) return 'base64 core'
  for (let at = 0; at + 16 <= secret.length; at++) if (text.includes(secret.slice(at, at + 16))) return 'a 16-character piece'
  return undefined
}

/** renderError in --json mode with --debug, capturing what it writes to stdout (the document) and stderr. */
function renderCaptured(error: FtauthError, id: string, secrets: string[]): {code: number; stdout: string[]; stderr: string[]} {
  const stdout: string[] = []
  const stderr: string[] = []
  // renderError writes the --json document to the Output's own stdout, the human line to its stderr.
  const out = new Output({stdout: {write: (chunk: string) => stdout.push(chunk) > 0}, stderr: {write: (chunk: string) => stderr.push(chunk) > 0}}, 'json', {
    colorOut: false,
    colorErr: false,
  })
  return {code: renderError(error, {id, out, json: true, debug: true, secrets}), stdout, stderr}
}

describe('every encoding of every known secret is masked', () => {
  it('in free text, whatever surrounds it (property)', () => {
    fc.assert(
      fc.property(
        secretArb,
        surroundingArb,
        surroundingArb,
        fc.constantFrom('client_1', 'sh_demo_client', 'id with space', 'ü-client'),
        (secret, before, after, clientId) => {
          for (const [name, form] of Object.entries(encodings(secret, clientId))) {
            const out = redactKnown(`${before}${form}${after}`, [secret])
            expect(leaks(out, secret), `${name} of ${JSON.stringify(secret)} in ${JSON.stringify(out)}`).toBeUndefined()
          }
        },
      ),
      RUNS,
    )
  })

  it('a secret cut off by the provider (a head or a tail of 12+ characters) is masked too', () => {
    fc.assert(
      fc.property(secretArb, fc.integer({min: 12, max: 40}), (secret, keep) => {
        const head = secret.slice(0, Math.min(keep, secret.length - 1))
        const tail = secret.slice(-Math.min(keep, secret.length - 1))
        expect(redactKnown(`invalid key ${head}…`, [secret])).not.toContain(head)
        expect(redactKnown(`…${tail} was rejected`, [secret])).not.toContain(tail)
      }),
      RUNS,
    )
  })

  it('masks before truncating: a cut that falls inside a secret leaves none of it', () => {
    fc.assert(
      fc.property(secretArb, fc.integer({min: 1, max: 13}), (secret, into) => {
        const body = `${'x'.repeat(500 - into)}${secret} and more`
        const out = redactBody(body, [secret])
        expect(leaks(out, secret)).toBeUndefined()
        // The mask shows 4 characters of a long secret on purpose; a cut before masking would show more.
        expect(out).not.toContain(secret.slice(0, 5))
        expect(redactThenTruncate(body, [secret], 500)).not.toContain(secret.slice(0, 5))
      }),
      RUNS,
    )
  })

  it('in every field of an error document, at any depth (GraphQL errors[] and extensions)', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        const forms = encodings(secret, 'client')
        const document = {
          message: `bad key ${forms.raw}`,
          errors: [
            {
              message: forms.urlEncoded,
              extensions: {code: 'X', received: {authorization: forms.basic, list: [forms.base64, forms.jsonEscaped, {deep: forms.formEncoded}]}},
            },
          ],
          [forms.raw as string]: 'a key that is the secret',
        }
        expect(leaks(JSON.stringify(redactStrings(document, [secret])), secret)).toBeUndefined()
      }),
      {numRuns: 100},
    )
  })

  it('renderError: --json error details and the human line carry no echoed secret, and no terminal control characters', () => {
    const secret = 'fzkey-live-4f9a8b7c6d5e4f3a2b1c0d9e'
    const error = graphqlErrorsToFtauth([
      {
        message: `api key ${secret} is not valid\u001b]0;pwned\u0007`,
        extensions: {code: 'BAD', echo: {key: encodeURIComponent(secret), basic: `Basic ${b64(`app:${secret}`)}`}},
      },
    ])
    const withDetails = new FtauthError(error.exitCode, error.message, {details: {...error.details, response: {errors: [{extensions: {key: b64(secret)}}]}}})
    const {code, stdout, stderr} = renderCaptured(withDetails, 'fluz:token', [secret])
    expect(code).toBe(6)
    const all = `${stdout.join('')}${stderr.join('')}`
    expect(leaks(all, secret)).toBeUndefined()
    expect(JSON.parse(stdout.join('')).error.graphqlErrors[0]).toContain('<redacted')
    expect(stderr.join('')).not.toMatch(/[\u0007\u001b]/)
    expect(stderr.join('')).toContain('\\x1b]0;pwned\\x07')
  })

  it('a provider error keeps its non-secret words', () => {
    const error = providerError('Fluz GraphQL error: field "x" is unknown', 'hint', {graphqlErrors: ['field "x" is unknown'], code: 'GRAPHQL_VALIDATION'})
    expect(redactStrings(error.details, ['some-secret-value-123456'])).toEqual({graphqlErrors: ['field "x" is unknown'], code: 'GRAPHQL_VALIDATION'})
  })
})

describe('a password in a URL is never shown', () => {
  it('in any error message that quotes a URL, human and --json (e.g. a JWKS that cannot be fetched)', () => {
    const error = new FtauthError(
      5,
      'could not fetch a JWKS from http://ops:pa55-w0rd-x@127.0.0.1:1/jwks (Request cannot be constructed from a URL that includes credentials: http://ops:pa55-w0rd-x@127.0.0.1:1/jwks)',
      {
        hint: 'check git+ssh://u:other-pw-77@h/x',
        details: {url: 'https://ops:pa55-w0rd-x@h/x'},
      },
    )
    const {code, stdout, stderr} = renderCaptured(error, 'token:inspect', [])
    expect(code).toBe(5)
    const all = `${stdout.join('')}${stderr.join('')}`
    expect(all).toContain('ops:redacted@127.0.0.1:1')
    expect(all).not.toContain('pa55-w0rd-x')
    expect(all).not.toContain('other-pw-77')
  })

  it('token inspect --verify --jwks with a user:password URL does not print the password', async () => {
    const sandbox = await makeSandbox()
    try {
      const token = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"iss":"https://x.example"}').toString('base64url')}.c2lnbmF0dXJl`
      for (const mode of [[], ['--json']]) {
        const result = await sandbox.run(['token', 'inspect', '-', '--verify', '--jwks', 'http://ops:pa55-w0rd-x@127.0.0.1:1/jwks', ...mode], {stdin: token})
        expect(result.code).toBe(5)
        expect(result.stdout + result.stderr).toContain('ops:redacted@')
        expect(result.stdout + result.stderr).not.toContain('pa55-w0rd-x')
      }
    } finally {
      await sandbox.cleanup()
    }
  })

  it('in traces (request line, Location) and in messages naming an endpoint', () => {
    fc.assert(
      fc.property(fc.string({unit: fc.constantFrom(...'abcdefXYZ0123456789!$&*+,;=-._~'), minLength: 8, maxLength: 24}), (password) => {
        const url = `https://user:${encodeURIComponent(password)}@api.example.com/v1/x?code=abc123456789`
        const shown = redactUrl(url)
        expect(shown).not.toContain(encodeURIComponent(password))
        expect(shown).toContain('user:')
      }),
      RUNS,
    )
  })

  it('the HTTP client trace does not print it', async () => {
    const lines: string[] = []
    const client = new HttpClient({trace: (line) => lines.push(line), timeoutMs: 500, maxAttempts: 1})
    await client.request({method: 'GET', url: 'https://admin:hunter2-super-secret@127.0.0.1:9/x'}).catch(() => undefined)
    expect(lines.join('\n')).toContain('127.0.0.1:9')
    expect(lines.join('\n')).not.toContain('hunter2-super-secret')
  })
})
