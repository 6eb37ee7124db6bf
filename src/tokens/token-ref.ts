import {readFile} from 'node:fs/promises'

import type {Deps} from '../core/deps.js'
import {ENVIRONMENTS, type EnvName, type ProviderName} from '../core/config.js'
import {PROVIDERS} from '../providers/registry.js'
import {usageError} from '../core/errors.js'
import {providerModule} from '../core/provider-module.js'
import {readStdin} from '../core/stdin.js'
import type {CacheEntry} from '../core/token-cache.js'

/** A token to look at, and what the cache knows of it (for opaque tokens). */
export interface ResolvedToken {
  token: string
  /** Where it came from, without the token itself: "stdin", "@file", "env:VAR", "stored fluz (sandbox)". */
  origin: string
  cached?: CacheEntry
}

export const TOKEN_REF_HELP =
  '`-` (stdin), `@path` (file), `env:VAR`, or a stored token: `funtrips`, `fluz`, `shuttle`, optionally with an environment (`fluz:production`)'

/**
 * Tokens are read from stdin, a file, an env variable or the store — never from argv, where `ps`
 * and shell history would keep them.
 */
export async function resolveTokenRef(deps: Deps, ref: string | undefined, stdinTaken = false): Promise<ResolvedToken> {
  if (ref === undefined || ref === '-') {
    if (process.stdin.isTTY) throw usageError('no token given', `pass ${TOKEN_REF_HELP}`)
    if (stdinTaken) throw usageError('only one token can come from stdin', 'read the other from @file or env:VAR')
    return {token: firstToken(await readStdin()), origin: 'stdin'}
  }
  if (ref.startsWith('@')) {
    const path = ref.slice(1)
    const text = await readFile(path, 'utf8').catch(() => {
      throw usageError(`cannot read the token file ${path}`, 'check the path after @')
    })
    return {token: firstToken(text), origin: `@${path}`}
  }
  if (ref.startsWith('env:')) {
    const name = ref.slice(4)
    const value = deps.env[name]
    if (!value) throw usageError(`environment variable ${name} is empty`, 'export the token into it first')
    return {token: firstToken(value), origin: `env:${name}`}
  }
  const [provider, env] = ref.split(':') as [string, string | undefined]
  if ((PROVIDERS as readonly string[]).includes(provider) && (env === undefined || (ENVIRONMENTS as readonly string[]).includes(env))) {
    return storedToken(deps, provider as ProviderName, (env as EnvName | undefined) ?? deps.profile[provider as ProviderName].env)
  }
  // `fluz:prod` is a typo of a stored-token reference, not a token: say which part is wrong.
  if ((PROVIDERS as readonly string[]).includes(provider) && ref.split(':').length === 2) {
    // The part after the colon is not echoed: it could be a pasted token.
    throw usageError(`unknown environment after ${provider}:`, `use ${provider}:${ENVIRONMENTS.join(`, ${provider}:`)}`)
  }
  throw usageError(
    'tokens are not accepted as arguments (ps and shell history would keep them)',
    `pass ${TOKEN_REF_HELP}, e.g. \`printf %s "$TOKEN" | ftauth token inspect -\``,
  )
}

/** The most recently obtained cached token of a provider and environment for this profile. */
async function storedToken(deps: Deps, provider: ProviderName, env: EnvName): Promise<ResolvedToken> {
  const candidates = (await deps.tokens.entries())
    .filter((entry) => entry.profile === deps.profile.name && entry.provider === provider && entry.env === env)
    // Prefer user-facing tokens (Funtrips public bearer) over backend ones, then the newest.
    .sort((a, b) => Number(a.meta.kind === 'backend') - Number(b.meta.kind === 'backend') || b.obtainedAt.localeCompare(a.obtainedAt))
  for (const entry of candidates) {
    const stored = await deps.tokens.get(provider, entry.key)
    if (stored) {
      deps.secrets.add(stored.accessToken)
      return {
        token: stored.accessToken,
        origin: `stored ${provider} (${env}${typeof entry.meta.kind === 'string' ? `, ${entry.meta.kind}` : ''})`,
        cached: entry,
      }
    }
  }
  throw usageError(
    `no stored ${provider} token for ${env} in profile ${deps.profile.name}`,
    `get one first (see \`ftauth ${providerModule(provider).tokens.obtainCommand} --env ${env}\`)`,
  )
}

function firstToken(text: string): string {
  const token =
    text
      .trim()
      .replace(/^Bearer\s+/i, '')
      .split(/\s+/)[0] ?? ''
  if (!token) throw usageError('the token input is empty', 'pipe or point at a token')
  return token
}
