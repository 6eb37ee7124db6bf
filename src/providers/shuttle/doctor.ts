import type {Deps} from '../../core/deps.js'
import {ExitCode, FtauthError} from '../../core/errors.js'
import {NotVerified} from '../../core/provider-module.js'
import {verifyShuttleClient} from './client-auth.js'

/** `doctor --with-credentials`: a revoke of a token that cannot exist (200 proves the client, 401 rejects it). */
export async function verifyShuttleCredentials(deps: Deps, secret: string): Promise<string> {
  const checked = await verifyShuttleClient(deps, deps.profile.shuttle.authUrl, {clientId: deps.profile.shuttle.clientId ?? '', clientSecret: secret})
  if (checked.verdict === 'rejected') {
    throw new FtauthError(ExitCode.credentialsRejected, 'Shuttle rejected the client id or secret (HTTP 401 invalid_client at /revoke)')
  }
  if (checked.verdict === 'unverified')
    throw new NotVerified(`not verified: ${checked.reason}`, 'run `ftauth shuttle login`: the code exchange shows whether the secret works')
  return 'client accepted by the Shuttle token service (POST /revoke of a dummy token → 200)'
}
