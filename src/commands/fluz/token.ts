import {oclifCommand} from '../../core/base-command.js'
import {fluzToken} from '../../definitions/fluz.js'

export default class FluzToken extends oclifCommand(fluzToken) {
  static override summary = 'Get a Fluz user access token: cached, else refreshed, else generated'
  static override description =
    'Tokens are cached in the keychain per profile, environment, user, account, seat and scope set. A cached token is reused while it has more than --min-ttl seconds left; then it is refreshed with its refresh token (under a lock shared by concurrent ftauth processes), and generated anew when that fails with AUTH-0008. Scopes: --scopes/--scope, else the profile\'s fluz.scopes, else a checkbox prompt on a terminal.'
  static override examples = [
    '<%= config.bin %> fluz token --scopes LIST_OFFERS,PURCHASE_GIFTCARD',
    'TOKEN=$(<%= config.bin %> fluz token -q --scope LIST_OFFERS)',
    '<%= config.bin %> fluz token --env production --user-id 6f1c… --account-id a3b4… --scopes LIST_OFFERS --json',
  ]
}
