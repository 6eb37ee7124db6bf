import {Args} from '@oclif/core'

import {BaseCommand} from '../../core/base-command.js'
import {loadConfig, type EnvName} from '../../core/config.js'
import {describeSource, effectiveSettings, formatValue, identityKeyFor, requireKey} from '../../core/config-keys.js'

export default class ConfigGet extends BaseCommand<typeof ConfigGet> {
  static override summary = 'Print the effective value of one profile setting'
  static override description = 'The value commands would use, after flags and FTAUTH_* variables; -q prints it bare.'
  static override examples = [
    '<%= config.bin %> config get shuttle.clientId',
    'FLUZ_USER=$(<%= config.bin %> config get fluz.userId -q)',
    '<%= config.bin %> config get fluz.urls.sandbox.url --profile staging --json',
  ]
  static override args = {key: Args.string({description: 'dotted key, e.g. fluz.userId (see `ftauth config list`)', required: true})}

  async run() {
    const config = await loadConfig(this.paths.config)
    const found = requireKey(identityKeyFor(this.args.key, config, {profileFlag: this.flags.profile, envFlag: this.flags.env as EnvName | undefined, env: process.env}))
    const {profile, settings} = effectiveSettings(config, {
      profileFlag: this.flags.profile,
      envFlag: this.flags.env as EnvName | undefined,
      insecureFlag: this.flags['insecure-storage'],
      env: process.env,
    })
    const setting = settings.find((candidate) => candidate.key === found.key)!
    const {c} = this.out
    if (setting.value === null) this.out.print(`${found.key} is not set in profile ${profile}`)
    else {
      this.out.print(`${formatValue(setting.value)}  ${c.dim(`(${describeSource(setting)})`)}`)
      this.out.quiet(formatValue(setting.value))
    }
    return {profile, ...setting}
  }
}
