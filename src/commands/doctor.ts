import {Errors, Flags} from '@oclif/core'

import {BaseCommand} from '../core/base-command.js'
import type {EnvName} from '../core/config.js'
import {selectedProfile} from '../core/config-keys.js'
import {redactKnown} from '../core/redact.js'
import {detectPlatform} from '../doctor/platform.js'
import {renderReport} from '../doctor/render.js'
import {runDoctor} from '../doctor/run.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Check the config, keychain, provider URLs, clock, stored tokens and file permissions'
  static override description =
    'Prints a checklist with a fix for every failure. Exit 0 when nothing failed (warnings allowed), 1 otherwise. No credentials are sent unless --with-credentials.'
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --with-credentials --profile staging',
    '<%= config.bin %> doctor --json | jq \'.checks[] | select(.status != "pass")\'',
  ]
  static override flags = {
    'with-credentials': Flags.boolean({
      description: 'also verify the stored credentials with one real call each (Funtrips client credentials, Fluz ping, Shuttle client check)',
    }),
  }

  async run() {
    const secrets = new Set<string>()
    const {e} = this.out
    const report = await runDoctor({
      paths: this.paths,
      env: process.env,
      profileFlag: this.flags.profile,
      envFlag: this.flags.env as EnvName | undefined,
      insecureFlag: this.flags['insecure-storage'],
      withCredentials: this.flags['with-credentials'],
      timeoutMs: this.flags.timeout * 1000,
      platform: await detectPlatform(process.env),
      out: this.out,
      secrets,
      trace: this.tracing ? (line) => this.out.err(e.dim(redactKnown(line, [...secrets]))) : undefined,
      allowHttp: this.flags['allow-http'],
    })
    renderReport(this.out, report, {profile: selectedProfile(this.flags.profile, process.env), configDir: this.paths.dir})
    this.out.quiet(report.ok ? 'ok' : 'failed')
    if (report.ok) return report
    // A failed check is a finding, not an error: print the report once (JSON too), then exit 1.
    if (this.jsonEnabled()) this.logJson(report)
    throw new Errors.ExitError(1)
  }
}
