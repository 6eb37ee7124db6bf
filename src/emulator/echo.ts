// Hostile-provider faults: answers that echo back the credentials a request carried, in every
// encoding a careless or malicious server might use, so leak tests can prove a client masks them.
import type {EmuRequest, EmuResponse} from './http.js'
import {json} from './http.js'

/** The credential values a request carried: Authorization (and the parts of a Basic pair), secret-looking form and JSON fields. */
export function credentialsOf(request: Pick<EmuRequest, 'headers' | 'body'>): string[] {
  const found = new Set<string>()
  const authorization = request.headers.authorization
  const auth = Array.isArray(authorization) ? authorization[0] : authorization
  if (auth) {
    const [scheme, value = ''] = auth.split(/\s+/, 2)
    if (value) found.add(value)
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon > 0) found.add(decodeURIComponent(decoded.slice(colon + 1)))
    }
  }
  const add = (key: string, value: unknown) => {
    if (typeof value === 'string' && value.length >= 8 && /secret|token|key|code|verifier|password|assertion/i.test(key)) found.add(value)
  }
  const walk = (node: unknown, key = ''): void => {
    if (Array.isArray(node)) for (const item of node) walk(item, key)
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k)
    else add(key, node)
  }
  try {
    walk(JSON.parse(request.body))
  } catch {
    for (const [key, value] of new URLSearchParams(request.body)) add(key, value)
  }
  return [...found]
}

/** One secret in each echoed form: raw, URL- and form-encoded, base64 alone and in a Basic pair, JSON-escaped, hex, cut off. */
export function echoedForms(secret: string, clientId = 'echo_client') {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')
  return {
    raw: secret,
    urlEncoded: encodeURIComponent(secret),
    formEncoded: new URLSearchParams({v: secret}).toString().slice(2),
    base64: b64(secret),
    base64url: Buffer.from(secret, 'utf8').toString('base64url'),
    basic: `Basic ${b64(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`)}`,
    jsonEscaped: JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
    jsonUnicode: [...secret].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    hex: Buffer.from(secret, 'utf8').toString('hex'),
    cutOff: `${secret.slice(0, Math.max(12, secret.length - 6))}…`,
  }
}

export type EchoKind = 'echo-oauth' | 'echo-graphql' | 'echo-text'

/**
 * - echo-oauth: HTTP 400 OAuth error whose error_description and extra fields repeat the credentials;
 * - echo-graphql: HTTP 200 GraphQL `errors[]` with the credentials in messages and nested extensions;
 * - echo-text: HTTP 400 text/plain whose 500-character mark falls inside a credential.
 */
export function echoResponse(kind: EchoKind, request: Pick<EmuRequest, 'headers' | 'body'>): EmuResponse {
  const secrets = credentialsOf(request)
  const forms = secrets.map((secret) => echoedForms(secret))
  const sentence = forms
    .map((f) =>
      Object.entries(f)
        .map(([name, value]) => `${name}=${value}`)
        .join(' '),
    )
    .join(' | ')
  switch (kind) {
    case 'echo-oauth':
      return json(400, {error: 'invalid_request', error_description: `rejected credentials: ${sentence}`, echo: forms})
    case 'echo-graphql':
      return json(200, {
        data: null,
        errors: forms.map((f) => ({
          message: `invalid api key ${f.raw} (${f.urlEncoded})`,
          extensions: {
            code: 'ECHO',
            received: {authorization: f.basic, encodings: [f.base64, f.base64url, f.jsonEscaped, f.jsonUnicode, f.formEncoded, f.hex], cutOff: f.cutOff},
          },
        })),
      })
    case 'echo-text': {
      const first = secrets[0] ?? ''
      // A client that cuts its trace at 500 characters before masking would print the head of the secret.
      const lead = `bad credentials `.padEnd(500 - Math.floor(first.length / 2), '.')
      return {status: 400, headers: {'Content-Type': 'text/plain; charset=utf-8'}, body: `${lead}${first} then ${sentence}`}
    }
  }
}
