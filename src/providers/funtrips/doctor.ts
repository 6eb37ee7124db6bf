import type {Deps} from '../../core/deps.js'
import {requestBackendToken} from './backend-token.js'

/** `doctor --with-credentials`: client credentials at /oauth/token; the bearer is not kept. */
export async function verifyFuntripsCredentials(deps: Deps, secret: string): Promise<string> {
  const {response} = await requestBackendToken(deps, deps.profile.funtrips, {clientId: deps.profile.funtrips.clientId ?? '', clientSecret: secret})
  return `client credentials accepted: POST /oauth/token → HTTP ${response.status} (the bearer is not kept)`
}
