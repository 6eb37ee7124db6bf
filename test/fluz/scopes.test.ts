import {describe, expect, it} from 'vitest'

import {KNOWN_FLUZ_SCOPES, parseScopeList, scopeSetKey, suggestScope, unknownScopeWarnings} from '../../src/providers/fluz/scopes.js'

describe('Fluz scope names', () => {
  it('reads --scopes lists and repeated --scope alike, de-duplicated in order', () => {
    expect(parseScopeList(['LIST_OFFERS,PURCHASE_GIFTCARD', 'LIST_OFFERS', ' REVEAL_GIFTCARD ', undefined])).toEqual([
      'LIST_OFFERS',
      'PURCHASE_GIFTCARD',
      'REVEAL_GIFTCARD',
    ])
    expect(parseScopeList(['LIST_OFFERS PURCHASE_GIFTCARD,,'])).toEqual(['LIST_OFFERS', 'PURCHASE_GIFTCARD'])
    expect(parseScopeList([])).toEqual([])
  })

  it('keys a scope set independently of order', () => {
    expect(scopeSetKey(['PURCHASE_GIFTCARD', 'LIST_OFFERS'])).toBe(scopeSetKey(['LIST_OFFERS', 'PURCHASE_GIFTCARD', 'LIST_OFFERS']))
  })

  it('suggests the closest known scope for typos, case and separators', () => {
    expect(suggestScope('LIST_OFER')).toBe('LIST_OFFERS')
    expect(suggestScope('list-offers')).toBe('LIST_OFFERS')
    expect(suggestScope('MAKE_WITHDRAW')).toBe('MAKE_WIDTHDRAW')
    expect(suggestScope('PURCHASE_GIFTCARDS')).toBe('PURCHASE_GIFTCARD')
    expect(suggestScope('SOMETHING_ELSE_ENTIRELY')).toBeUndefined()
  })

  it('warns about unknown names only, and never rejects them', () => {
    expect(unknownScopeWarnings(Object.keys(KNOWN_FLUZ_SCOPES))).toEqual([])
    const [warning, ...rest] = unknownScopeWarnings(['LIST_OFFERS', 'LIST_OFER'])
    expect(rest).toEqual([])
    expect(warning).toContain('"LIST_OFER" is not a known Fluz scope')
    expect(warning).toContain('did you mean LIST_OFFERS?')
    expect(unknownScopeWarnings(['BRAND_NEW_SCOPE'])[0]).not.toContain('did you mean')
  })
})
