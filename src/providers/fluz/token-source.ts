import type {Deps} from '../../core/deps.js'
import type {TokenSource, UsableToken} from '../../core/token-source.js'
import {fluzTokenRequest, resolveFluzIds, resolveFluzScopes, type FluzTokenRequest} from './request.js'
import {DEFAULT_MIN_TTL_SECONDS, obtainFluzToken, renewFluzToken, type FluzTokenResult} from './token-flow.js'

/**
 * The profile's token request, without asking anyone: ids from env/profile, scopes from the profile,
 * else those of the newest cached token for these ids; neither → exit 2 naming --scopes and `ftauth config`.
 */
async function profileRequest(deps: Deps): Promise<FluzTokenRequest> {
  const ids = resolveFluzIds(deps, {})
  const {scopes} = await resolveFluzScopes(deps, ids, [], 'cache')
  return fluzTokenRequest(deps, ids, scopes)
}

const usable = (result: FluzTokenResult): UsableToken => ({
  token: result.accessToken,
  expiresAt: result.expiresAt,
  scopes: result.scopes,
  origin: result.source,
})

/** Fluz user access tokens for `ftauth call`: Bearer against the GraphQL endpoint. */
export const fluzTokenSource: TokenSource = {
  provider: 'fluz',
  apiBase: (deps) => deps.profile.fluz.url,
  // Profile URLs are valid here: the config schema and resolveProfile check them.
  hosts: (deps) => [new URL(deps.profile.fluz.url).origin],
  async current(deps) {
    return usable(await obtainFluzToken(deps, await profileRequest(deps), {minTtlSeconds: DEFAULT_MIN_TTL_SECONDS, fresh: false}))
  },
  /** After a 401: refresh under the lock (or reuse what another process stored), else regenerate. */
  async renew(deps, rejected) {
    return usable(await renewFluzToken(deps, await profileRequest(deps), rejected))
  },
}
