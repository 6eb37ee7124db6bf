import {defineCommand} from '../core/command-run.js'
import {formatCountdown, formatInstant} from '../core/time.js'
import {collectStatus} from '../providers/status.js'
import {title} from '../providers/titles.js'

export default defineCommand({
  id: 'status',
  summary: 'Show where credentials come from and which tokens are cached',
  examples: ['<%= config.bin %> status', '<%= config.bin %> status --json --profile ci'],
  flags: {},
  async run({out, context}) {
    const deps = await context()
    const result = await collectStatus(deps)
    const {c} = out
    const now = deps.now()
    out.printWrapped(`${c.bold('Profile')} ${result.profile}  ${c.dim(`config ${result.configDir} · secrets in ${result.secretStorage}`)}`)
    if (result.keychainError) out.warn(result.keychainError)
    for (const provider of result.providers) {
      out.print()
      out.print(`${c.bold(title(provider.provider))} ${out.env(provider.env)}`)
      const rows: [string, string][] = []
      for (const [key, value] of Object.entries(provider.ids)) rows.push([key, value])
      for (const [key, value] of Object.entries(provider.urls)) rows.push([key, c.dim(value)])
      for (const credential of provider.credentials) {
        rows.push([
          credential.name,
          credential.storage === 'missing' ? c.yellow(`not set — run \`ftauth login ${provider.provider}\``) : c.green(credential.storage),
        ])
      }
      // Identities of the other environments: each one is its own login.
      for (const identity of provider.identities.filter((candidate) => !candidate.active)) {
        const ids = Object.values(identity.ids).join(' / ') || 'no ids'
        rows.push([`identity ${identity.env}`, c.dim(`${ids} · secret ${identity.secretStored ? 'stored' : 'not stored'} (--env ${identity.env})`)])
      }
      const learned = Object.entries(provider.serverChoices).filter(([, value]) => value)
      if (learned.length) rows.push(['server', `${learned.map(([key, value]) => `${key} ${value}`).join(', ')} ${c.dim('(what it accepted last time)')}`])
      for (const guess of provider.guesses) rows.push(['guess', c.yellow(`${guess} — built in, unconfirmed`)])
      if (provider.tokens.length === 0) rows.push(['tokens', c.dim('none cached')])
      for (const token of provider.tokens) {
        const label = ['token', ...tokenName(token.key, [provider.env, ...Object.values(provider.ids), token.scopes.join(',')])].join(' ')
        const expiry = `${formatInstant(new Date(token.expiresAt))} (${formatCountdown(new Date(token.expiresAt), now)})`
        const scopes = token.scopes.length ? ` · ${token.scopes.join(' ')}` : ''
        rows.push([
          label,
          `${token.expired ? c.red(expiry) : c.green(expiry)}${c.dim(`${scopes}${token.hasRefreshToken ? ' · refreshable' : ''} · ${token.storage}`)}`,
        ])
      }
      out.table(rows)
    }
    out.quiet(result.profile)
    return result
  },
})

/**
 * What tells a cached token apart from the others of its provider (`backend`, `public`, a seat):
 * its cache key without what the rows show anyway — environment, ids, the scope list. The whole
 * key is in --json.
 */
function tokenName(key: string, shown: string[]): string[] {
  const known = new Set([...shown, 'no-seat'])
  return key.split(/[.:]/).filter((part) => part && !known.has(part))
}
