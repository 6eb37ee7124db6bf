import {randomUUID} from 'node:crypto'
import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import {credentialsRejected, providerError, usageError} from '../../core/errors.js'
import {endpointOf, parseJsonResponse, type HttpResponse} from '../../core/http.js'
import {httpErrorToFtauth, readErrorBody} from '../../core/provider-errors.js'
import type {FuntripsSettings} from './settings.js'

export type Integration = 'headless' | 'webframe'

/** POST /v1/session → the one-time code; anything else the provider adds is kept (and shown by --json). */
export const SessionResponse = z.looseObject({
  session_code: z.string().check(z.regex(/^\S+$/, 'must be a non-empty string without spaces')),
  // The prose and the reference name it; the diagram's answer is `{ session_code }` alone. Without
  // it the code is taken to live the documented default (300 s, or the --code-ttl asked for).
  code_expires_at: z.optional(z.iso.datetime({offset: true})),
  pkce_required: z.optional(z.boolean()),
  frame_url: z.optional(z.url({protocol: /^https?$/})),
})
export type SessionResponse = z.infer<typeof SessionResponse>

export interface SessionRequest {
  integration: Integration
  /** external_user_id, 1–128 characters (documented on "Generate authorization code"). */
  userId: string
  /** Code lifetime in seconds, 60–900 (documented range; the field name `code_ttl` is a guess). */
  codeTtlSeconds?: number | undefined
  campaignId?: string | undefined
  /** S256 challenge (RFC 7636 §4.2); headless only. */
  codeChallenge?: string | undefined
}

/**
 * Sends POST /v1/session with the backend bearer and returns the raw response, so the caller can
 * retry once with a fresh bearer after a 401 (a 401 creates no code). The UUID Idempotency-Key
 * (documented on "Generate authorization code") makes the HTTP client's retries after 5xx/429 safe:
 * a replay returns the same code instead of minting a second one.
 */
export async function postSession(deps: Deps, settings: FuntripsSettings, bearer: string, request: SessionRequest): Promise<HttpResponse> {
  deps.secrets.add(bearer)
  return deps.http.request({
    method: 'POST',
    url: `${settings.apiUrl}/v1/session`,
    headers: {authorization: `Bearer ${bearer}`, 'idempotency-key': randomUUID()},
    json: {
      integration: request.integration,
      external_user_id: request.userId,
      ...(request.codeTtlSeconds === undefined ? {} : {code_ttl: request.codeTtlSeconds}),
      ...(request.campaignId ? {campaign_id: request.campaignId} : {}),
      ...(request.codeChallenge ? {code_challenge: request.codeChallenge, code_challenge_method: 'S256'} : {}),
    },
    idempotent: true,
    secrets: [bearer],
  })
}

/** Validates a POST /v1/session answer; errors map to the exit-code table. */
export function readSession(deps: Deps, response: HttpResponse, integration: Integration): SessionResponse {
  if (response.status === 401 || response.status === 403) {
    const said = readErrorBody(response).text
    throw credentialsRejected(
      `Funtrips refused to create a session: ${response.method} ${endpointOf(response.url)} answered HTTP ${response.status}${said ? ` (${said})` : ''}`,
      response.status === 403
        ? 'this client may not create sessions (scope session:create); ask Funtrips to enable it'
        : 'the backend bearer was rejected; retry with --fresh, or check the client with `ftauth login funtrips`',
      {status: response.status},
    )
  }
  if (response.status >= 400) throw httpErrorToFtauth(response, 'Funtrips session creation')
  const session = parseJsonResponse(response, SessionResponse)
  deps.secrets.add(session.session_code)
  if (integration === 'webframe' && !session.frame_url) {
    throw providerError(
      `${response.method} ${endpointOf(response.url)} returned no frame_url for a webframe session (HTTP ${response.status})`,
      'check the base URL for this environment (`ftauth config list`), or run with --trace',
    )
  }
  return session
}

/**
 * `frame_url?session_code=…`, merged into whatever query the frame URL already has (the docs'
 * example has none, real ones may carry a theme or locale): the existing query is kept byte for
 * byte, a stale session_code is replaced, and a #fragment stays last.
 */
export function frameUrlWithCode(frameUrl: string, code: string): string {
  const url = new URL(frameUrl)
  if (url.searchParams.has('session_code')) {
    url.searchParams.set('session_code', code)
    return url.toString()
  }
  const existing = url.search.replace(/^\?/, '').replace(/&+$/, '')
  url.search = `${existing ? `${existing}&` : ''}session_code=${encodeURIComponent(code)}`
  return url.toString()
}

/** How a session code is named in messages: its kind prefix and four characters (`sc_8f4f…`), never whole. */
export function codePrefix(code: string): string {
  const kind = /^[A-Za-z]{1,8}_/.exec(code)?.[0] ?? ''
  // A short code would be half given away by four characters.
  return code.length - kind.length >= 16 ? `${code.slice(0, kind.length + 4)}…` : `${kind}…`
}

/** Documented on "Generate authorization code": the user identifier is 1–128 characters. */
export const USER_ID_MAX = 128
/** Documented code lifetime range, in seconds; the server's default is 300. */
export const CODE_TTL_RANGE = {min: 60, max: 900} as const
export const DEFAULT_CODE_TTL_SECONDS = 300

/**
 * The session's user from --user > FTAUTH_FUNTRIPS_USER > profile funtrips.userId (> the demo user
 * for `--env local`): missing or invalid is a usage error, before anything is sent.
 */
export function checkUserId(flag: string | undefined, settings: FuntripsSettings, env: NodeJS.ProcessEnv): string {
  const value = flag ?? settings.userId
  if (value === undefined) {
    throw usageError(
      'no Funtrips user for the session (the code is tied to a user: external_user_id)',
      'pass --user <id>, set FTAUTH_FUNTRIPS_USER, or `ftauth config set funtrips.userId <id>` (usually an email)',
    )
  }
  const source = flag !== undefined ? '--user' : env.FTAUTH_FUNTRIPS_USER ? 'FTAUTH_FUNTRIPS_USER' : 'funtrips.userId'
  if (value.trim() === '') throw usageError(`${source} is empty`, 'give the user id Funtrips should tie the code to (1–128 characters, usually an email)')
  if (value.length > USER_ID_MAX)
    throw usageError(`${source} is ${value.length} characters; Funtrips takes 1–${USER_ID_MAX}`, 'give a shorter user id (usually an email)')
  return value
}

/** --code-ttl: whole seconds within the documented 60–900, else a usage error before any request. */
export function checkCodeTtl(value: number | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || value < CODE_TTL_RANGE.min || value > CODE_TTL_RANGE.max) {
    throw usageError(
      `--code-ttl ${value} is outside ${CODE_TTL_RANGE.min}–${CODE_TTL_RANGE.max} seconds (the range Funtrips documents)`,
      `pass --code-ttl between ${CODE_TTL_RANGE.min} and ${CODE_TTL_RANGE.max}, or omit it for the server's default (300)`,
    )
  }
  return value
}
