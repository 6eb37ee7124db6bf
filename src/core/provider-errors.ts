import * as z from './zod.js'

import {credentialsRejected, ExitCode, FtauthError, providerError} from './errors.js'
import {endpointOf, tryJson, type HttpResponse} from './http.js'

/** RFC 6749 §5.2 token-endpoint error. */
export const OAuthErrorSchema = z.object({error: z.string(), error_description: z.optional(z.string())})
/** RFC 7807 problem details. */
export const ProblemSchema = z.looseObject({
  type: z.optional(z.string()),
  title: z.optional(z.string()),
  status: z.optional(z.number()),
  detail: z.optional(z.string()),
})

export interface ErrorBody {
  kind: 'oauth' | 'problem' | 'unknown'
  /** error code or problem type */
  code: string | undefined
  /** Human text from the provider: error_description, or "title: detail". */
  text: string | undefined
  raw: unknown
}

/** Reads whatever error body a provider sent (OAuth error, problem+json, or nothing usable). */
export function readErrorBody(response: HttpResponse): ErrorBody {
  const json = tryJson(response)
  const oauth = OAuthErrorSchema.safeParse(json)
  if (oauth.success) return {kind: 'oauth', code: oauth.data.error, text: oauth.data.error_description, raw: json}
  const problem = ProblemSchema.safeParse(json)
  if (problem.success && (problem.data.type || problem.data.title)) {
    const text = [problem.data.title, problem.data.detail].filter(Boolean).join(': ')
    return {kind: 'problem', code: problem.data.type, text: text || undefined, raw: json}
  }
  return {kind: 'unknown', code: undefined, text: undefined, raw: json}
}

/**
 * The default mapping of an HTTP error to the exit-code table: 401/invalid_client → 3,
 * invalid_grant → 4 (expired, used or revoked), anything else → 6 with the provider's words.
 */
export function httpErrorToFtauth(response: HttpResponse, what: string, hints: {rejected?: string; expired?: string} = {}): FtauthError {
  const body = readErrorBody(response)
  const where = `${response.method} ${endpointOf(response.url)}`
  const said = body.text ?? body.code
  const suffix = said ? `: ${said}` : ''
  if (response.status === 401 || body.code === 'invalid_client' || body.code === 'unauthorized_client') {
    return credentialsRejected(
      `${what} rejected by ${where} (HTTP ${response.status}${body.code ? ` ${body.code}` : ''})${suffix}`,
      hints.rejected ?? 'check the client id and secret with `ftauth login`',
      {status: response.status, error: body.code},
    )
  }
  if (body.code === 'invalid_grant') {
    return new FtauthError(ExitCode.expiredOrUsed, `${what} failed: the grant is invalid, expired or already used${suffix}`, {
      hint: hints.expired ?? 'start the flow again',
      details: {status: response.status, error: body.code},
    })
  }
  if (body.kind === 'unknown' && response.text().trim() && tryJson(response) === undefined) {
    return providerError(`${where} answered HTTP ${response.status} with a body that is not JSON`, 'run with --trace to see it', {status: response.status})
  }
  return providerError(`${what} failed at ${where} (HTTP ${response.status})${suffix}`, 'run with --trace to see the exchange', {
    status: response.status,
    error: body.code,
  })
}
