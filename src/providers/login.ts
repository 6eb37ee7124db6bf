import type {Deps} from '../core/deps.js'
import {updateProfileLocked, withConfigLock, type EnvName, type Profile, type ProviderName} from '../core/config.js'
import {credentialsRejected} from '../core/errors.js'
import {obtainSecret, obtainValue} from '../core/prompt.js'
import {requestBackendToken} from './funtrips/backend-token.js'
import {pingFluz} from './fluz/graphql.js'
import {verifyShuttleClient} from './shuttle/client-auth.js'
import {title} from './titles.js'
import * as z from '../core/zod.js'

export interface LoginInput {
  provider: ProviderName
  /** --default: make this login's environment the provider's default in the profile. */
  makeDefault?: boolean
  verify: boolean
  clientId?: string | undefined
  secretFromStdin: boolean
  userId?: string | undefined
  accountId?: string | undefined
  seatId?: string | undefined
  redirectUri?: string | undefined
}

export interface LoginResult {
  provider: ProviderName
  profile: string
  env: EnvName
  /** Non-secret identity: client id, or Fluz user/account ids. */
  identity: Record<string, string>
  /** The provider's default environment in the profile changed to `env` (--default). */
  madeDefault: boolean
  verified: boolean
  /** Set when the check ran but could not tell (the secret is stored unverified). */
  notVerifiedBecause?: string
  storage: string
}

const uuid = (input: string) => (z.uuid().safeParse(input.trim()).success ? true : 'must be a UUID, e.g. 3f1c…-…')

/**
 * Asks for what the provider needs, verifies it with one real call (unless --no-verify), then stores
 * the secret in the keychain and the ids in the profile. On any failure nothing is stored.
 */
export async function login(deps: Deps, input: LoginInput): Promise<LoginResult> {
  const {provider} = input
  const env = deps.profile[provider].env
  const started = Date.now()
  let identity: Record<string, string>
  let secretName: string
  let secret: string
  let profileChange: (profile: Profile) => Profile
  /** Why a check ran but proved nothing (Shuttle's revoke answering 400 before looking at the client). */
  let unverified: string | undefined

  if (provider === 'fluz') {
    const fluz = deps.profile.fluz
    const userId = await obtainValue(deps.prompter, {label: 'Fluz user id (UUID)', flag: 'user-id', value: input.userId, fallback: fluz.userId, validate: uuid})
    const accountId = await obtainValue(deps.prompter, {
      label: 'Fluz account id (UUID)',
      flag: 'account-id',
      value: input.accountId,
      fallback: fluz.accountId,
      validate: uuid,
    })
    if (input.seatId !== undefined && uuid(input.seatId) !== true)
      await obtainValue(deps.prompter, {label: 'seat', flag: 'seat-id', value: input.seatId, validate: uuid})
    secret = await obtainSecret(deps.prompter, {label: 'Fluz API key (base64 of app_id:app_secret)', stdinFlag: 'api-key', fromStdin: input.secretFromStdin})
    secretName = 'api_key'
    identity = {userId, accountId, ...(input.seatId ? {seatId: input.seatId} : {})}
    const ids = {userId, accountId, ...(input.seatId ? {seatId: input.seatId} : {})}
    profileChange = (profile) => ({
      ...profile,
      fluz: {
        ...profile.fluz,
        ids: {...profile.fluz?.ids, [env]: {...profile.fluz?.ids?.[env], ...ids}},
        ...(input.makeDefault ? {env} : {}),
      },
    })
    if (input.verify) {
      await pingFluz(deps, fluz.url, secret)
      deps.report({type: 'step', title: 'Verify', outcome: `API key accepted by Fluz (marco → polo)`, request: `POST ${fluz.url}`, ms: Date.now() - started})
    }
  } else {
    const settings = deps.profile[provider]
    const clientId = await obtainValue(deps.prompter, {
      label: `${title(provider)} client id`,
      flag: 'client-id',
      value: input.clientId,
      fallback: settings.clientId,
    })
    secret = await obtainSecret(deps.prompter, {label: `${title(provider)} client secret`, stdinFlag: 'client-secret', fromStdin: input.secretFromStdin})
    secretName = 'client_secret'
    identity = {clientId}
    profileChange = (profile) => ({
      ...profile,
      [provider]: {
        ...profile[provider],
        ids: {...profile[provider]?.ids, [env]: {...profile[provider]?.ids?.[env], clientId}},
        ...(provider === 'shuttle' && input.redirectUri ? {redirectUri: input.redirectUri} : {}),
        ...(input.makeDefault ? {env} : {}),
      },
    })
    if (input.verify && provider === 'funtrips') {
      const {response} = await requestBackendToken(deps, deps.profile.funtrips, {clientId, clientSecret: secret})
      deps.report({
        type: 'step',
        title: 'Verify',
        outcome: 'client credentials accepted (backend bearer issued)',
        request: `POST /oauth/token ${response.status}`,
        ms: response.ms,
      })
    }
    if (input.verify && provider === 'shuttle') {
      const check = await verifyShuttleClient(deps, deps.profile.shuttle.authUrl, {clientId, clientSecret: secret})
      if (check.verdict === 'rejected') {
        throw credentialsRejected(
          'Shuttle rejected the client id or secret (HTTP 401 invalid_client)',
          'check both in the Shuttle partner portal; sandbox and live have separate ones',
        )
      }
      if (check.verdict === 'unverified') {
        unverified = check.reason
        deps.report({
          type: 'step',
          title: 'Verify',
          outcome: `not verified: ${check.reason}; \`ftauth shuttle login\` will show whether the secret works`,
          request: `POST /revoke ${check.status}`,
          status: 'warn',
        })
      } else {
        deps.report({type: 'step', title: 'Verify', outcome: 'client accepted by the Shuttle token service', request: `POST /revoke ${check.status}`})
      }
    }
  }
  deps.secrets.add(secret)
  await storeIdentity(deps, {provider, secretName, env, secret, profileChange})
  deps.report({type: 'step', title: 'Store', outcome: `${secretName.replace('_', ' ')} saved in the ${deps.store.backend.label}; ids saved for ${env} only`})
  const madeDefault = input.makeDefault === true
  if (madeDefault) deps.report({type: 'step', title: 'Default', outcome: `${title(provider)} now uses ${env} by default in profile ${deps.profile.name}`})
  return {
    provider,
    profile: deps.profile.name,
    env,
    identity,
    madeDefault,
    verified: input.verify && unverified === undefined,
    ...(unverified ? {notVerifiedBecause: unverified} : {}),
    storage: deps.store.backend.kind,
  }
}

/**
 * The secret and the ids that go with it, as one unit under the config lock: the secret first, then
 * the profile; if the profile cannot be written the previous secret is put back. Parallel logins
 * of one provider therefore always leave a matching id/secret pair, and of different providers
 * lose nothing.
 */
export async function storeIdentity(
  deps: Deps,
  input: {provider: ProviderName; secretName: string; env: EnvName; secret: string; profileChange: (profile: Profile) => Profile},
): Promise<void> {
  const {provider, secretName, env, secret} = input
  await withConfigLock(deps.paths.config, async () => {
    const previous = await deps.store.get(provider, `${env}.${secretName}`)
    await deps.store.setSecret(provider, secretName, {env}, secret)
    try {
      await updateProfileLocked(deps.paths.config, deps.profile.name, input.profileChange)
    } catch (error) {
      // Put the old secret back (or remove the new one) so the store never pairs it with the old ids.
      const restore = previous === null ? deps.store.delete(provider, `${env}.${secretName}`) : deps.store.setSecret(provider, secretName, {env}, previous)
      await restore.catch(() => undefined)
      throw error
    }
  })
}
