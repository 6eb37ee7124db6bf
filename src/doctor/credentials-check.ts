import type {Deps} from '../core/deps.js'
import type {ProviderName} from '../core/config.js'
import {ExitCode, FtauthError} from '../core/errors.js'
import {secretOf} from '../core/profiles.js'
import {redactKnown} from '../core/redact.js'
import {pingFluz} from '../providers/fluz/graphql.js'
import {requestBackendToken} from '../providers/funtrips/backend-token.js'
import {verifyShuttleClient} from '../providers/shuttle/client-auth.js'
import {title as providerTitle} from '../providers/titles.js'
import {check, errorMessage, timed, type Check} from './check.js'

/**
 * `--with-credentials`: one real call per provider with the configured credentials (Funtrips client
 * credentials, Fluz marco ping, Shuttle client check). Nothing is stored; an unconfigured provider is a warning.
 */
export async function checkCredentials(deps: Deps, provider: ProviderName): Promise<Check> {
  const settings = deps.profile[provider]
  const id = `credentials.${provider}`
  const title = `${providerTitle(provider)} credentials (${settings.env})`
  const login = `ftauth login ${provider} --env ${settings.env}${deps.profile.name === 'default' ? '' : ` --profile ${deps.profile.name}`}`
  const {name: secretName, envVar} = secretOf(provider)
  try {
    const clientId = provider === 'fluz' ? '' : deps.profile[provider].clientId
    if (!clientId && provider !== 'fluz') {
      return check(id, title, 'warn', `no ${providerTitle(provider)} client id configured: not checked`, {fix: `run \`${login}\``})
    }
    if (provider === 'fluz' && (!deps.profile.fluz.userId || !deps.profile.fluz.accountId)) {
      return check(id, title, 'warn', 'no Fluz user id and account id configured: not checked', {fix: `run \`${login}\``})
    }
    const secret = await deps.store.secret(provider, secretName, {env: settings.env})
    if (!secret) {
      return check(id, title, 'warn', `no ${secretName.replace('_', ' ')} stored or in ${envVar}: not checked`, {fix: `run \`${login}\`, or set ${envVar}`})
    }
    deps.secrets.add(secret.value)
    const {value: detail, ms} = await timed(() => verify(deps, provider, clientId ?? '', secret.value))
    return check(id, title, 'pass', `${detail} (secret from ${secret.source})`, {ms})
  } catch (error) {
    if (error instanceof NotVerified) return check(id, title, 'warn', error.message, {fix: 'run `ftauth shuttle login`: the code exchange shows whether the secret works'})
    const message = redactKnown(errorMessage(error), [...deps.secrets])
    const fix =
      error instanceof FtauthError && error.exitCode === ExitCode.credentialsRejected
        ? `store the right credentials with \`${login}\`${envVar && deps.env[envVar] ? ` (or correct ${envVar}, which wins over the keychain)` : ''}`
        : error instanceof FtauthError && error.hint
          ? error.hint
          : `run \`${login}\` to check them step by step`
    return check(id, title, 'fail', message, {fix})
  }
}

async function verify(deps: Deps, provider: ProviderName, clientId: string, secret: string): Promise<string> {
  if (provider === 'funtrips') {
    const {response} = await requestBackendToken(deps, deps.profile.funtrips, {clientId, clientSecret: secret})
    return `client credentials accepted: POST /oauth/token → HTTP ${response.status} (the bearer is not kept)`
  }
  if (provider === 'fluz') {
    await pingFluz(deps, deps.profile.fluz.url, secret)
    return 'API key accepted: marco → polo'
  }
  const checked = await verifyShuttleClient(deps, deps.profile.shuttle.authUrl, {clientId, clientSecret: secret})
  if (checked.verdict === 'rejected') {
    throw new FtauthError(ExitCode.credentialsRejected, 'Shuttle rejected the client id or secret (HTTP 401 invalid_client at /revoke)')
  }
  if (checked.verdict === 'unverified') throw new NotVerified(`not verified: ${checked.reason}`)
  return 'client accepted by the Shuttle token service (POST /revoke of a dummy token → 200)'
}


/** The check ran but proved nothing either way: a warning, not a failure. */
class NotVerified extends Error {}
