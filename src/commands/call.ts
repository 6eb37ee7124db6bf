import {oclifCommand} from '../core/base-command.js'
import {call} from '../definitions/call.js'

export default class Call extends oclifCommand(call) {
  static override summary = 'Call a provider API with the right token attached (like `gh api`)'
  static override description =
    'The token is taken from the cache or obtained through the provider\'s flow. On a 401 it is renewed once by the provider\'s rule (Funtrips: new session; Fluz: refresh, else regenerate; Shuttle: refresh) and the call retried once. Exits non-zero on HTTP ≥ 400 or a GraphQL error, after printing the body.'
  static override examples = [
    '<%= config.bin %> call --provider funtrips /v1/merchants',
    '<%= config.bin %> call POST --provider shuttle /payment_links -f amount=1000 -f currency=GBP',
    '<%= config.bin %> call fluz --query \'query { offers(first: 3) { offers { offerId merchantName } } }\'',
    '<%= config.bin %> call --provider funtrips --as backend /v1/admin/fulfillments -i',
    'echo \'{"description":"Deposit"}\' | <%= config.bin %> call PUT --provider shuttle /payment_links/pl_1 -d -',
  ]
}
