import {BaseCommand} from '../../core/base-command.js'
import {loadConfig, type EnvName} from '../../core/config.js'
import {describeSource, effectiveSettings, formatValue, type Setting} from '../../core/config-keys.js'

export default class ConfigList extends BaseCommand<typeof ConfigList> {
  static override summary = "Show the profile's effective settings and where each one comes from"
  static override description =
    'Precedence: flag > environment variable > profile (config file) > built-in default. Secrets are not settings: see `ftauth status`.'
  static override examples = ['<%= config.bin %> config list', '<%= config.bin %> config list --profile ci --json']

  async run() {
    const paths = this.paths
    const config = await loadConfig(paths.config)
    const {profile, settings} = effectiveSettings(config, {
      profileFlag: this.flags.profile,
      envFlag: this.flags.env as EnvName | undefined,
      insecureFlag: this.flags['insecure-storage'],
      env: process.env,
    })
    const {c} = this.out
    const inFile = profile in config.profiles
    this.out.print(`${c.bold('Profile')} ${profile}  ${c.dim(`${paths.config}${inFile ? '' : ' (profile not in the file yet: defaults)'}`)}`)
    this.out.table(settings.map((setting) => [setting.key, `${shown(setting, c.dim)}  ${c.dim(describeSource(setting))}`]))
    this.out.quiet(
      settings
        .filter((setting) => setting.value !== null)
        .map((setting) => `${setting.key}=${formatValue(setting.value)}`)
        .join('\n'),
    )
    return {profile, configFile: paths.config, settings}
  }
}

function shown(setting: Setting, dim: (text: string) => string): string {
  return setting.value === null ? dim('(not set)') : formatValue(setting.value)
}

