/**
 * Reading the authorization response (RFC 6749 §4.1.2 and §4.1.2.1) that comes back on the redirect
 * or is pasted by the user: the state must match, errors become one clear line with an exit code.
 */
import {credentialsRejected, ExitCode, FtauthError, networkError, providerError} from '../../core/errors.js'

export type CallbackVerdict = {ok: true; code: string} | {ok: false; error: FtauthError}

const AGAIN = 'run `ftauth shuttle login` again'

/**
 * What an authorization response means for this login. undefined = it carries neither `code` nor
 * `error` (not a response). `expectedState` undefined = a bare pasted code, which has no state.
 */
export function interpretCallback(params: URLSearchParams, expectedState: string | undefined): CallbackVerdict | undefined {
  const code = params.get('code')
  const error = params.get('error')
  if (!code && !error) return undefined
  // RFC 6749 §10.12: a response whose state is not ours may be forged (CSRF) or from another login.
  if (expectedState !== undefined && params.get('state') !== expectedState) {
    return {
      ok: false,
      error: credentialsRejected(
        `the redirect's state ${params.has('state') ? 'does not match' : 'is missing'}: it does not belong to this login (a forged redirect, or a tab from an earlier login); no code was exchanged`,
        AGAIN,
        {error: 'state_mismatch'},
      ),
    }
  }
  if (error) return {ok: false, error: authorizationError(error, params.get('error_description') ?? undefined)}
  return {ok: true, code: code as string}
}

/** RFC 6749 §4.1.2.1 error codes, each with the exit code and fix a user needs. */
function authorizationError(code: string, description: string | undefined): FtauthError {
  const said = `${code}${description ? `: ${description}` : ''}`
  const details = {error: code}
  switch (code) {
    case 'access_denied':
      return credentialsRejected(`the merchant denied access at the Shuttle consent page (${said})`, `${AGAIN} and choose Approve`, details)
    case 'unauthorized_client':
      return credentialsRejected(
        `Shuttle does not allow this client to use the authorization code flow (${said})`,
        'check the client in the Shuttle partner portal',
        details,
      )
    case 'invalid_scope':
      return new FtauthError(ExitCode.usage, `Shuttle rejected the requested scope (${said})`, {
        hint: 'request scopes the client may use with --scope (or set shuttle.scope in the profile)',
        details,
      })
    case 'temporarily_unavailable':
      return networkError(`Shuttle's authorization server is temporarily unavailable (${said})`, `wait a moment, then ${AGAIN}`)
    case 'server_error':
      return providerError(`Shuttle's authorization server failed (${said})`, `${AGAIN} later`, details)
    case 'invalid_request':
    case 'unsupported_response_type':
      return providerError(
        `Shuttle rejected the authorization request (${said})`,
        'check that the redirect URI is registered for the client and the authorize URL (`ftauth config list`)',
        details,
      )
    default:
      return providerError(`the authorization failed (${said})`, AGAIN, details)
  }
}

/**
 * A pasted redirect URL (`http://127.0.0.1:…/callback?code=…&state=…`), a bare query string, or
 * a bare code. Returns the parameters and whether a state must be checked.
 */
export function parsePasted(text: string): {params: URLSearchParams; checkState: boolean} | undefined {
  const value = text.trim()
  if (!value) return undefined
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      const url = new URL(value)
      return hasResponse(url.searchParams) ? {params: url.searchParams, checkState: true} : undefined
    } catch {
      return undefined
    }
  }
  if (value.includes('=')) {
    const params = new URLSearchParams(value.replace(/^[?#]/, ''))
    return hasResponse(params) ? {params, checkState: true} : undefined
  }
  // A bare code: whatever the server issues, it has no whitespace.
  if (/\s/.test(value)) return undefined
  return {params: new URLSearchParams({code: value}), checkState: false}
}

function hasResponse(params: URLSearchParams): boolean {
  return Boolean(params.get('code') || params.get('error'))
}
