import {defineCommand} from '../../core/command-run.js'
import {flag} from '../../core/flag-spec.js'
import {CLIENT_AUTH_METHODS, type ClientAuthMethod} from '../../providers/shuttle/client-auth.js'
import {revokeShuttleToken} from '../../providers/shuttle/revoke.js'

export default defineCommand({
  id: 'shuttle:revoke',
  summary: 'Revoke the stored Shuttle access token (or, with --refresh, the refresh token)',
  description: `RFC 7009 revocation. Revoking the refresh token also kills the access tokens issued from it. The token leaves the keychain only after the server answered 200; after revoking just the access token the refresh token stays stored.`,
  examples: ['<%= config.bin %> shuttle revoke', '<%= config.bin %> shuttle revoke --refresh'],
  flags: {
    refresh: flag.boolean({description: 'revoke the refresh token (and with it every access token of the grant)'}),
    'client-auth': flag.string({description: 'client authentication at the revocation endpoint (default: as at login)', options: CLIENT_AUTH_METHODS}),
  },
  async run({flags, out, context}) {
    const deps = await context()
    const result = await revokeShuttleToken(deps, {
      which: flags.refresh ? 'refresh' : 'access',
      clientAuth: flags['client-auth'] as ClientAuthMethod | undefined,
    })
    const env = out.env(deps.profile.shuttle.env)
    if (result.revoked === null) {
      out.print(`${env} Nothing revoked: ${result.note}`)
    } else if (result.removed === 'token') {
      out.print(
        `${env} Revoked the Shuttle ${result.revoked === 'refresh_token' ? 'refresh token' : 'access token'} and removed the token from the ${deps.store.backend.label}`,
      )
    } else {
      out.print(
        `${env} Revoked the Shuttle access token; the refresh token stays stored (\`ftauth shuttle refresh\` gets a new access token, \`ftauth shuttle revoke --refresh\` ends the grant)`,
      )
    }
    out.quiet(result.revoked ?? 'none')
    return {provider: 'shuttle', profile: deps.profile.name, env: deps.profile.shuttle.env, ...result}
  },
})
