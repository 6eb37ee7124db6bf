/**
 * Shuttle for `ftauth call`: the cached access token while it is valid, else a refresh under the
 * lock; a browser login only when a person is at a terminal to do it.
 */
import type {Deps} from '../../core/deps.js'
import {expiredOrUsed} from '../../core/errors.js'
import type {StoredToken} from '../../core/token-cache.js'
import type {TokenOrigin, TokenSource, UsableToken} from '../../core/token-source.js'
import {resolveShuttleClient} from './client-auth.js'
import {refreshShuttleToken, reuseUnless, reuseWhileUsable} from './refresh.js'
import {isUsable, readShuttleToken} from './token-store.js'

export const shuttleTokenSource: TokenSource = {
  provider: 'shuttle',

  apiBase: (deps) => deps.profile.shuttle.apiUrl,

  hosts: (deps) => [...new Set([deps.profile.shuttle.apiUrl, deps.profile.shuttle.authUrl].map((url) => new URL(url).origin))],

  async current(deps) {
    const stored = await readShuttleToken(deps)
    if (stored && isUsable(stored, deps.now())) return usable(stored, 'cache')
    if (stored?.refreshToken) {
      const result = await refreshShuttleToken(deps, {reuse: reuseWhileUsable})
      return usable(result.token, result.origin)
    }
    if (deps.prompter.canPrompt()) {
      deps.report({type: 'notice', text: 'No usable Shuttle token: starting `ftauth shuttle login` in the browser.'})
      // Loaded only here: the login brings a loopback server and the browser launcher.
      const {shuttleLogin} = await import('./login.js')
      return usable((await shuttleLogin(deps)).token, 'new')
    }
    // Not logged in at all is exit 3 like on every other command; a client without a usable token is 4.
    await resolveShuttleClient(deps)
    throw expiredOrUsed(
      stored
        ? `the stored Shuttle access token (${deps.profile.shuttle.env}) expired and there is no refresh token`
        : `no Shuttle token stored for ${deps.profile.shuttle.env} in profile "${deps.profile.name}"`,
      'run `ftauth shuttle login` (a browser flow), then call again',
    )
  },

  async renew(deps: Deps, rejected: string) {
    const result = await refreshShuttleToken(deps, {reuse: reuseUnless(rejected)})
    return usable(result.token, result.origin)
  },
}

function usable(token: StoredToken, origin: TokenOrigin): UsableToken {
  return {token: token.accessToken, expiresAt: new Date(token.expiresAt), scopes: token.scopes, origin}
}
