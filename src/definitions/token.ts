import {defineCommand} from '../core/command-run.js'
import {flag} from '../core/flag-spec.js'
import type {Output} from '../core/output.js'
import {formatCountdown, formatDuration, formatInstant} from '../core/time.js'
import {inspectToken, type TokenReport} from '../tokens/inspect.js'
import {resolveTokenRef} from '../tokens/token-ref.js'

export const tokenInspect = defineCommand({
  id: 'token:inspect',
  args: {token: {description: 'token reference (default: stdin)'}},
  flags: {
    verify: flag.boolean({description: "check the signature against the issuer's JWKS"}),
    show: flag.boolean({description: 'also print the token itself'}),
  },
  async run({args, flags, out, context}) {
    const deps = await context()
    const resolved = await resolveTokenRef(deps, args.token)
    deps.secrets.add(resolved.token)
    const now = deps.now()
    const report = inspectToken(resolved.token, now, resolved.cached)
    let verification: Awaited<ReturnType<typeof import('../tokens/verify.js').verifyAgainstIssuer>> | undefined
    if (flags.verify) {
      if (report.kind !== 'jwt') out.warn('an opaque token has no signature to verify; ask the provider (e.g. call an API with it)')
      else {
        const {verifyAgainstIssuer} = await import('../tokens/verify.js')
        verification = await verifyAgainstIssuer(resolved.token, report.issuer, flags.timeout * 1000)
      }
    }
    renderReport(out, report, resolved.origin, now, verification)
    if (flags.show) out.print(`${out.c.bold('token')}\n${resolved.token}`)
    out.quiet(flags.show ? resolved.token : (report.expiresAt ?? ''))
    return {
      origin: resolved.origin,
      ...report,
      ...(verification ? {verification} : {}),
      ...(flags.show ? {token: resolved.token} : {}),
    }
  },
})

function renderReport(out: Output, report: TokenReport, origin: string, now: Date, verification?: {jwksUrl: string; algorithm: string}) {
  const {c} = out
  out.printWrapped(`${c.bold(report.kind === 'jwt' ? 'JWT' : 'Opaque token')} from ${origin} · ${report.length} chars · ${report.provider} ${out.env(report.environment.verdict)}`)
  const rows: [string, string][] = []
  if (report.header) rows.push(['header', JSON.stringify(report.header)])
  if (report.issuer) rows.push(['issuer', report.issuer])
  if (report.audience !== undefined) rows.push(['audience', JSON.stringify(report.audience)])
  if (report.subject) rows.push(['subject', report.subject])
  rows.push(['scopes', report.scopes.length ? report.scopes.join(' ') : c.dim('none')])
  if (report.issuedAt) rows.push(['issued', `${formatInstant(new Date(report.issuedAt))} (${formatCountdown(new Date(report.issuedAt), now)})`])
  if (report.expiresAt) rows.push(['expires', out.expiry(new Date(report.expiresAt), now)])
  if (report.lifetimeSeconds !== undefined) rows.push(['lifetime', formatDuration(report.lifetimeSeconds * 1000)])
  rows.push(['environment', `${report.environment.verdict} — ${report.environment.reasons.join('; ')}`])
  if (verification) rows.push(['signature', c.green(`valid (${verification.algorithm}, ${verification.jwksUrl})`)])
  out.table(rows)
  if (report.claims) {
    out.print(c.bold('claims'))
    out.table(Object.entries(report.claims).map(([claim, value]) => [claim, JSON.stringify(value)]))
  }
}
