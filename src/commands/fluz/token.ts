import {Flags} from '@oclif/core'

import {BaseCommand} from '../../core/base-command.js'
import {fluzIdFlags, fluzScopeFlags, idsFromFlags, showRefreshFlag} from '../../providers/fluz/flags.js'
import {fluzTokenJson, printFluzToken} from '../../providers/fluz/render.js'
import {fluzTokenRequest, resolveFluzIds, resolveFluzScopes} from '../../providers/fluz/request.js'
import {DEFAULT_MIN_TTL_SECONDS, obtainFluzToken} from '../../providers/fluz/token-flow.js'

export default class FluzToken extends BaseCommand<typeof FluzToken> {
  static override summary = 'Get a Fluz user access token: cached, else refreshed, else generated'
  static override description =
    'Tokens are cached in the keychain per profile, environment, user, account, seat and scope set. A cached token is reused while it has more than --min-ttl seconds left; then it is refreshed with its refresh token (under a lock shared by concurrent ftauth processes), and generated anew when that fails with AUTH-0008. Scopes: --scopes/--scope, else the profile\'s fluz.scopes, else a checkbox prompt on a terminal.'
  static override examples = [
    '<%= config.bin %> fluz token --scopes LIST_OFFERS,PURCHASE_GIFTCARD',
    'TOKEN=$(<%= config.bin %> fluz token -q --scope LIST_OFFERS)',
    '<%= config.bin %> fluz token --env production --user-id 6f1c… --account-id a3b4… --scopes LIST_OFFERS --json',
  ]
  static override flags = {
    ...fluzScopeFlags,
    ...fluzIdFlags,
    'min-ttl': Flags.integer({
      description: 'reuse a cached token only while it has more than this many seconds left',
      default: DEFAULT_MIN_TTL_SECONDS,
      min: 0,
    }),
    fresh: Flags.boolean({description: 'always generate a new token (ignores the cache)'}),
    ...showRefreshFlag,
  }

  async run() {
    const deps = await this.context()
    const ids = resolveFluzIds(deps, idsFromFlags(this.flags))
    const {scopes} = await resolveFluzScopes(deps, ids, [this.flags.scopes, ...(this.flags.scope ?? [])], 'prompt')
    const request = fluzTokenRequest(deps, ids, scopes)
    const result = await obtainFluzToken(deps, request, {minTtlSeconds: this.flags['min-ttl'], fresh: this.flags.fresh})
    const now = deps.now()
    const showRefresh = this.flags['show-refresh']
    printFluzToken(this.out, result, request, now, {show: this.flags.show, showRefresh})
    this.out.quiet(result.accessToken)
    return fluzTokenJson(result, request, now, {showRefresh})
  }
}
