import {Flags} from '@oclif/core'

import {BaseCommand} from '../../core/base-command.js'
import {CLIENT_AUTH_METHODS, type ClientAuthMethod} from '../../providers/shuttle/client-auth.js'
import {revokeShuttleToken} from '../../providers/shuttle/revoke.js'

export default class ShuttleRevoke extends BaseCommand<typeof ShuttleRevoke> {
  static override summary = 'Revoke the stored Shuttle access token (or, with --refresh, the refresh token)'
  static override description = `RFC 7009 revocation. Revoking the refresh token also kills the access tokens issued from it. The token leaves the keychain only after the server answered 200; after revoking just the access token the refresh token stays stored.`
  static override examples = ['<%= config.bin %> shuttle revoke', '<%= config.bin %> shuttle revoke --refresh']
  static override flags = {
    refresh: Flags.boolean({description: 'revoke the refresh token (and with it every access token of the grant)'}),
    'client-auth': Flags.string({description: 'client authentication at the revocation endpoint (default: as at login)', options: [...CLIENT_AUTH_METHODS]}),
  }

  async run() {
    const deps = await this.context()
    const result = await revokeShuttleToken(deps, {
      which: this.flags.refresh ? 'refresh' : 'access',
      clientAuth: this.flags['client-auth'] as ClientAuthMethod | undefined,
    })
    const env = this.out.env(deps.profile.shuttle.env)
    if (result.revoked === null) {
      this.out.print(`${env} Nothing revoked: ${result.note}`)
    } else if (result.removed === 'token') {
      this.out.print(`${env} Revoked the Shuttle ${result.revoked === 'refresh_token' ? 'refresh token' : 'access token'} and removed the token from the ${deps.store.backend.label}`)
    } else {
      this.out.print(`${env} Revoked the Shuttle access token; the refresh token stays stored (\`ftauth shuttle refresh\` gets a new access token, \`ftauth shuttle revoke --refresh\` ends the grant)`)
    }
    this.out.quiet(result.revoked ?? 'none')
    return {provider: 'shuttle', profile: deps.profile.name, env: deps.profile.shuttle.env, ...result}
  }
}
