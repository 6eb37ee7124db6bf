import {defineCommand} from '../../core/command-run.js'
import {flag} from '../../core/flag-spec.js'
import {CLIENT_AUTH_METHODS, type ClientAuthMethod} from '../../providers/shuttle/client-auth.js'
import {refreshShuttleToken, reuseStoredSince} from '../../providers/shuttle/refresh.js'
import {printTokenSummary, summarizeToken} from '../../providers/shuttle/summary.js'

export default defineCommand({
  id: 'shuttle:refresh',
  summary: 'Get a new Shuttle access token with the stored refresh token',
  description: `grant_type=refresh_token (RFC 6749 §6). Shuttle keeps the same refresh token; if a server returns a new one, it replaces the stored one. One refresh runs at a time across ftauth processes: a token another process obtained while this one waited is reused.

Exit 4 when the refresh token is missing, expired or revoked: run \`ftauth shuttle login\`.`,
  examples: ['<%= config.bin %> shuttle refresh', 'curl -H "Authorization: Bearer $(<%= config.bin %> shuttle refresh -q)" …'],
  flags: {
    'client-auth': flag.string({description: 'client authentication at the token endpoint (default: as at login)', options: CLIENT_AUTH_METHODS}),
  },
  async run({flags, out, context}) {
    const deps = await context()
    const result = await refreshShuttleToken(deps, {
      clientAuth: flags['client-auth'] as ClientAuthMethod | undefined,
      // A token stored by another ftauth after this process started is the one this run asked for.
      reuse: reuseStoredSince(new Date(performance.timeOrigin)),
    })
    const summary = summarizeToken(deps, result.token)
    printTokenSummary(
      out,
      deps,
      result.origin === 'refresh' ? 'Refreshed the Shuttle token' : 'Reused the Shuttle token another ftauth just refreshed',
      summary,
      [['refresh rotated', result.rotated ? 'yes (new refresh token stored)' : 'no']],
    )
    out.quiet(result.token.accessToken)
    return {...summary, origin: result.origin, refreshRotated: result.rotated}
  },
})
