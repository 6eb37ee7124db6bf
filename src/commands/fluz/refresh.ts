import {defineCommand} from '../../core/command-run.js'
import {refreshFluzToken} from '../../providers/fluz/token-flow.js'
import {printedToken, tokenFlags} from './token.js'

export default defineCommand({
  id: 'fluz:refresh',
  summary: 'Spend the cached Fluz refresh token for a new token pair',
  description:
    "Calls refreshUserAccessToken with the cached refresh token; the new pair replaces the old one only once the response is validated. Scopes pick the cached token: --scopes/--scope, else the profile's fluz.scopes, else the newest cached token for these ids. AUTH-0008 means the refresh token is spent or revoked: run `ftauth fluz token --fresh`.",
  examples: ['<%= config.bin %> fluz refresh', '<%= config.bin %> fluz refresh --scopes LIST_OFFERS --json'],
  flags: tokenFlags,
  run: (ctx) => printedToken(ctx, 'cache', refreshFluzToken),
})
