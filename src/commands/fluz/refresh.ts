import {BaseCommand} from '../../core/base-command.js'
import {fluzIdFlags, fluzScopeFlags, idsFromFlags, showRefreshFlag} from '../../providers/fluz/flags.js'
import {fluzTokenJson, printFluzToken} from '../../providers/fluz/render.js'
import {fluzTokenRequest, resolveFluzIds, resolveFluzScopes} from '../../providers/fluz/request.js'
import {refreshFluzToken} from '../../providers/fluz/token-flow.js'

export default class FluzRefresh extends BaseCommand<typeof FluzRefresh> {
  static override summary = 'Spend the cached Fluz refresh token for a new token pair'
  static override description =
    'Calls refreshUserAccessToken with the cached refresh token; the new pair replaces the old one only once the response is validated. Scopes pick the cached token: --scopes/--scope, else the profile\'s fluz.scopes, else the newest cached token for these ids. AUTH-0008 means the refresh token is spent or revoked: run `ftauth fluz token --fresh`.'
  static override examples = ['<%= config.bin %> fluz refresh', '<%= config.bin %> fluz refresh --scopes LIST_OFFERS --json']
  static override flags = {...fluzScopeFlags, ...fluzIdFlags, ...showRefreshFlag}

  async run() {
    const deps = await this.context()
    const ids = resolveFluzIds(deps, idsFromFlags(this.flags))
    const {scopes} = await resolveFluzScopes(deps, ids, [this.flags.scopes, ...(this.flags.scope ?? [])], 'cache')
    const request = fluzTokenRequest(deps, ids, scopes)
    const result = await refreshFluzToken(deps, request)
    const now = deps.now()
    const showRefresh = this.flags['show-refresh']
    printFluzToken(this.out, result, request, now, {show: this.flags.show, showRefresh})
    this.out.quiet(result.accessToken)
    return fluzTokenJson(result, request, now, {showRefresh})
  }
}
