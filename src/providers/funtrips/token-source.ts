import type {Deps} from '../../core/deps.js'
import {withLock} from '../../core/locks.js'
import type {TokenSource, UsableToken} from '../../core/token-source.js'
import {funtripsClient, obtainBackendBearer} from './backend-token.js'
import {expiresIn} from './expiry.js'
import {headlessFlow} from './flows.js'
import {cachedPublicBearer, dropPublicBearer, publicTokenKey} from './public-token.js'
import {checkUserId} from './session.js'

const apiBase = (deps: Deps): string => deps.profile.funtrips.apiUrl

function hosts(deps: Deps): string[] {
  const {apiUrl, authUrl} = deps.profile.funtrips
  return [...new Set([apiUrl, authUrl].map((url) => new URL(url).origin))]
}

/** A new public bearer through the whole headless flow (there is no refresh token: a new session is the renewal). */
async function newPublicBearer(deps: Deps): Promise<UsableToken> {
  const settings = deps.profile.funtrips
  const userId = checkUserId(undefined, settings, deps.env)
  const {bearer} = await headlessFlow(deps, {fresh: false, pkce: false, userId, campaignId: settings.campaignId})
  return {token: bearer.token, expiresAt: bearer.expiresAt, scopes: bearer.scopes, origin: 'new'}
}

/** Serialises the flow per env and client, so parallel `ftauth call`s share one new bearer. */
async function lockedPublic<T>(deps: Deps, run: (clientId: string) => Promise<T>): Promise<T> {
  const {clientId} = await funtripsClient(deps)
  return withLock(deps.paths.locks, `funtrips-${publicTokenKey(deps.profile.funtrips, clientId)}`, () => run(clientId))
}

/** The Funtrips public bearer for `ftauth call`: cached while valid, else backend bearer → session → exchange. */
export const funtripsPublicTokenSource: TokenSource = {
  provider: 'funtrips',
  apiBase,
  hosts,
  current: (deps) =>
    lockedPublic(deps, async (clientId) => {
      const cached = await cachedPublicBearer(deps, clientId)
      if (!cached) return newPublicBearer(deps)
      const expiresAt = new Date(cached.expiresAt)
      deps.report({type: 'step', title: 'Public bearer', outcome: `reused, ${expiresIn(expiresAt, deps.now())}`, status: 'skip'})
      return {token: cached.accessToken, expiresAt, scopes: cached.scopes, origin: 'cache'}
    }),
  renew: (deps, rejected) =>
    lockedPublic(deps, async (clientId) => {
      // Another process may have renewed it meanwhile: use theirs unless it is the rejected one.
      const cached = await cachedPublicBearer(deps, clientId)
      if (cached && cached.accessToken !== rejected) {
        return {token: cached.accessToken, expiresAt: new Date(cached.expiresAt), scopes: cached.scopes, origin: 'cache'}
      }
      await dropPublicBearer(deps, clientId, rejected)
      return newPublicBearer(deps)
    }),
}

/** The backend (client-credentials) bearer for `ftauth call --as backend`: cached while valid; renewal is a fresh grant. */
export const funtripsBackendTokenSource: TokenSource = {
  provider: 'funtrips',
  apiBase,
  hosts,
  current: async (deps) => {
    const bearer = await obtainBackendBearer(deps, {fresh: false})
    return {token: bearer.token, expiresAt: bearer.expiresAt, scopes: bearer.scopes, origin: bearer.origin}
  },
  renew: async (deps) => {
    const bearer = await obtainBackendBearer(deps, {fresh: true})
    return {token: bearer.token, expiresAt: bearer.expiresAt, scopes: bearer.scopes, origin: 'new'}
  },
}
