import {createHash} from 'node:crypto'

import type {Deps} from '../../core/deps.js'
import type {EnvName} from '../../core/config.js'
import {FtauthError, usageError} from '../../core/errors.js'
import {withLock} from '../../core/locks.js'
import {formatCountdown, formatDuration} from '../../core/time.js'
import type {StoredToken} from '../../core/token-cache.js'
import type {TokenOrigin} from '../../core/token-source.js'
import {isFluzCode} from './graphql.js'
import {fluzApiKey, fluzCacheKey, type FluzTokenRequest} from './request.js'
import type {IssuedFluzToken, TokenField} from './user-token.js'

// The token mutations (and jose, for the JWT expiry) are imported only when a token must be
// obtained: `ftauth fluz token -q` with a valid cached token reads the keychain and nothing else.
const network = () => import('./user-token.js')

export const DEFAULT_MIN_TTL_SECONDS = 30

export interface FluzTokenResult {
  accessToken: string
  refreshToken: string | undefined
  /** Scopes as granted (the server's answer), else as requested. */
  scopes: string[]
  requestedScopes: string[]
  expiresAt: Date
  obtainedAt: Date
  /** Where the expiry came from: the JWT `exp` (skew-corrected) or the documented lifetime. */
  expiryBasis: string
  env: EnvName
  source: TokenOrigin
  /** Which response field carried the token. */
  tokenField: TokenField
  /** The cache key (non-secret), as `ftauth status` shows it. */
  key: string
}

export interface ObtainOptions {
  /** A cached token is reused only while it has more than this left. */
  minTtlSeconds: number
  /** Always generate a new token (the old pair is replaced once the new one is validated). */
  fresh: boolean
}

/**
 * The cache → refresh → generate ladder of `ftauth fluz token`: reuse the cached access token while
 * it has more than the margin left, else refresh it with its refresh token, else (no refresh token,
 * or AUTH-0008) generate anew. Renewal happens under a cross-process lock.
 */
export async function obtainFluzToken(deps: Deps, request: FluzTokenRequest, options: ObtainOptions): Promise<FluzTokenResult> {
  const key = fluzCacheKey(request)
  if (options.fresh) return renewUnderLock(deps, request, {mode: 'generate', seenAccessToken: undefined})
  const cached = await deps.tokens.get('fluz', key)
  const now = deps.now()
  if (cached && sameEndpoint(cached, request)) {
    const leftMs = new Date(cached.expiresAt).getTime() - now.getTime()
    if (leftMs > options.minTtlSeconds * 1000) {
      deps.report({type: 'step', title: 'Cache', outcome: `reused the cached token (expires ${formatCountdown(new Date(cached.expiresAt), now)})`})
      return fromStored(cached, request, key, 'cache')
    }
    deps.report({
      type: 'step',
      title: 'Cache',
      outcome:
        leftMs > 0
          ? `cached token expires in ${formatDuration(leftMs)}, within the ${options.minTtlSeconds}s margin`
          : `cached token expired ${formatDuration(leftMs)} ago`,
      status: 'skip',
    })
  } else if (cached) {
    deps.report({type: 'step', title: 'Cache', outcome: `cached token came from ${String(cached.meta.url)}, not this endpoint`, status: 'skip'})
  }
  return renewUnderLock(deps, request, {mode: 'refresh-or-generate', seenAccessToken: cached?.accessToken})
}

/**
 * `ftauth fluz refresh`: spend the cached refresh token for a new pair. Fails (exit 2) when nothing
 * refreshable is cached; AUTH-0008 fails with the regenerate hint (exit 4).
 */
export async function refreshFluzToken(deps: Deps, request: FluzTokenRequest): Promise<FluzTokenResult> {
  const cached = await deps.tokens.get('fluz', fluzCacheKey(request))
  if (!cached?.refreshToken || !sameEndpoint(cached, request)) throw nothingToRefresh(request)
  return renewUnderLock(deps, request, {mode: 'refresh-only', seenAccessToken: cached.accessToken})
}

/**
 * Renewal after the server rejected `rejected` (for `ftauth call`): reuse what another process
 * stored meanwhile, else refresh under the lock, else regenerate.
 */
export async function renewFluzToken(deps: Deps, request: FluzTokenRequest, rejected: string): Promise<FluzTokenResult> {
  deps.secrets.add(rejected)
  return renewUnderLock(deps, request, {mode: 'refresh-or-generate', seenAccessToken: rejected})
}

type RenewMode = 'generate' | 'refresh-or-generate' | 'refresh-only'

/**
 * Read → refresh → store under one cross-process lock per cache key, so concurrent ftauth processes
 * never spend one refresh token twice: the cache is re-read once the lock is held, and a token that
 * changed since `seenAccessToken` was read (another process renewed it) is reused as it is.
 */
async function renewUnderLock(deps: Deps, request: FluzTokenRequest, how: {mode: RenewMode; seenAccessToken: string | undefined}): Promise<FluzTokenResult> {
  const key = fluzCacheKey(request)
  return withLock(deps.paths.locks, lockName(key), async () => {
    const current = await deps.tokens.get('fluz', key)
    const usable = current && sameEndpoint(current, request) ? current : undefined
    if (how.mode !== 'generate' && usable && usable.accessToken !== how.seenAccessToken && isUnexpired(usable, deps.now())) {
      // Freshly stored by the winner of the lock: as new as a second renewal would get, so it is
      // used even when the server's lifetime is shorter than the margin.
      deps.report({type: 'step', title: 'Cache', outcome: 'another ftauth process renewed the token meanwhile; reused it'})
      return fromStored(usable, request, key, 'cache')
    }
    const {generateUserAccessToken, refreshUserAccessToken} = await network()
    const apiKey = await fluzApiKey(deps, request.env)
    if (how.mode !== 'generate' && usable?.refreshToken) {
      try {
        const issued = await refreshUserAccessToken(deps, request, apiKey, usable.refreshToken)
        deps.report({
          type: 'step',
          title: 'Refresh',
          outcome: `refreshUserAccessToken issued a new token pair (${fieldNote(issued)})`,
          request: issued.request,
          ms: issued.ms,
        })
        return store(deps, request, key, issued, 'refresh', usable.refreshToken)
      } catch (error) {
        const reason = refreshRefusal(error)
        if (reason === undefined) throw error
        if (how.mode === 'refresh-only') {
          // Re-read under this lock above, so the stored refresh token is exactly the one Fluz just
          // rejected: drop it (the access token may still be good) so nobody spends it again.
          if (isFluzCode(error, 'AUTH-0008')) await deps.tokens.put('fluz', key, withoutRefreshToken(usable))
          throw error
        }
        // Once: a wrong API key fails the generation too, with its own exit code (3).
        deps.report({type: 'step', title: 'Refresh', outcome: `refresh failed (${reason}); generating a new token instead`, status: 'warn'})
      }
    } else if (how.mode === 'refresh-only') {
      throw nothingToRefresh(request)
    }
    const issued = await generateUserAccessToken(deps, request, apiKey)
    deps.report({
      type: 'step',
      title: 'Generate',
      outcome: `generateUserAccessToken issued a token for ${request.scopes.join(' ')} (${fieldNote(issued)})`,
      request: issued.request,
      ms: issued.ms,
    })
    return store(deps, request, key, issued, 'new', undefined)
  })
}

/** Writes the validated pair, replacing the old one; a refresh answer without a refresh token keeps the old one. */
async function store(
  deps: Deps,
  request: FluzTokenRequest,
  key: string,
  issued: IssuedFluzToken,
  source: TokenOrigin,
  previousRefreshToken: string | undefined,
): Promise<FluzTokenResult> {
  const granted = issued.scopes ?? request.scopes
  const narrowed = request.scopes.filter((scope) => !granted.includes(scope))
  if (narrowed.length > 0) deps.report({type: 'warn', text: `Fluz did not grant ${narrowed.join(', ')} (granted: ${granted.join(' ') || 'none'})`})
  const stored: StoredToken = {
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken ?? previousRefreshToken,
    tokenType: 'Bearer',
    expiresAt: issued.expiresAt.toISOString(),
    obtainedAt: issued.obtainedAt.toISOString(),
    env: request.env,
    scopes: granted,
    meta: {tokenField: issued.tokenField, expiryBasis: issued.expiryBasis, url: request.url},
  }
  await deps.tokens.put('fluz', key, stored)
  deps.report({type: 'step', title: 'Store', outcome: `token pair saved in the ${deps.store.backend.label}`})
  return fromStored(stored, request, key, source)
}

function fromStored(stored: StoredToken, request: FluzTokenRequest, key: string, source: TokenOrigin): FluzTokenResult {
  return {
    accessToken: stored.accessToken,
    refreshToken: stored.refreshToken,
    scopes: stored.scopes.length > 0 ? stored.scopes : request.scopes,
    requestedScopes: request.scopes,
    expiresAt: new Date(stored.expiresAt),
    obtainedAt: new Date(stored.obtainedAt),
    expiryBasis: typeof stored.meta.expiryBasis === 'string' ? stored.meta.expiryBasis : 'unknown',
    env: stored.env,
    source,
    tokenField: stored.meta.tokenField === 'token' ? 'token' : 'accessToken',
    key,
  }
}

function withoutRefreshToken(stored: StoredToken): StoredToken {
  const {refreshToken: _spent, ...rest} = stored
  return rest
}

const isUnexpired = (stored: StoredToken, now: Date): boolean => new Date(stored.expiresAt).getTime() > now.getTime()

/** A token belongs to the endpoint that issued it: a changed FTAUTH_FLUZ_URL or profile URL never reuses it. */
const sameEndpoint = (stored: StoredToken, request: FluzTokenRequest): boolean => stored.meta.url === undefined || stored.meta.url === request.url

/** Lock file names stay short whatever the scope list: a digest of the cache key. */
const lockName = (key: string): string => `fluz-token-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`

function nothingToRefresh(request: FluzTokenRequest) {
  return usageError(
    `no refreshable Fluz token cached for ${request.scopes.join(' ')} (${request.env}, profile ${request.profile})`,
    'get one with `ftauth fluz token` first',
  )
}

/**
 * Why a refresh failed, when it failed for a reason the docs give (an AUTH-* code such as AUTH-0008,
 * a GraphQL error on refreshUserAccessToken, HTTP 401): then generating anew is the documented way
 * on. undefined for anything else (network, a malformed answer), which ends the command.
 */
function refreshRefusal(error: unknown): string | undefined {
  if (!(error instanceof FtauthError)) return undefined
  const code = error.details?.fluzCode
  if (typeof code === 'string' && code.startsWith('AUTH-')) return code
  if (error.details?.status === 401) return 'HTTP 401'
  const graphqlErrors = error.details?.graphqlErrors
  if (Array.isArray(graphqlErrors) && graphqlErrors.length > 0) return `GraphQL error: ${String(graphqlErrors[0])}`
  return undefined
}

const fieldNote = (issued: IssuedFluzToken): string => `token field ${issued.tokenField}${issued.fieldRemembered ? ', remembered' : ''}`
