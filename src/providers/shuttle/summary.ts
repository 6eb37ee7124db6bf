/** What the Shuttle commands show about a token: never a secret, the same fields for humans and --json. */
import type {Deps} from '../../core/deps.js'
import {terminalSafe, type Output} from '../../core/output.js'
import type {StoredToken} from '../../core/token-cache.js'
import {stringMeta} from './token-store.js'

export interface ShuttleTokenSummary {
  provider: 'shuttle'
  profile: string
  env: string
  /** The merchant instance the token identifies, when the response or token names it. */
  instanceId: string | null
  scopes: string[]
  expiresAt: string
  obtainedAt: string
  tokenType: string
  refreshToken: 'stored' | 'none'
  storage: string
}

export function summarizeToken(deps: Deps, token: StoredToken): ShuttleTokenSummary {
  return {
    provider: 'shuttle',
    profile: deps.profile.name,
    env: token.env,
    instanceId: stringMeta(token, 'instanceId') ?? null,
    scopes: token.scopes,
    expiresAt: token.expiresAt,
    obtainedAt: token.obtainedAt,
    tokenType: token.tokenType ?? 'Bearer',
    refreshToken: token.refreshToken ? 'stored' : 'none',
    storage: deps.store.backend.kind,
  }
}

/** Human result on stdout: headline, then aligned rows. */
export function printTokenSummary(out: Output, deps: Deps, headline: string, summary: ShuttleTokenSummary, extra: [string, string][] = []): void {
  const {c} = out
  // Scopes and the instance id are Shuttle's words: shown with control characters escaped.
  const safe = (text: string) => terminalSafe(text, {singleLine: true})
  out.print(`${headline} ${out.env(summary.env)}${summary.instanceId ? ` merchant instance ${c.bold(safe(summary.instanceId))}` : ''}`)
  out.table([
    ['expires', out.expiry(new Date(summary.expiresAt), deps.now())],
    ['scopes', summary.scopes.length ? safe(summary.scopes.join(' ')) : c.dim('none stated')],
    ['instance', summary.instanceId ? safe(summary.instanceId) : c.dim('not stated by the server')],
    ['refresh token', summary.refreshToken === 'stored' ? `stored (${deps.store.backend.label})` : c.yellow('none issued')],
    ...extra,
  ])
}
