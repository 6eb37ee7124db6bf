import {defineCommand} from '../../core/command-run.js'
import {usageError} from '../../core/errors.js'
import {flag} from '../../core/flag-spec.js'
import {terminalSafe, type Output} from '../../core/output.js'
import {formatCountdown, formatDuration, formatInstant} from '../../core/time.js'
import {inspectToken, type TokenReport} from '../../tokens/inspect.js'
import {resolveTokenRef, TOKEN_REF_HELP} from '../../tokens/token-ref.js'

export default defineCommand({
  id: 'token:inspect',
  summary: 'Decode a token: claims, scopes, expiry, lifetime and which environment it belongs to',
  description: `TOKEN is ${TOKEN_REF_HELP}. The token itself is never printed unless --show.`,
  examples: [
    '<%= config.bin %> token inspect fluz',
    'printf %s "$TOKEN" | <%= config.bin %> token inspect -',
    '<%= config.bin %> token inspect shuttle --verify --json',
  ],
  args: {token: {description: 'token reference (default: stdin)'}},
  flags: {
    verify: flag.boolean({
      description: 'check the signature against the JWKS of the provider environment the issuer belongs to (unknown issuers are not verified)',
    }),
    jwks: flag.string({description: 'with --verify: check against this JWKS URL instead (pins the keys; the issuer is not looked up)'}),
    show: flag.boolean({description: 'also print the token itself'}),
  },
  async run({args, flags, out, context}) {
    const deps = await context()
    const resolved = await resolveTokenRef(deps, args.token)
    deps.secrets.add(resolved.token)
    const now = deps.now()
    const report = inspectToken(resolved.token, now, resolved.cached)
    let verification: Awaited<ReturnType<typeof import('../../tokens/verify.js').verifyToken>> | undefined
    if (flags.jwks !== undefined && !flags.verify) throw usageError('--jwks pins the keys for --verify', 'add --verify')
    if (flags.verify) {
      if (report.kind !== 'jwt') out.warn('an opaque token has no signature to verify; ask the provider (e.g. call an API with it)')
      else {
        const {verifyToken} = await import('../../tokens/verify.js')
        verification = await verifyToken(deps, resolved.token, report.issuer, {timeoutMs: flags.timeout * 1000, pinnedJwks: flags.jwks})
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

/** JSON for a terminal: JSON.stringify escapes C0 controls but leaves C1 (U+009B is CSI), line separators and bidi overrides. */
export function terminalJson(value: unknown, options: {spaced?: boolean} = {}): string {
  // Spaced (`{ "alg": "RS256", "kid": "…" }`) so a long header wraps between members, not off screen;
  // JSON.stringify escapes newlines inside strings, so every newline it writes is layout.
  const json = options.spaced ? JSON.stringify(value, null, 1)?.replace(/\n */g, ' ') : JSON.stringify(value)
  return terminalSafe(json ?? String(value), {singleLine: true})
}

function renderReport(out: Output, report: TokenReport, origin: string, now: Date, verification?: {jwksUrl: string; algorithm: string}) {
  const {c} = out
  out.printWrapped(
    `${c.bold(report.kind === 'jwt' ? 'JWT' : 'Opaque token')} from ${origin} · ${report.length} chars · ${report.provider} ${out.env(report.environment.verdict)}`,
  )
  const rows: [string, string][] = []
  if (report.header) rows.push(['header', terminalJson(report.header, {spaced: true})])
  // Claims come from whoever made the token: control characters are escaped before they reach a terminal.
  if (report.issuer) rows.push(['issuer', terminalSafe(report.issuer, {singleLine: true})])
  if (report.audience !== undefined) rows.push(['audience', terminalJson(report.audience, {spaced: true})])
  if (report.subject) rows.push(['subject', terminalSafe(report.subject, {singleLine: true})])
  rows.push(['scopes', report.scopes.length ? terminalSafe(report.scopes.join(' '), {singleLine: true}) : c.dim('none')])
  if (report.issuedAt) rows.push(['issued', `${formatInstant(new Date(report.issuedAt))} (${formatCountdown(new Date(report.issuedAt), now)})`])
  if (report.expiresAt) rows.push(['expires', out.expiry(new Date(report.expiresAt), now)])
  if (report.lifetimeSeconds !== undefined) rows.push(['lifetime', formatDuration(report.lifetimeSeconds * 1000)])
  rows.push(['environment', terminalSafe(`${report.environment.verdict} — ${report.environment.reasons.join('; ')}`, {singleLine: true})])
  if (verification) rows.push(['signature', c.green(terminalSafe(`valid (${verification.algorithm}, ${verification.jwksUrl})`, {singleLine: true}))])
  out.table(rows)
  if (report.claims) {
    out.print(c.bold('claims'))
    // Claim names come from the token too.
    out.table(
      Object.entries(report.claims).map(([claim, value]) => [terminalSafe(claim, {singleLine: true}), terminalJson(value)]),
      {cut: true, capLabels: true},
    )
  }
}
