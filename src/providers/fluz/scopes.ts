/**
 * The Fluz scopes seen in the public docs (PROVIDERS.md), with a one-line meaning each. The full
 * enum is not public, so this list only advises: unknown names are sent and the server decides.
 */
export const KNOWN_FLUZ_SCOPES: Readonly<Record<string, string>> = {
  LIST_OFFERS: 'view available merchants and offers',
  PURCHASE_GIFTCARD: 'buy gift cards',
  REVEAL_GIFTCARD: 'view purchased gift card details',
  LIST_PURCHASES: 'see purchase history',
  LIST_PAYMENT: 'view payment methods',
  MANAGE_PAYMENT: 'add or remove payment methods',
  MAKE_DEPOSIT: 'deposit funds',
  CREATE_VIRTUALCARD: 'create virtual cards',
  REVEAL_VIRTUALCARD: 'view virtual card details',
  EDIT_VIRTUALCARD: 'change virtual cards',
  REQUEST_VIRTUAL_CARD: 'request a virtual card',
  LIST_APPROVALS: 'see pending approvals',
  MANAGE_APPROVALS: 'approve or decline requests',
  MAKE_WIDTHDRAW: 'withdraw funds (spelt so by Fluz)',
}

export const isKnownScope = (scope: string): boolean => Object.hasOwn(KNOWN_FLUZ_SCOPES, scope)

/** Scope names from `--scopes A,B` and repeated `--scope`, split on commas or spaces, de-duplicated in order. */
export function parseScopeList(values: readonly (string | undefined)[]): string[] {
  const scopes = values.flatMap((value) => (value ?? '').split(/[\s,]+/)).filter(Boolean)
  return [...new Set(scopes)]
}

/** The scope set as it appears in cache keys: sorted, so the order on the command line does not matter. */
export function scopeSetKey(scopes: readonly string[]): string {
  return [...new Set(scopes)].sort().join('+')
}

/** The closest known scope, for "did you mean": case and separators ignored, then edit distance. */
export function suggestScope(scope: string): string | undefined {
  const folded = fold(scope)
  let best: {name: string; distance: number} | undefined
  for (const name of Object.keys(KNOWN_FLUZ_SCOPES)) {
    const distance = editDistance(folded, fold(name))
    if (!best || distance < best.distance) best = {name, distance}
  }
  if (!best) return undefined
  return best.distance <= Math.max(2, Math.floor(folded.length / 4)) ? best.name : undefined
}

/** One warning line per unknown scope name. */
export function unknownScopeWarnings(scopes: readonly string[]): string[] {
  return scopes
    .filter((scope) => !isKnownScope(scope))
    .map((scope) => {
      const suggestion = suggestScope(scope)
      const guess = suggestion ? ` — did you mean ${suggestion}?` : ''
      return `"${scope}" is not a known Fluz scope${guess} (the full list is not public: it is sent as is and Fluz decides)`
    })
}

const fold = (value: string): string => value.toUpperCase().replace(/[\s-]/g, '_')

function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution)
    }
    previous = current
  }
  return previous[b.length]!
}
