/**
 * Where the authorization response comes back (RFC 8252 §7.3). Shuttle requires the redirect to be
 * registered in advance, and a random port cannot be: so the default is one fixed loopback
 * redirect, registered once (DEFAULT_REDIRECT_URI). `--port` moves it to another port, `--port 0`
 * takes a random one (only for servers that accept any loopback port), and a registered URI
 * (--redirect-uri, shuttle.redirectUri) fixes port and path; any non-loopback URI cannot reach
 * ftauth, so the user pastes the address the browser landed on.
 */
import {usageError} from '../../core/errors.js'

const DEFAULT_CALLBACK_PATH = '/callback'
/** The fixed loopback port of the default redirect: register http://127.0.0.1:8765/callback with Shuttle once. */
export const DEFAULT_REDIRECT_PORT = 8765
export const DEFAULT_REDIRECT_URI = `http://127.0.0.1:${DEFAULT_REDIRECT_PORT}${DEFAULT_CALLBACK_PATH}`

export type RedirectPlan =
  | {
      kind: 'loopback'
      host: '127.0.0.1' | '::1'
      /** 0 = pick a free port. */
      port: number
      path: string
      /** The registered URI, sent exactly as registered; undefined = built from the bound port (--port 0). */
      registered: string | undefined
      /** Where the redirect came from, for the port-busy error: `--port`, `--redirect-uri`, the profile, the default. */
      source: string
    }
  | {kind: 'external'; registered: string}

export interface RedirectInput {
  /** --redirect-uri */
  flag: string | undefined
  /** profile shuttle.redirectUri */
  profile: string | undefined
  /** --port */
  port: number | undefined
  /** Whether the user can paste the redirect URL (a terminal is there). */
  canPaste: boolean
}

const LOOPBACK_HOSTS: Record<string, '127.0.0.1' | '::1'> = {'127.0.0.1': '127.0.0.1', localhost: '127.0.0.1', '[::1]': '::1'}

export function planRedirect(input: RedirectInput): RedirectPlan {
  const registered = input.flag ?? input.profile
  const source = input.flag !== undefined ? '--redirect-uri' : "the profile's shuttle.redirectUri"
  if (registered === undefined) {
    const port = input.port ?? DEFAULT_REDIRECT_PORT
    return {
      kind: 'loopback',
      host: '127.0.0.1',
      port,
      path: DEFAULT_CALLBACK_PATH,
      registered: port === 0 ? undefined : `http://127.0.0.1:${port}${DEFAULT_CALLBACK_PATH}`,
      source: input.port === undefined ? 'the default redirect' : '--port',
    }
  }
  let url: URL
  try {
    url = new URL(registered)
  } catch {
    throw usageError(
      `${source} "${registered}" is not an absolute URL`,
      'pass the redirect URI exactly as registered with Shuttle, e.g. http://127.0.0.1:8765/callback',
    )
  }
  if (registered.includes('#')) throw usageError(`${source} must not contain a fragment (RFC 6749 §3.1.2)`, 'remove the #… part')
  const host = LOOPBACK_HOSTS[url.hostname]
  if (url.protocol === 'http:' && host) {
    const port = Number(url.port || 80)
    if (input.port !== undefined && input.port !== port) {
      throw usageError(
        `--port ${input.port} disagrees with the registered redirect ${registered} (port ${port})`,
        'drop --port, or pass a --redirect-uri with that port',
      )
    }
    return {kind: 'loopback', host, port, path: url.pathname || '/', registered, source}
  }
  if (input.port !== undefined) throw usageError(`--port only applies to a loopback redirect, not ${registered}`, 'drop --port')
  if (!input.canPaste) {
    throw usageError(
      `the redirect ${registered} is not a loopback address, so ftauth cannot receive it, and there is no terminal to paste it into`,
      'run in a terminal, or register and use a loopback redirect such as http://127.0.0.1:8765/callback',
    )
  }
  return {kind: 'external', registered}
}
