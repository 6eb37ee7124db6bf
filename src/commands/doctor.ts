import {defineCommand} from '../core/command-run.js'
import type {EnvName} from '../core/config.js'
import {selectedProfile} from '../core/config-keys.js'
import {flag} from '../core/flag-spec.js'
import {redactKnown} from '../core/redact.js'
import {detectPlatform} from '../doctor/platform.js'
import {renderReport} from '../doctor/render.js'
import {runDoctor} from '../doctor/run.js'

export default defineCommand({
  id: 'doctor',
  summary: 'Check the config, keychain, provider URLs, clock, stored tokens and file permissions',
  description:
    'Prints a checklist with a fix for every failure. Exit 0 when nothing failed (warnings allowed), 1 otherwise. No credentials are sent unless --with-credentials.',
  examples: [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --with-credentials --profile staging',
    '<%= config.bin %> doctor --json | jq \'.checks[] | select(.status != "pass")\'',
  ],
  flags: {
    'with-credentials': flag.boolean({
      description: 'also verify the stored credentials with one real call each (Funtrips client credentials, Fluz ping, Shuttle client check)',
    }),
  },
  async run(ctx) {
    const {flags, out, paths, env, tracing} = ctx
    const secrets = new Set<string>()
    const {e} = out
    const report = await runDoctor({
      paths,
      env,
      profileFlag: flags.profile,
      envFlag: flags.env as EnvName | undefined,
      insecureFlag: flags['insecure-storage'],
      withCredentials: flags['with-credentials'],
      timeoutMs: flags.timeout * 1000,
      platform: await detectPlatform(env),
      out,
      secrets,
      trace: tracing ? (line) => out.err(e.dim(redactKnown(line, [...secrets]))) : undefined,
      allowHttp: flags['allow-http'],
    })
    renderReport(out, report, {profile: selectedProfile(flags.profile, env), configDir: paths.dir})
    out.quiet(report.ok ? 'ok' : 'failed')
    // A failed check is a finding, not an error: the report is printed once (JSON too), then exit 1.
    if (!report.ok) ctx.exitCode = 1
    return report
  },
})
