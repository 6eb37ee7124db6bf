/**
 * How secrets look in traces, debug output and errors: a JWT keeps its readable header and claims
 * but loses its signature (cannot be replayed); an opaque secret keeps a short prefix and its length.
 *
 * A provider may echo a secret back in another encoding (URL- or form-encoded, base64 alone or
 * inside `Basic id:secret`, JSON-escaped) or cut it off; every such form of every known secret is
 * derived once (`secretForms`) and masked wherever it appears, and text is masked before it is cut.
 */
const JWT_SHAPE = /^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+$/

export function isJwtShaped(value: string): boolean {
  return JWT_SHAPE.test(value)
}

export function redactSecret(value: string): string {
  if (isJwtShaped(value)) {
    const [header, payload] = value.split('.')
    return `${header}.${payload}.<redacted>`
  }
  const prefix = value.length > 12 ? value.slice(0, 4) : ''
  return `${prefix}…<redacted ${value.length} chars>`
}

/** Field names whose values are secrets wherever they appear (form, JSON, query, GraphQL variables). */
const SECRET_KEYS = new Set([
  'access_token',
  'accesstoken',
  'token',
  'refresh_token',
  'refreshtoken',
  'id_token',
  'client_secret',
  'clientsecret',
  'code',
  'session_code',
  'code_verifier',
  'api_key',
  'apikey',
  'password',
  'secret',
  'authorization',
  'usertoken',
  'assertion',
  // One provider's diagrams name the tokens public_bearer and backend_bearer.
  'public_bearer',
  'backend_bearer',
])

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/-/g, '_')) || SECRET_KEYS.has(key.toLowerCase())
}

/** Authorization header: keep the scheme, redact the credential. */
export function redactAuthorization(value: string): string {
  const space = value.indexOf(' ')
  if (space === -1) return redactSecret(value)
  return `${value.slice(0, space)} ${redactSecret(value.slice(space + 1))}`
}

/** Deep-redacts JSON-like data (every key and value, any depth) by key name and by known secret values. */
export function redactJson(value: unknown, knownSecrets: readonly string[] = []): unknown {
  if (typeof value === 'string') return redactKnown(value, knownSecrets)
  if (Array.isArray(value)) return value.map((item) => redactJson(item, knownSecrets))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      out[redactKnown(key, knownSecrets)] = isSecretKey(key) && typeof item === 'string' ? redactSecret(item) : redactJson(item, knownSecrets)
    }
    return out
  }
  return value
}

/** Masks known secrets in every string and every key of JSON-like data, at any depth (error documents). */
export function redactStrings(value: unknown, knownSecrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactKnown(value, knownSecrets)
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, knownSecrets))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redactKnown(key, knownSecrets), redactStrings(item, knownSecrets)]))
  }
  return value
}

/** Shorter secrets are matched whole only: a fragment of a few characters says nothing and matches by chance. */
const MIN_SECRET = 6
/** A piece of a secret this long (a cut-off prefix, the aligned core of a base64 wrapping) is masked too. */
const FRAGMENT = 12

const formsCache = new Map<string, string[]>()

/**
 * Every form in which `secret` can travel or be echoed: itself, percent-encoded (both hex cases),
 * form-encoded, JSON- and HTML-escaped, the decoded text of a base64 secret (some API keys are
 * base64 of `app_id:app_secret`), and the base64/base64url encodings at each of the three byte
 * alignments (so it is found inside the base64 of a longer text, such as `Basic id:secret`).
 */
export function secretForms(secret: string): string[] {
  const cached = formsCache.get(secret)
  if (cached) return cached
  const textual = new Set<string>([secret])
  const percent = encodeURIComponent(secret)
  textual.add(percent)
  textual.add(percent.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()))
  textual.add(new URLSearchParams({v: secret}).toString().slice(2))
  const json = JSON.stringify(secret).slice(1, -1)
  textual.add(json)
  textual.add(json.replace(/\//g, '\\/').replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`))
  // Every character as \uXXXX: valid JSON a provider may send; matched whole only (see indexPieces).
  const unicode = Array.from({length: secret.length}, (_, at) => `\\u${secret.charCodeAt(at).toString(16).padStart(4, '0')}`).join('')
  textual.add(unicode)
  textual.add(unicode.replace(/[a-f]/g, (hex) => hex.toUpperCase()).replace(/\\U/g, '\\u'))
  // HTML-escaped: a provider's error page quoting what it was sent.
  textual.add(secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'))
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(secret) && secret.length % 4 === 0) {
    const decoded = Buffer.from(secret, 'base64').toString('utf8')
    if (/^[\x20-\x7e]+$/.test(decoded) && decoded.length >= MIN_SECRET) textual.add(decoded)
  }
  const forms = new Set(textual)
  for (const text of textual) for (const core of base64Cores(text)) forms.add(core)
  // Hex of the UTF-8 bytes, and every byte percent-encoded (both cases): dumps and over-eager encoders.
  const hex = Buffer.from(secret, 'utf8').toString('hex')
  for (const digits of [hex, hex.toUpperCase()]) forms.add(digits).add(digits.replace(/../g, '%$&'))
  const list = [...forms].filter((form) => form.length >= MIN_SECRET).sort((a, b) => b.length - a.length)
  if (formsCache.size > 500) formsCache.clear()
  formsCache.set(secret, list)
  return list
}

/** The base64 and base64url characters that encode only `text`'s bytes, whatever precedes or follows it. */
function base64Cores(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8')
  const cores: string[] = []
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes])
    const whole = Math.floor(padded.length / 3) * 4
    // The first group mixes `shift` foreign bytes in: skip the characters they touch.
    const skip = shift === 0 ? 0 : shift === 1 ? 2 : 3
    const core = padded.toString('base64').slice(skip, whole)
    if (core.length >= FRAGMENT) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return cores
}

/** The part of a secret that must never show: a JWT's signature (its header and claims are shown on purpose), else all of it. */
function secretPart(secret: string): string {
  return isJwtShaped(secret) ? secret.slice(secret.lastIndexOf('.') + 1) : secret
}

/** FRAGMENT-long pieces of every form of every secret seen in this process, each with the secrets it comes from. */
const pieceOwners = new Map<string, Set<string>>()
const indexed = new Set<string>()

function indexPieces(secret: string): void {
  if (indexed.has(secret)) return
  indexed.add(secret)
  const forms = new Set([...secretForms(secretPart(secret)), ...(isJwtShaped(secret) ? [] : secretForms(secret))])
  for (const form of forms) {
    // Pieces of an all-\\u form would be common escapes ("\\u0066\\u0074" is any "ft"): whole matches only.
    if (form.startsWith('\\u')) continue
    for (let at = 0; at + FRAGMENT <= form.length; at++) {
      const piece = form.slice(at, at + FRAGMENT)
      let owners = pieceOwners.get(piece)
      if (!owners) {
        owners = new Set()
        pieceOwners.set(piece, owners)
      }
      owners.add(secret)
    }
  }
}

/**
 * Replaces every occurrence of a known secret inside free text (error bodies, URLs, provider
 * messages), in any of its forms, and any FRAGMENT-long piece of one (a secret cut off by a
 * truncation, or the aligned core of its base64 inside a longer base64 value).
 */
export function redactKnown(text: string, knownSecrets: readonly string[]): string {
  const unmasked = redactUrlPasswords(text)
  if (knownSecrets.length === 0 || unmasked.length < MIN_SECRET) return unmasked
  let out = unmasked
  for (const secret of knownSecrets) {
    if (secret.length < MIN_SECRET) continue
    for (const form of secretForms(secret)) {
      if (out.includes(form)) out = out.split(form).join(form === secret ? redactSecret(secret) : '<redacted>')
    }
  }
  return redactFragments(out, knownSecrets)
}

function redactFragments(text: string, knownSecrets: readonly string[]): string {
  if (text.length < FRAGMENT) return text
  const wanted = new Set<string>()
  for (const secret of knownSecrets) {
    if (secret.length < MIN_SECRET) continue
    indexPieces(secret)
    wanted.add(secret)
  }
  const covered = new Uint8Array(text.length)
  let any = false
  for (let at = 0; at + FRAGMENT <= text.length; at++) {
    const owners = pieceOwners.get(text.slice(at, at + FRAGMENT))
    if (owners && [...owners].some((owner) => wanted.has(owner))) {
      covered.fill(1, at, at + FRAGMENT)
      any = true
    }
  }
  if (!any) return text
  let out = ''
  for (let at = 0; at < text.length; at++) {
    if (!covered[at]) out += text[at]
    else if (at === 0 || !covered[at - 1]) out += '<redacted>'
  }
  return out
}

/** Masks known secrets, then cuts to `max` characters: never the other way round (a cut secret would not match). */
export function redactThenTruncate(text: string, knownSecrets: readonly string[], max: number): string {
  const redacted = redactKnown(text, knownSecrets)
  if (redacted.length <= max) return redacted
  return `${Array.from(redacted).slice(0, max).join('')}… (${redacted.length} chars)`
}

/** Redacts secret-named parameters of a URL-encoded form or query string. */
export function redactForm(params: URLSearchParams, knownSecrets: readonly string[] = []): string {
  const parts: string[] = []
  for (const [key, item] of params) {
    parts.push(`${key}=${isSecretKey(key) ? redactSecret(item) : redactKnown(item, knownSecrets)}`)
  }
  return parts.join('&')
}

/** Every `scheme://user:password@` inside free text (an error naming a URL, a provider's message) with the password masked. */
export function redactUrlPasswords(text: string): string {
  return text.includes('@') ? text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)(?!redacted@|\*+@)[^\s/?#@]+@/gi, '$1redacted@') : text
}

/** A URL for display: the password of `user:pass@host` masked (the user name is kept, it helps and is not secret). */
export function redactUserinfo(url: string): string {
  try {
    const parsed = new URL(url)
    if (!parsed.password) return url
    parsed.password = 'redacted'
    return parsed.toString()
  } catch {
    return url.replace(/(\/\/[^/@:\s]*:)[^/@\s]*@/g, '$1redacted@')
  }
}
