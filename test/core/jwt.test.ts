// decodeToken decodes JWTs without loading jose (start-up, docs/performance.md); it must accept and
// refuse exactly what jose's decodeJwt + decodeProtectedHeader do, which it replaced.
import fc from 'fast-check'
import {decodeJwt, decodeProtectedHeader} from 'jose'
import {describe, expect, it} from 'vitest'

import {decodeToken} from '../../src/core/jwt.js'
import {isJwtShaped} from '../../src/core/redact.js'

/** The former implementation, with jose. */
function withJose(token: string) {
  if (!isJwtShaped(token)) return undefined
  try {
    return {header: decodeProtectedHeader(token), claims: decodeJwt(token)}
  } catch {
    return undefined
  }
}

const b64u = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url')
const json = fc.jsonValue().map((value) => JSON.stringify(value))
const objectJson = fc.dictionary(fc.string(), fc.jsonValue()).map((value) => JSON.stringify(value))
const segment = fc.oneof(
  objectJson.map(b64u),
  json.map(b64u),
  fc.uint8Array({minLength: 0, maxLength: 40}).map(b64u),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,24}$/),
  fc.constantFrom(
    b64u('{"a":1}').slice(0, -1),
    b64u(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
    b64u('[1]'),
    b64u('null'),
    b64u('{"__proto__":{"x":1}}'),
  ),
)

describe('decodeToken', () => {
  it('decodes a signed-looking JWT to its header and claims', () => {
    const token = `${b64u('{"alg":"RS256","kid":"k1"}')}.${b64u('{"sub":"u1","exp":2000000000}')}.c2lnbmF0dXJl`
    expect(decodeToken(token)).toEqual({header: {alg: 'RS256', kid: 'k1'}, claims: {sub: 'u1', exp: 2000000000}})
  })

  it('agrees with jose on any three segments', () => {
    fc.assert(
      fc.property(segment, segment, fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/), (header, payload, signature) => {
        const token = `${header}.${payload}.${signature}`
        expect(decodeToken(token)).toEqual(withJose(token))
      }),
      {numRuns: 1000},
    )
  })

  it('agrees with jose on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (token) => {
        expect(decodeToken(token)).toEqual(withJose(token))
      }),
    )
  })
})
