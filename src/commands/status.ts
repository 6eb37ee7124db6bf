import {BaseCommand} from '../core/base-command.js'
import {formatCountdown} from '../core/time.js'
import {collectStatus} from '../providers/status.js'
import {title} from '../providers/titles.js'

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show where credentials come from and which tokens are cached'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json --profile ci']

  async run() {
    const deps = await this.context()
    const status = await collectStatus(deps)
    const {c} = this.out
    const now = deps.now()
    this.out.print(`${c.bold('Profile')} ${status.profile}  ${c.dim(`config ${status.configDir} · secrets in ${status.secretStorage}`)}`)
    if (status.keychainError) this.out.warn(status.keychainError)
    for (const provider of status.providers) {
      this.out.print()
      this.out.print(`${c.bold(title(provider.provider))} ${this.out.env(provider.env)}`)
      const rows: [string, string][] = []
      for (const [key, value] of Object.entries(provider.ids)) rows.push([key, value])
      for (const [key, value] of Object.entries(provider.urls)) rows.push([key, c.dim(value)])
      for (const credential of provider.credentials) {
        rows.push([credential.name, credential.storage === 'missing' ? c.yellow(`not set — run \`ftauth login ${provider.provider}\``) : c.green(credential.storage)])
      }
      if (provider.tokens.length === 0) rows.push(['tokens', c.dim('none cached')])
      for (const token of provider.tokens) {
        const expiry = `${token.expiresAt} (${formatCountdown(new Date(token.expiresAt), now)})`
        const scopes = token.scopes.length ? ` · ${token.scopes.join(' ')}` : ''
        rows.push([`token ${token.key}`, `${token.expired ? c.red(expiry) : c.green(expiry)}${c.dim(`${scopes}${token.hasRefreshToken ? ' · refreshable' : ''} · ${token.storage}`)}`])
      }
      this.out.table(rows)
    }
    this.out.quiet(status.profile)
    return status
  }
}
