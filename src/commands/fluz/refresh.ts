import {oclifCommand} from '../../core/base-command.js'
import {fluzRefresh} from '../../definitions/fluz.js'

export default class FluzRefresh extends oclifCommand(fluzRefresh) {
  static override summary = 'Spend the cached Fluz refresh token for a new token pair'
  static override description =
    'Calls refreshUserAccessToken with the cached refresh token; the new pair replaces the old one only once the response is validated. Scopes pick the cached token: --scopes/--scope, else the profile\'s fluz.scopes, else the newest cached token for these ids. AUTH-0008 means the refresh token is spent or revoked: run `ftauth fluz token --fresh`.'
  static override examples = ['<%= config.bin %> fluz refresh', '<%= config.bin %> fluz refresh --scopes LIST_OFFERS --json']
}
