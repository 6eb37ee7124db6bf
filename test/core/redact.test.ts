import {describe, expect, it} from 'vitest'

import {redactBody, redactUrl} from '../../src/core/http.js'
import {redactJson, redactSecret} from '../../src/core/redact.js'

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjF9.c2lnbmF0dXJlLXNpZ25hdHVyZQ'

describe('redaction', () => {
  it('keeps a JWT readable but not replayable', () => {
    expect(redactSecret(jwt)).toBe('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjF9.<redacted>')
  })

  it('shows only a prefix and the length of an opaque secret', () => {
    const out = redactSecret('rt_0123456789abcdef0123')
    expect(out).toBe('rt_0…<redacted 23 chars>')
    expect(redactSecret('short')).toBe('…<redacted 5 chars>')
  })

  it('redacts secret-named JSON fields at any depth and known values anywhere', () => {
    const data = {access_token: 'secret-access-token-1', nested: {refreshToken: 'secret-refresh-1'}, note: 'has secret-other-1 inside'}
    const text = JSON.stringify(redactJson(data, ['secret-other-1']))
    expect(text).not.toContain('secret-access-token-1')
    expect(text).not.toContain('secret-refresh-1')
    expect(text).not.toContain('secret-other-1')
  })

  it('redacts codes in URLs and bodies that are not JSON', () => {
    expect(redactUrl('http://127.0.0.1:1/cb?code=abcdefghijklmnop&state=s1')).not.toContain('abcdefghijklmnop')
    expect(redactBody('token is tok-1234567890', ['tok-1234567890'])).not.toContain('tok-1234567890')
  })
})
