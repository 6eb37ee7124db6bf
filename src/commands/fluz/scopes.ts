import {defineCommand} from '../../core/command-run.js'
import {terminalSafe} from '../../core/output.js'
import {fluzIdFlags, idsFromFlags} from '../../providers/fluz/flags.js'
import {listFluzScopes} from '../../providers/fluz/scope-listing.js'

export default defineCommand({
  id: 'fluz:scopes',
  summary: 'List the scopes the Fluz application holds, and which the cached token carries',
  description:
    "Asks Fluz (getApplicationScopes, Basic auth) and shows the result beside the scopes known from the docs, with a one-line meaning each. A scope works only when both the application grant and the user grant are active. -q prints the application's scopes comma-separated, ready for --scopes.",
  examples: ['<%= config.bin %> fluz scopes', '<%= config.bin %> fluz token --scopes "$(<%= config.bin %> fluz scopes -q)"'],
  flags: fluzIdFlags,
  async run({flags, out, context}) {
    const deps = await context()
    const result = await listFluzScopes(deps, idsFromFlags(flags))
    const {c} = out
    const held = result.scopes.filter((row) => row.application).length
    out.print(`${c.bold('Fluz application scopes')} ${out.env(result.env)}  ${c.dim(`${held} held · ${result.url}`)}`)
    // Scope names come from Fluz: shown with control characters escaped.
    const name = (scope: string) => terminalSafe(scope, {singleLine: true})
    const width = Math.max(...result.scopes.map((row) => name(row.scope).length))
    out.print(c.dim(`  app  token  ${'scope'.padEnd(width)}  meaning`))
    for (const row of result.scopes) {
      const app = row.application ? c.green('✓') : c.dim('·')
      const token = row.cachedToken ? c.green('✓') : c.dim('·')
      const meaning = row.meaning ?? c.yellow('not in the known list')
      const line = `  ${app}    ${token}      ${name(row.scope).padEnd(width)}  ${meaning}`
      out.print(row.application || row.cachedToken ? line : c.dim(line))
    }
    out.print()
    const cached = result.cachedToken
    if (cached) {
      const state = cached.expired ? c.red('expired') : c.green('valid')
      out.print(`Cached token (${state}, expires ${cached.expiresAt}): ${name(cached.scopes.join(' ')) || c.dim('no scopes recorded')}`)
    } else {
      out.print(c.dim('No cached token for these ids: `ftauth fluz token` gets one.'))
    }
    out.quiet(result.applicationScopes.join(','))
    return result
  },
})
