import {defineCommand} from '../../core/command-run.js'
import {loadConfig, type EnvName} from '../../core/config.js'
import {describeSource, effectiveSettings, formatValue, identityKeyFor, requireKey} from '../../core/config-keys.js'

export default defineCommand({
  id: 'config:get',
  summary: 'Print the effective value of one profile setting',
  description: 'The value commands would use, after flags and FTAUTH_* variables; -q prints it bare.',
  examples: [
    '<%= config.bin %> config get shuttle.clientId',
    'FLUZ_USER=$(<%= config.bin %> config get fluz.userId -q)',
    '<%= config.bin %> config get fluz.urls.sandbox.url --profile staging --json',
  ],
  args: {key: {description: 'dotted key, e.g. fluz.userId (see `ftauth config list`)', required: true}},
  flags: {},
  async run({args, flags, out, paths, env}) {
    const config = await loadConfig(paths.config)
    const found = requireKey(identityKeyFor(args.key, config, {profileFlag: flags.profile, envFlag: flags.env as EnvName | undefined, env}))
    const {profile, settings} = effectiveSettings(config, {
      profileFlag: flags.profile,
      envFlag: flags.env as EnvName | undefined,
      insecureFlag: flags['insecure-storage'],
      env,
    })
    const setting = settings.find((candidate) => candidate.key === found.key)!
    const {c} = out
    if (setting.value === null) out.print(`${found.key} is not set in profile ${profile}`)
    else {
      out.print(`${formatValue(setting.value)}  ${c.dim(`(${describeSource(setting)})`)}`)
      out.quiet(formatValue(setting.value))
    }
    return {profile, ...setting}
  },
})
