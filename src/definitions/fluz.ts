import {defineCommand} from '../core/command-run.js'
import {flag} from '../core/flag-spec.js'
import {fluzIdFlags, fluzScopeFlags, idsFromFlags, showRefreshFlag} from '../providers/fluz/flags.js'
import {fluzTokenJson, printFluzToken} from '../providers/fluz/render.js'
import {fluzTokenRequest, resolveFluzIds, resolveFluzScopes} from '../providers/fluz/request.js'
import {DEFAULT_MIN_TTL_SECONDS, obtainFluzToken, refreshFluzToken} from '../providers/fluz/token-flow.js'

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
    ...showRefreshFlag,
  },
  async run({flags, out, context}) {
    const deps = await context()
    const ids = resolveFluzIds(deps, idsFromFlags(flags))
    const {scopes} = await resolveFluzScopes(deps, ids, [flags.scopes, ...(flags.scope ?? [])], 'prompt')
    const request = fluzTokenRequest(deps, ids, scopes)
    const result = await obtainFluzToken(deps, request, {minTtlSeconds: flags['min-ttl'], fresh: flags.fresh})
    const now = deps.now()
    printFluzToken(out, result, request, now, {show: flags.show, showRefresh: flags['show-refresh']})
    out.quiet(result.accessToken)
    return fluzTokenJson(result, request, now, {showRefresh: flags['show-refresh']})
  },
})

export const fluzRefresh = defineCommand({
  id: 'fluz:refresh',
  flags: {...fluzScopeFlags, ...fluzIdFlags, ...showRefreshFlag},
  async run({flags, out, context}) {
    const deps = await context()
    const ids = resolveFluzIds(deps, idsFromFlags(flags))
    const {scopes} = await resolveFluzScopes(deps, ids, [flags.scopes, ...(flags.scope ?? [])], 'cache')
    const request = fluzTokenRequest(deps, ids, scopes)
    const result = await refreshFluzToken(deps, request)
    const now = deps.now()
    printFluzToken(out, result, request, now, {show: flags.show, showRefresh: flags['show-refresh']})
    out.quiet(result.accessToken)
    return fluzTokenJson(result, request, now, {showRefresh: flags['show-refresh']})
  },
})
