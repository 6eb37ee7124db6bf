import {defineCommand, type CommandContext} from '../core/command-run.js'
import type {Deps} from '../core/deps.js'
import {flag, type FlagValues} from '../core/flag-spec.js'
import {fluzIdFlags, fluzScopeFlags, idsFromFlags, tokenDisplayFlags} from '../providers/fluz/flags.js'
import {fluzTokenJson, printFluzToken} from '../providers/fluz/render.js'
import {fluzTokenRequest, resolveFluzIds, resolveFluzScopes, type FluzTokenRequest} from '../providers/fluz/request.js'
import {DEFAULT_MIN_TTL_SECONDS, obtainFluzToken, refreshFluzToken, type FluzTokenResult} from '../providers/fluz/token-flow.js'

const tokenFlags = {...fluzScopeFlags, ...fluzIdFlags, ...tokenDisplayFlags}

export const fluzToken = defineCommand({
  id: 'fluz:token',
  flags: {
    ...fluzScopeFlags,
    ...fluzIdFlags,
    'min-ttl': flag.integer({
      description: 'reuse a cached token only while it has more than this many seconds left',
      default: DEFAULT_MIN_TTL_SECONDS,
      min: 0,
    }),
    fresh: flag.boolean({description: 'always generate a new token (ignores the cache)'}),
    ...tokenDisplayFlags,
  },
  run: (ctx) =>
    printedToken(ctx, 'prompt', (deps, request) => obtainFluzToken(deps, request, {minTtlSeconds: ctx.flags['min-ttl'], fresh: ctx.flags.fresh})),
})

export const fluzRefresh = defineCommand({
  id: 'fluz:refresh',
  flags: tokenFlags,
  run: (ctx) => printedToken(ctx, 'cache', refreshFluzToken),
})

/**
 * Both commands: the ids and scopes (from flags, else the profile, else a prompt or the cache),
 * the token from `get`, printed for humans and -q, and the --json document.
 */
async function printedToken(
  {flags, out, context}: Pick<CommandContext<FlagValues<typeof tokenFlags>>, 'flags' | 'out' | 'context'>,
  scopesElse: 'prompt' | 'cache',
  get: (deps: Deps, request: FluzTokenRequest) => Promise<FluzTokenResult>,
) {
  const deps = await context()
  const ids = resolveFluzIds(deps, idsFromFlags(flags))
  const {scopes} = await resolveFluzScopes(deps, ids, [flags.scopes, ...(flags.scope ?? [])], scopesElse)
  const request = fluzTokenRequest(deps, ids, scopes)
  const result = await get(deps, request)
  const now = deps.now()
  printFluzToken(out, result, request, now, {show: flags.show, showRefresh: flags['show-refresh']})
  out.quiet(result.accessToken)
  return fluzTokenJson(result, request, now, {showRefresh: flags['show-refresh']})
}
