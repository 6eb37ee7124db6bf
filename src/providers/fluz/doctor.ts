import type {Deps} from '../../core/deps.js'
import {pingFluz} from './graphql.js'

/** `doctor --with-credentials`: the documented `marco` ping with the API key. */
export async function verifyFluzCredentials(deps: Deps, secret: string): Promise<string> {
  await pingFluz(deps, deps.profile.fluz.url, secret)
  return 'API key accepted: marco → polo'
}
