import {oclifCommand} from '../../core/base-command.js'
import {shuttleRefresh} from '../../definitions/shuttle.js'

export default class ShuttleRefresh extends oclifCommand(shuttleRefresh) {
  static override summary = 'Get a new Shuttle access token with the stored refresh token'
  static override description = `grant_type=refresh_token (RFC 6749 §6). Shuttle keeps the same refresh token; if a server returns a new one, it replaces the stored one. One refresh runs at a time across ftauth processes: a token another process obtained while this one waited is reused.

Exit 4 when the refresh token is missing, expired or revoked: run \`ftauth shuttle login\`.`
  static override examples = ['<%= config.bin %> shuttle refresh', 'curl -H "Authorization: Bearer $(<%= config.bin %> shuttle refresh -q)" …']
}
