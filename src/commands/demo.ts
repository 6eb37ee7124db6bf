import {defineCommand} from '../core/command-run.js'

export default defineCommand({
  id: 'demo',
  summary: 'Walk every flow end to end against an in-process emulator (no setup, nothing stored)',
  description:
    'Funtrips headless (create → exchange → GET /v1/merchants) and webframe (frame URL, frame redeems the code), Fluz (token → cached reuse → refresh → a scoped query), Shuttle (login with auto-approved consent → refresh → GET /c/api/payment_links). Uses a throwaway config dir and an in-memory secret store; your keychain is never touched.',
  examples: ['<%= config.bin %> demo', '<%= config.bin %> demo --trace', '<%= config.bin %> demo --json'],
  flags: {},
  async run({flags, out, tracing}) {
    const {runDemo} = await import('../demo/run-demo.js')
    const rows = await runDemo(out, {timeoutMs: flags.timeout * 1000, trace: tracing})
    const {c} = out
    const widths = {
      flow: Math.max(4, ...rows.map((row) => row.flow.length)),
      tokens: Math.max(6, ...rows.map((row) => row.tokens.length)),
    }
    out.print()
    out.print(c.bold(`${'flow'.padEnd(widths.flow)}  steps  ${'tokens'.padEnd(widths.tokens)}  expires`))
    for (const row of rows) {
      out.print(`${row.flow.padEnd(widths.flow)}  ${String(row.steps).padStart(5)}  ${row.tokens.padEnd(widths.tokens)}  ${row.expires}`)
    }
    out.print()
    out.print(c.green(`All ${rows.length} flows passed against the local emulator.`))
    out.quiet(String(rows.length))
    return {ok: true, flows: rows}
  },
})
