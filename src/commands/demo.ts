import {BaseCommand} from '../core/base-command.js'

export default class Demo extends BaseCommand<typeof Demo> {
  static override summary = 'Walk every flow end to end against an in-process emulator (no setup, nothing stored)'
  static override description =
    'Funtrips headless (create → exchange → GET /v1/merchants) and webframe (frame URL, frame redeems the code), Fluz (token → cached reuse → refresh → a scoped query), Shuttle (login with auto-approved consent → refresh → GET /c/api/payment_links). Uses a throwaway config dir and an in-memory secret store; your keychain is never touched.'
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --trace', '<%= config.bin %> demo --json']

  async run() {
    const {runDemo} = await import('../demo/run-demo.js')
    const rows = await runDemo(this.out, {timeoutMs: this.flags.timeout * 1000, trace: this.tracing})
    const {c} = this.out
    const widths = {
      flow: Math.max(4, ...rows.map((row) => row.flow.length)),
      tokens: Math.max(6, ...rows.map((row) => row.tokens.length)),
    }
    this.out.print()
    this.out.print(c.bold(`${'flow'.padEnd(widths.flow)}  steps  ${'tokens'.padEnd(widths.tokens)}  expires`))
    for (const row of rows) {
      this.out.print(`${row.flow.padEnd(widths.flow)}  ${String(row.steps).padStart(5)}  ${row.tokens.padEnd(widths.tokens)}  ${row.expires}`)
    }
    this.out.print()
    this.out.print(c.green(`All ${rows.length} flows passed against the local emulator.`))
    this.out.quiet(String(rows.length))
    return {ok: true, flows: rows}
  }
}
