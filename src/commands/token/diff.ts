import {Args} from '@oclif/core'

import {BaseCommand} from '../../core/base-command.js'
import {diffReports, inspectToken} from '../../tokens/inspect.js'
import {resolveTokenRef, TOKEN_REF_HELP} from '../../tokens/token-ref.js'

export default class TokenDiff extends BaseCommand<typeof TokenDiff> {
  static override summary = "Compare two tokens' claims side by side (e.g. sandbox vs production)"
  static override description = `A and B are each ${TOKEN_REF_HELP}. Differences in issuer, audience, scopes and lifetime are highlighted.`
  static override examples = ['<%= config.bin %> token diff fluz:sandbox fluz:production', '<%= config.bin %> token diff @old.jwt env:NEW_TOKEN --json']
  static override args = {
    a: Args.string({description: 'first token reference', required: true, ignoreStdin: true}),
    b: Args.string({description: 'second token reference', required: true, ignoreStdin: true}),
  }

  async run() {
    const deps = await this.context()
    const first = await resolveTokenRef(deps, this.args.a)
    const second = await resolveTokenRef(deps, this.args.b, first.origin === 'stdin')
    deps.secrets.add(first.token).add(second.token)
    const now = deps.now()
    const a = inspectToken(first.token, now, first.cached)
    const b = inspectToken(second.token, now, second.cached)
    const rows = diffReports(a, b)
    const {c} = this.out
    const show = (value: unknown) => (value === undefined ? c.dim('—') : typeof value === 'string' ? value : JSON.stringify(value))
    const width = Math.max(...rows.map((row) => row.claim.length))
    const labelA = `A: ${first.origin}`
    // The column fits the A label too, so a long @path does not run into B's.
    const colWidth = Math.max(12, labelA.length, ...rows.map((row) => show(row.a).length)) + 2
    this.out.print(`${' '.repeat(width + 4)}${c.bold(labelA.padEnd(colWidth))}${c.bold(`B: ${second.origin}`)}`)
    for (const row of rows) {
      const mark = row.same ? ' ' : row.key ? c.red('≠') : c.yellow('≠')
      const line = `${mark} ${row.claim.padEnd(width)}   ${show(row.a).padEnd(colWidth)}${show(row.b)}`
      this.out.print(row.same ? c.dim(line) : line)
    }
    const differing = rows.filter((row) => !row.same)
    this.out.print()
    this.out.print(differing.length ? `${differing.length} claims differ: ${differing.map((row) => row.claim).join(', ')}` : 'The tokens carry the same claims.')
    for (const row of differing) this.out.quiet(row.claim)
    return {
      a: {origin: first.origin, ...a},
      b: {origin: second.origin, ...b},
      differences: differing.map(({claim, a: left, b: right}) => ({claim, a: left, b: right})),
    }
  }
}
