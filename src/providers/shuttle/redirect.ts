/**
 * Where the authorization response comes back (RFC 8252 §7.3): a loopback listener on a random or
 * chosen port, or a registered redirect URI. A registered loopback URI fixes port and path; any
 * other registered URI cannot reach ftauth, so the user pastes the address the browser landed on.
 */
import {usageError} from '../../core/errors.js'

const DEFAULT_CALLBACK_PATH = '/callback'

export type RedirectPlan =
  | {
      kind: 'loopback'
      host: '127.0.0.1' | '::1'
      /** 0 = pick a free port. */
      port: number
      path: string
      /** The registered URI, sent exactly as registered; undefined = built from the bound port. */
      registered: string | undefined
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
  const source = input.flag !== undefined ? '--redirect-uri' : 'the profile\'s shuttle.redirectUri'
  if (registered === undefined) return {kind: 'loopback', host: '127.0.0.1', port: input.port ?? 0, path: DEFAULT_CALLBACK_PATH, registered: undefined}
  let url: URL
  try {
    url = new URL(registered)
  } catch {
    throw usageError(`${source} "${registered}" is not an absolute URL`, 'pass the redirect URI exactly as registered with Shuttle, e.g. http://127.0.0.1:8765/callback')
  }
  if (registered.includes('#')) throw usageError(`${source} must not contain a fragment (RFC 6749 §3.1.2)`, 'remove the #… part')
  const host = LOOPBACK_HOSTS[url.hostname]
  if (url.protocol === 'http:' && host) {
    const port = Number(url.port || 80)
    if (input.port !== undefined && input.port !== port) {
      throw usageError(`--port ${input.port} disagrees with the registered redirect ${registered} (port ${port})`, 'drop --port, or pass a --redirect-uri with that port')
    }
    return {kind: 'loopback', host, port, path: url.pathname || '/', registered}
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
