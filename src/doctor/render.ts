import type {Output} from '../core/output.js'
import type {Check, DoctorReport} from './check.js'

/** The checklist for humans on stdout: one line per check, the fix under each failure or warning. */
export function renderReport(out: Output, report: DoctorReport, context: {profile: string; configDir: string}): void {
  const {c} = out
  out.print(`${c.bold('ftauth doctor')}  ${c.dim(`profile ${context.profile} · ${context.configDir}`)}`)
  const width = Math.max(...report.checks.map((item) => item.title.length))
  for (const item of report.checks) {
    const ms = item.ms === undefined ? '' : `  ${c.dim(`${item.ms}ms`)}`
    out.print(`${mark(out, item)} ${c.bold(item.title.padEnd(width))}  ${item.detail}${ms}`)
    if (item.fix && item.status !== 'pass') out.print(`  ${' '.repeat(width)}  ${c.cyan('fix:')} ${item.fix}`)
  }
  const failed = report.checks.filter((item) => item.status === 'fail').length
  const warned = report.checks.filter((item) => item.status === 'warn').length
  const passed = report.checks.length - failed - warned
  const summary = [`${failed} failed`, `${warned} warning${warned === 1 ? '' : 's'}`, `${passed} passed`].join(', ')
  out.print()
  out.print(failed ? c.red(summary) : warned ? c.yellow(summary) : c.green(summary))
}

function mark(out: Output, item: Check): string {
  if (item.status === 'pass') return out.c.green('✓')
  if (item.status === 'warn') return out.c.yellow('!')
  return out.c.red('✗')
}
