/**
 * How secrets look in traces, debug output and errors: a JWT keeps its readable header and claims
 * but loses its signature (cannot be replayed); an opaque secret keeps a short prefix and its length.
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
const SECRET_KEYS = new Set(
  [
    'access_token', 'accesstoken', 'token', 'refresh_token', 'refreshtoken', 'id_token',
    'client_secret', 'clientsecret', 'code', 'session_code', 'code_verifier', 'api_key', 'apikey',
    'password', 'secret', 'authorization', 'usertoken', 'assertion',
    // Funtrips' diagrams name the tokens public_bearer and backend_bearer.
    'public_bearer', 'backend_bearer',
  ],
)

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/-/g, '_')) || SECRET_KEYS.has(key.toLowerCase())
}

/** Authorization header: keep the scheme, redact the credential. */
export function redactAuthorization(value: string): string {
  const space = value.indexOf(' ')
  if (space === -1) return redactSecret(value)
  return `${value.slice(0, space)} ${redactSecret(value.slice(space + 1))}`
}

/** Deep-redacts JSON-like data by key name and by known secret values. */
export function redactJson(value: unknown, knownSecrets: readonly string[] = []): unknown {
  if (typeof value === 'string') return redactKnown(value, knownSecrets)
  if (Array.isArray(value)) return value.map((item) => redactJson(item, knownSecrets))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSecretKey(key) && typeof item === 'string' ? redactSecret(item) : redactJson(item, knownSecrets)
    }
    return out
  }
  return value
}

/** Replaces every occurrence of a known secret inside free text (error bodies, URLs). */
export function redactKnown(text: string, knownSecrets: readonly string[]): string {
  let out = text
  for (const secret of knownSecrets) {
    if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(redactSecret(secret))
  }
  return out
}

/** Redacts secret-named parameters of a URL-encoded form or query string. */
export function redactForm(params: URLSearchParams, knownSecrets: readonly string[] = []): string {
  const parts: string[] = []
  for (const [key, item] of params) {
    parts.push(`${key}=${isSecretKey(key) ? redactSecret(item) : redactKnown(item, knownSecrets)}`)
  }
  return parts.join('&')
}
