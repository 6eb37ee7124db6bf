import type {Deps} from '../core/deps.js'
import type {ProviderName} from '../core/config.js'
import {ExitCode, FtauthError} from '../core/errors.js'
import {secretOf} from '../core/profiles.js'
import {redactKnown} from '../core/redact.js'
import {NotVerified, providerModule, type DoctorDeclarations} from '../core/provider-module.js'
import {check, errorMessage, timed, type Check} from './check.js'

/**
 * `--with-credentials`: one real call per provider with the configured credentials (Funtrips client
 * credentials, Fluz marco ping, Shuttle client check). Nothing is stored; an unconfigured provider is a warning.
 */
export async function checkCredentials(deps: Deps, provider: ProviderName): Promise<Check> {
  const settings = deps.profile[provider]
  const module = providerModule(provider)
  const id = `credentials.${provider}`
  const title = `${module.title} credentials (${settings.env})`
  const login = `ftauth login ${provider} --env ${settings.env}${deps.profile.name === 'default' ? '' : ` --profile ${deps.profile.name}`}`
  const {name: secretName, envVar} = secretOf(provider)
  try {
    const missing = (module.doctor as DoctorDeclarations).missingIdentity(settings)
    if (missing) return check(id, title, 'warn', `${missing}: not checked`, {fix: `run \`${login}\``})
    const secret = await deps.store.secret(provider, secretName, {env: settings.env})
    if (!secret) {
      return check(id, title, 'warn', `no ${secretName.replace('_', ' ')} stored or in ${envVar}: not checked`, {fix: `run \`${login}\`, or set ${envVar}`})
    }
    deps.secrets.add(secret.value)
    const {value: detail, ms} = await timed(() => module.doctor.verifyCredentials(deps, secret.value))
    return check(id, title, 'pass', `${detail} (secret from ${secret.source})`, {ms})
  } catch (error) {
    if (error instanceof NotVerified) return check(id, title, 'warn', error.message, {fix: error.fix})
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
