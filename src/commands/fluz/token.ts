import {defineCommand, type CommandContext} from '../../core/command-run.js'
import type {Deps} from '../../core/deps.js'
import {flag, type FlagValues} from '../../core/flag-spec.js'
import {fluzIdFlags, fluzScopeFlags, idsFromFlags, tokenDisplayFlags} from '../../providers/fluz/flags.js'
import {fluzTokenJson, printFluzToken} from '../../providers/fluz/render.js'
import {fluzTokenRequest, resolveFluzIds, resolveFluzScopes, type FluzTokenRequest} from '../../providers/fluz/request.js'
import {DEFAULT_MIN_TTL_SECONDS, obtainFluzToken, type FluzTokenResult} from '../../providers/fluz/token-flow.js'

export const tokenFlags = {...fluzScopeFlags, ...fluzIdFlags, ...tokenDisplayFlags}

export default defineCommand({
  id: 'fluz:token',
  summary: 'Get a Fluz user access token: cached, else refreshed, else generated',
  description:
    "Tokens are cached in the keychain per profile, environment, user, account, seat and scope set. A cached token is reused while it has more than --min-ttl seconds left; then it is refreshed with its refresh token (under a lock shared by concurrent ftauth processes), and generated anew when that fails with AUTH-0008. Scopes: --scopes/--scope, else the profile's fluz.scopes, else a checkbox prompt on a terminal.",
  examples: [
    '<%= config.bin %> fluz token --scopes LIST_OFFERS,PURCHASE_GIFTCARD',
    'TOKEN=$(<%= config.bin %> fluz token -q --scope LIST_OFFERS)',
    '<%= config.bin %> fluz token --env production --user-id 6f1c… --account-id a3b4… --scopes LIST_OFFERS --json',
  ],
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
  run: (ctx) => printedToken(ctx, 'prompt', (deps, request) => obtainFluzToken(deps, request, {minTtlSeconds: ctx.flags['min-ttl'], fresh: ctx.flags.fresh})),
})

/**
 * Both commands: the ids and scopes (from flags, else the profile, else a prompt or the cache),
 * the token from `get`, printed for humans and -q, and the --json document.
 */
export async function printedToken(
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
