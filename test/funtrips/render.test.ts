import {describe, expect, it} from 'vitest'

import {decodeToken} from '../../src/core/jwt.js'
import {Output} from '../../src/core/output.js'
import {renderPublicBearer} from '../../src/providers/funtrips/render.js'

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('the public bearer, as a person sees it', () => {
  it('shows a time claim no Date can hold as the number it is (a bad server token is no crash)', () => {
    const token = `${base64url({alg: 'none'})}.${base64url({sub: 'u1', exp: 1e22, iat: 1_700_000_000})}.sig`
    const printed: string[] = []
    const out = new Output({stdout: {write: (chunk: string) => printed.push(chunk)}, stderr: {write: () => true}}, 'human', {colorOut: false, colorErr: false})
    const now = new Date('2026-01-01T00:00:00Z')
    renderPublicBearer(
      out,
      {
        token,
        tokenType: 'Bearer',
        tokenField: 'access_token',
        exchangePath: '/v1/session/token',
        exchange: {path: '/v1/session/token', field: 'session_code', choice: 'documented', refused: []},
        expiresAt: new Date('2026-01-01T01:00:00Z'),
        expiryBasis: 'expires_in',
        obtainedAt: now,
        scopes: [],
        decoded: decodeToken(token),
        response: {},
        storedAs: {key: 'public.local.c', storage: 'memory'},
        verifierSource: undefined,
      },
      now,
      {env: 'local', show: false},
    )
    const text = printed.join('')
    expect(text).toMatch(/^ {2}exp +1e\+22$/m)
    expect(text).toMatch(/^ {2}iat +1700000000 {2}2023-11-14T22:13:20Z$/m)
    expect(text).not.toContain(token)
  })
})
