import type {Deps} from '../../core/deps.js'
import {ExitCode, FtauthError, usageError} from '../../core/errors.js'
import {funtripsClient, obtainBackendBearer, type BackendBearer} from './backend-token.js'
import {exchangeSessionCode} from './exchange.js'
import {expiresIn, serverInstantToLocal} from './expiry.js'
import {createPkcePair, type PkcePair} from '../../core/pkce.js'
import {findVerifier, forgetVerifier, storeVerifier} from './pkce.js'
import {storePublicBearer, type PublicBearer} from './public-token.js'
import {codePrefix, DEFAULT_CODE_TTL_SECONDS, frameUrlWithCode, postSession, readSession, type Integration, type SessionResponse} from './session.js'

export interface CreateSessionOptions {
  integration: Integration
  /** external_user_id: the user the code is tied to (checked with checkUserId before). */
  userId: string
  /** Requested code lifetime in seconds (60–900); undefined = the server's default. */
  codeTtlSeconds?: number | undefined
  campaignId?: string | undefined
  pkce: boolean
  /** Skip the cached backend bearer. */
  fresh: boolean
  /** Keep the PKCE verifier in the keychain for a later `session exchange` (not needed when exchanging at once). */
  keepVerifier: boolean
}

export interface CreatedSession {
  integration: Integration
  /** The external_user_id sent. */
  userId: string
  /** The provider's answer, every field as sent. */
  session: SessionResponse
  code: string
  /** code_expires_at in our clock (the documented lifetime when the server sent none). */
  codeExpiresAt: Date
  codeExpiryBasis: 'code_expires_at' | 'documented default'
  /** frame_url with the session code merged in (webframe only). */
  frameUrl: string | undefined
  pkce: PkcePair | undefined
  verifierStored: boolean
  backend: BackendBearer
}

export const WEBFRAME_PKCE_REFUSED = usageError(
  '--pkce cannot be used with --webframe: the Funtrips frame exchanges the code itself, so PKCE is not supported there (Funtrips docs)',
  'drop --pkce, or use --headless --pkce',
)

/** Steps 1–2 of the documented flow: backend bearer (cached or new), then POST /v1/session. */
export async function createSessionFlow(deps: Deps, options: CreateSessionOptions): Promise<CreatedSession> {
  if (options.integration === 'webframe' && options.pkce) throw WEBFRAME_PKCE_REFUSED
  const settings = deps.profile.funtrips
  let backend = await obtainBackendBearer(deps, {fresh: options.fresh})
  const pkce = options.pkce ? createPkcePair() : undefined
  if (pkce) deps.secrets.add(pkce.verifier)
  const request = {
    integration: options.integration,
    userId: options.userId,
    codeTtlSeconds: options.codeTtlSeconds,
    campaignId: options.campaignId,
    codeChallenge: pkce?.challenge,
  }
  let response = await postSession(deps, settings, backend.token, request)
  if (response.status === 401 && backend.origin === 'cache') {
    // A cached bearer can be revoked before its expiry; a 401 created no code, so asking again is safe.
    deps.report({
      type: 'step',
      title: 'Session',
      outcome: 'cached backend bearer rejected; getting a new one',
      request: 'POST /v1/session 401',
      ms: response.ms,
      status: 'warn',
    })
    backend = await obtainBackendBearer(deps, {fresh: true})
    response = await postSession(deps, settings, backend.token, request)
  }
  const session = readSession(deps, response, options.integration)
  const now = deps.now()
  const codeExpiresAt = session.code_expires_at
    ? serverInstantToLocal(new Date(session.code_expires_at), response, now)
    : new Date(now.getTime() + (options.codeTtlSeconds ?? DEFAULT_CODE_TTL_SECONDS) * 1000)
  const expiryBasis = session.code_expires_at ? 'code_expires_at' : 'documented default'
  deps.report({
    type: 'step',
    title: 'Session',
    outcome: `created ${codePrefix(session.session_code)} for ${options.userId} (${options.integration}${pkce ? ', PKCE S256' : ''}), code ${expiresIn(codeExpiresAt, now)}${session.code_expires_at ? '' : ' (no code_expires_at: the documented default)'}`,
    request: `POST /v1/session ${response.status}`,
    ms: response.ms,
  })
  if (pkce && session.pkce_required === false) {
    deps.report({type: 'warn', text: 'Funtrips answered pkce_required=false although a code_challenge was sent; the verifier is sent at the exchange anyway'})
  }
  let verifierStored = false
  if (pkce && options.keepVerifier) {
    await storeVerifier(deps, settings.env, session.session_code, pkce.verifier, codeExpiresAt)
    verifierStored = true
    deps.report({type: 'step', title: 'PKCE', outcome: `code_verifier kept in the ${deps.store.backend.label} for \`ftauth session exchange\``})
  }
  return {
    integration: options.integration,
    userId: options.userId,
    session,
    code: session.session_code,
    codeExpiresAt,
    codeExpiryBasis: expiryBasis,
    frameUrl: session.frame_url ? frameUrlWithCode(session.frame_url, session.session_code) : undefined,
    pkce,
    verifierStored,
    backend,
  }
}

export type VerifierSource = 'stdin' | 'stored' | 'session'

export interface ExchangeOptions {
  code: string
  /** From --code-verifier-stdin or the session just created; otherwise the one stored for this code, if any. */
  verifier?: string | undefined
  verifierSource?: VerifierSource | undefined
}

export interface ExchangedBearer extends PublicBearer {
  /** Where the PKCE code_verifier came from; undefined when none was sent. */
  verifierSource: VerifierSource | undefined
}

/** Step 3: the code (with client credentials, and the verifier for PKCE codes) → public bearer, stored for `ftauth call`. */
export async function exchangeFlow(deps: Deps, options: ExchangeOptions): Promise<ExchangedBearer> {
  const settings = deps.profile.funtrips
  const client = await funtripsClient(deps)
  deps.secrets.add(options.code)
  let verifier = options.verifier
  let verifierSource = verifier ? (options.verifierSource ?? 'stdin') : undefined
  if (!verifier) {
    verifier = await findVerifier(deps, settings.env, options.code)
    if (verifier) verifierSource = 'stored'
  }
  const remembered = await deps.tokens.serverChoices('funtrips', settings.env)
  let answer: Awaited<ReturnType<typeof exchangeSessionCode>>
  try {
    answer = await exchangeSessionCode(deps, settings, {code: options.code, client, verifier}, remembered)
  } catch (error) {
    // Expired, used or refused: the code is spent, so is its verifier. Other failures keep it for a retry.
    if (verifierSource === 'stored' && error instanceof FtauthError && error.exitCode === ExitCode.expiredOrUsed) {
      await forgetVerifier(deps, settings.env, options.code)
    }
    throw error
  }
  if (verifierSource === 'stored') await forgetVerifier(deps, settings.env, options.code)
  // What this server accepted is tried first next time (a configured path stays the profile's business).
  if (answer.choice !== 'configured')
    await deps.tokens.rememberServerChoices('funtrips', settings.env, {exchangePath: answer.path, exchangeField: answer.field})
  const bearer = await storePublicBearer(deps, client.clientId, answer)
  deps.report({
    type: 'step',
    title: 'Exchange',
    outcome: `public bearer issued by ${answer.path} (code as ${answer.field}, ${answer.choice})${verifierSource ? ' (code_verifier sent)' : ''}, ${expiresIn(bearer.expiresAt, bearer.obtainedAt)}`,
    request: `POST ${answer.path} ${answer.response.status}`,
    ms: answer.response.ms,
  })
  deps.report({type: 'step', title: 'Store', outcome: `public bearer saved in the ${deps.store.backend.label} (profile ${deps.profile.name}, ${settings.env})`})
  return {...bearer, verifierSource}
}

export interface HeadlessResult {
  created: CreatedSession
  bearer: ExchangedBearer
}

/** The whole headless flow in one go: backend bearer → session → exchange. Non-interactive. */
export async function headlessFlow(
  deps: Deps,
  options: {fresh: boolean; userId: string; codeTtlSeconds?: number | undefined; campaignId?: string | undefined; pkce: boolean},
): Promise<HeadlessResult> {
  const created = await createSessionFlow(deps, {...options, integration: 'headless', keepVerifier: false})
  const bearer = await exchangeFlow(deps, {code: created.code, verifier: created.pkce?.verifier, verifierSource: 'session'})
  return {created, bearer}
}
