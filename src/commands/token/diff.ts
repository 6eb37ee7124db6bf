import {defineCommand} from '../../core/command-run.js'
import {terminalSafe, type Output} from '../../core/output.js'
import {padVisible, wrapVisible} from '../../core/text.js'
import {formatDuration} from '../../core/time.js'
import {diffReports, inspectToken} from '../../tokens/inspect.js'
import {resolveTokenRef, TOKEN_REF_HELP} from '../../tokens/token-ref.js'

export default defineCommand({
  id: 'token:diff',
  summary: "Compare two tokens' claims side by side (e.g. sandbox vs production)",
  description: `A and B are each ${TOKEN_REF_HELP}. Differences in issuer, audience, scopes and lifetime are highlighted.`,
  examples: ['<%= config.bin %> token diff fluz:sandbox fluz:production', '<%= config.bin %> token diff @old.jwt env:NEW_TOKEN --json'],
  args: {
    a: {description: 'first token reference', required: true},
    b: {description: 'second token reference', required: true},
  },
  flags: {},
  async run({args, out, context}) {
    const deps = await context()
    const first = await resolveTokenRef(deps, args.a)
    const second = await resolveTokenRef(deps, args.b, first.origin === 'stdin')
    deps.secrets.add(first.token).add(second.token)
    const now = deps.now()
    const a = inspectToken(first.token, now, first.cached)
    const b = inspectToken(second.token, now, second.cached)
    const rows = diffReports(a, b)
    const {c} = out
    // Claim names and values come from whoever made the tokens: escaped before they reach a terminal.
    const show = (claim: string, value: unknown) =>
      value === undefined
        ? '—'
        : claim === 'lifetime' && typeof value === 'number'
          ? formatDuration(value * 1000)
          : terminalSafe(typeof value === 'string' ? value : JSON.stringify(value), {singleLine: true})
    printColumns(out, [
      {cells: ['', `A: ${first.origin}`, `B: ${second.origin}`], style: (text) => c.bold(text)},
      ...rows.map((row) => ({
        mark: row.same ? ' ' : row.key ? c.red('≠') : c.yellow('≠'),
        cells: [terminalSafe(row.claim, {singleLine: true}), show(row.claim, row.a), show(row.claim, row.b)] as [string, string, string],
        style: row.same ? (text: string) => c.dim(text) : (text: string) => text,
      })),
    ])
    const differing = rows.filter((row) => !row.same)
    out.print()
    out.printWrapped(
      differing.length
        ? `${differing.length} claims differ: ${terminalSafe(differing.map((row) => row.claim).join(', '), {singleLine: true})}`
        : 'The tokens carry the same claims.',
      2,
      true,
    )
    for (const row of differing) out.quiet(row.claim)
    return {
      a: {origin: first.origin, ...a},
      b: {origin: second.origin, ...b},
      differences: differing.map(({claim, a: left, b: right}) => ({claim, a: left, b: right})),
    }
  },
})

interface DiffLine {
  mark?: string
  cells: [string, string, string]
  style: (text: string) => string
}

/**
 * Claim, A and B columns sized to their content; when the two values do not fit side by side in
 * the terminal, the value columns share what is left and long values wrap inside their column.
 */
function printColumns(out: Output, lines: DiffLine[]): void {
  // A claim name is the token maker's choice: a long one wraps in its column instead of pushing the values off screen.
  const claimWidth = Math.min(Math.max(...lines.map((line) => line.cells[0].length)), Math.max(8, Math.floor(out.columns / 5)))
  const lead = 2 + claimWidth + 3
  const gap = 2
  const natural = (column: 1 | 2) => Math.max(...lines.map((line) => line.cells[column].length))
  let widthA = natural(1)
  let widthB = natural(2)
  const room = out.columns - lead - gap
  if (widthA + widthB > room) {
    const half = Math.max(10, Math.floor(room / 2))
    // The narrower column keeps its width; the wider one takes the rest.
    if (widthA <= half) widthB = Math.max(10, room - widthA)
    else if (widthB <= half) widthA = Math.max(10, room - widthB)
    else [widthA, widthB] = [half, Math.max(10, room - half)]
  }
  for (const line of lines) {
    const [claim, a, b] = line.cells
    const partsA = wrapVisible(a, widthA, widthA, true)
    const partsB = wrapVisible(b, widthB, widthB, true)
    const partsClaim = wrapVisible(claim, claimWidth, claimWidth, true)
    for (let index = 0; index < Math.max(partsClaim.length, partsA.length, partsB.length); index++) {
      const left = (partsClaim[index] ?? '').padEnd(claimWidth)
      const text = `${left}   ${padVisible(partsA[index] ?? '', widthA)}${' '.repeat(gap)}${partsB[index] ?? ''}`.trimEnd()
      out.print(`${index === 0 ? (line.mark ?? ' ') : ' '} ${line.style(text)}`)
    }
  }
}
