import type {Deps} from '../../core/deps.js'
import {decodeToken, expiryOf, scopesOf, type DecodedJwt, type Expiry} from '../../core/jwt.js'
import type {FuntripsSettings} from './settings.js'
import type {StoredToken} from '../../core/token-cache.js'
import type {ExchangeAnswer} from './exchange.js'
import {isUsable} from './expiry.js'

/** The profile's current public bearer for this env and client: what `ftauth call` uses. */
export const publicTokenKey = (settings: FuntripsSettings, clientId: string): string => `public.${settings.env}.${clientId}`

/** Documented: public bearers last at most 60 minutes (docs.funtrips.io/reference/logout). */
const DOCUMENTED_LIFETIME_SECONDS = 3600

export interface PublicBearer {
  token: string
  tokenType: string
  /** Which response field carried it (the docs show both). */
  tokenField: ExchangeAnswer['tokenField']
  exchangePath: string
  /** Path, body field and how they were chosen (configured, remembered, documented, fallback). */
  exchange: {path: string; field: ExchangeAnswer['field']; choice: ExchangeAnswer['choice']; refused: string[]}
  expiresAt: Date
  expiryBasis: Expiry['basis']
  obtainedAt: Date
  scopes: string[]
  decoded: DecodedJwt | undefined
  /** The exchange response without the token. */
  response: Record<string, unknown>
  /** Where it was stored. */
  storedAs: {key: string; storage: string}
}

/** Reads what the exchange returned (claims decoded with jose, expiry corrected for clock skew) and stores it. */
export async function storePublicBearer(deps: Deps, clientId: string, answer: ExchangeAnswer): Promise<PublicBearer> {
  const settings = deps.profile.funtrips
  const obtainedAt = deps.now()
  const decoded = decodeToken(answer.token)
  const expiry = expiryOf({
    token: answer.token,
    receivedAt: obtainedAt,
    expiresInSeconds: answer.expiresIn,
    serverDate: answer.response.serverDate,
    fallbackLifetimeSeconds: DOCUMENTED_LIFETIME_SECONDS,
  })
  const scopes = answer.scope ? answer.scope.split(/\s+/).filter(Boolean) : decoded ? scopesOf(decoded.claims) : []
  const key = publicTokenKey(settings, clientId)
  const stored: StoredToken = {
    accessToken: answer.token,
    tokenType: answer.tokenType,
    expiresAt: expiry.expiresAt.toISOString(),
    obtainedAt: obtainedAt.toISOString(),
    env: settings.env,
    scopes,
    meta: {
      kind: 'public',
      clientId,
      exchangePath: answer.path,
      exchangeField: answer.field,
      tokenField: answer.tokenField,
      expiryBasis: expiry.basis,
      ...(typeof decoded?.claims.sub === 'string' ? {sub: decoded.claims.sub} : {}),
    },
  }
  await deps.tokens.put('funtrips', key, stored)
  return {
    token: answer.token,
    tokenType: answer.tokenType,
    tokenField: answer.tokenField,
    exchangePath: answer.path,
    exchange: {path: answer.path, field: answer.field, choice: answer.choice, refused: answer.refused},
    expiresAt: expiry.expiresAt,
    expiryBasis: expiry.basis,
    obtainedAt,
    scopes,
    decoded,
    response: {
      ...answer.rest,
      token_type: answer.tokenType,
      ...(answer.expiresIn === undefined ? {} : {expires_in: answer.expiresIn}),
      ...(answer.scope === undefined ? {} : {scope: answer.scope}),
    },
    storedAs: {key, storage: deps.store.backend.kind},
  }
}

/** The stored public bearer while it is usable, else undefined. */
export async function cachedPublicBearer(deps: Deps, clientId: string): Promise<StoredToken | undefined> {
  const stored = await deps.tokens.get('funtrips', publicTokenKey(deps.profile.funtrips, clientId))
  if (!stored || !isUsable(stored, deps.now())) return undefined
  deps.secrets.add(stored.accessToken)
  return stored
}

/** Removes the stored public bearer when it is the one the server just rejected. */
export async function dropPublicBearer(deps: Deps, clientId: string, rejected: string): Promise<void> {
  const key = publicTokenKey(deps.profile.funtrips, clientId)
  const stored = await deps.tokens.get('funtrips', key)
  if (stored?.accessToken === rejected) await deps.tokens.delete('funtrips', key)
}
