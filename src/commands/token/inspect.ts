import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../core/base-command.js'
import {formatCountdown, formatDuration} from '../../core/time.js'
import {inspectToken, type TokenReport} from '../../tokens/inspect.js'
import {resolveTokenRef, TOKEN_REF_HELP} from '../../tokens/token-ref.js'

export default class TokenInspect extends BaseCommand<typeof TokenInspect> {
  static override summary = 'Decode a token: claims, scopes, expiry, lifetime and which environment it belongs to'
  static override description = `TOKEN is ${TOKEN_REF_HELP}. The token itself is never printed unless --show.`
  static override examples = [
    '<%= config.bin %> token inspect fluz',
    'printf %s "$TOKEN" | <%= config.bin %> token inspect -',
    '<%= config.bin %> token inspect shuttle --verify --json',
  ]
  // ignoreStdin: oclif would otherwise read a piped token into the argument (racing a 10 ms timeout), where it is refused as an argv token.
  static override args = {token: Args.string({description: 'token reference (default: stdin)', ignoreStdin: true})}
  static override flags = {
    verify: Flags.boolean({description: "check the signature against the issuer's JWKS"}),
    show: Flags.boolean({description: 'also print the token itself'}),
  }

  async run() {
    const deps = await this.context()
    const resolved = await resolveTokenRef(deps, this.args.token)
    deps.secrets.add(resolved.token)
    const now = deps.now()
    const report = inspectToken(resolved.token, now, resolved.cached)
    let verification: Awaited<ReturnType<typeof import('../../tokens/verify.js').verifyAgainstIssuer>> | undefined
    if (this.flags.verify) {
      if (report.kind !== 'jwt') this.out.warn('an opaque token has no signature to verify; ask the provider (e.g. call an API with it)')
      else {
        const {verifyAgainstIssuer} = await import('../../tokens/verify.js')
        verification = await verifyAgainstIssuer(resolved.token, report.issuer, this.flags.timeout * 1000)
      }
    }
    this.render(report, resolved.origin, now, verification)
    if (this.flags.show) this.out.print(`${this.out.c.bold('token')}\n${resolved.token}`)
    this.out.quiet(this.flags.show ? resolved.token : (report.expiresAt ?? ''))
    return {
      origin: resolved.origin,
      ...report,
      ...(verification ? {verification} : {}),
      ...(this.flags.show ? {token: resolved.token} : {}),
    }
  }

  private render(report: TokenReport, origin: string, now: Date, verification?: {jwksUrl: string; algorithm: string}) {
    const {c} = this.out
    this.out.print(`${c.bold(report.kind === 'jwt' ? 'JWT' : 'Opaque token')} from ${origin} · ${report.length} chars · ${report.provider} ${this.out.env(report.environment.verdict)}`)
    const rows: [string, string][] = []
    if (report.header) rows.push(['header', JSON.stringify(report.header)])
    if (report.issuer) rows.push(['issuer', report.issuer])
    if (report.audience !== undefined) rows.push(['audience', JSON.stringify(report.audience)])
    if (report.subject) rows.push(['subject', report.subject])
    rows.push(['scopes', report.scopes.length ? report.scopes.join(' ') : c.dim('none')])
    if (report.issuedAt) rows.push(['issued', `${report.issuedAt} (${formatCountdown(new Date(report.issuedAt), now)})`])
    if (report.expiresAt) rows.push(['expires', this.out.expiry(new Date(report.expiresAt), now)])
    if (report.lifetimeSeconds !== undefined) rows.push(['lifetime', formatDuration(report.lifetimeSeconds * 1000)])
    rows.push(['environment', `${report.environment.verdict} — ${report.environment.reasons.join('; ')}`])
    if (verification) rows.push(['signature', c.green(`valid (${verification.algorithm}, ${verification.jwksUrl})`)])
    this.out.table(rows)
    if (report.claims) {
      this.out.print(c.bold('claims'))
      for (const [claim, value] of Object.entries(report.claims)) this.out.print(`  ${c.dim(claim.padEnd(12))} ${JSON.stringify(value)}`)
    }
  }
}
