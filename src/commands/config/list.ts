import {defineCommand} from '../../core/command-run.js'
import {loadConfig, type EnvName} from '../../core/config.js'
import {describeSource, effectiveSettings, formatValue, type Setting} from '../../core/config-keys.js'

export default defineCommand({
  id: 'config:list',
  summary: "Show the profile's effective settings and where each one comes from",
  description: 'Precedence: flag > environment variable > profile (config file) > built-in default. Secrets are not settings: see `ftauth status`.',
  examples: ['<%= config.bin %> config list', '<%= config.bin %> config list --profile ci --json'],
  flags: {},
  async run({flags, out, paths, env}) {
    const config = await loadConfig(paths.config)
    const {profile, settings} = effectiveSettings(config, {
      profileFlag: flags.profile,
      envFlag: flags.env as EnvName | undefined,
      insecureFlag: flags['insecure-storage'],
      env,
    })
    const {c} = out
    const inFile = profile in config.profiles
    out.print(`${c.bold('Profile')} ${profile}  ${c.dim(`${paths.config}${inFile ? '' : ' (profile not in the file yet: defaults)'}`)}`)
    out.table(settings.map((setting) => [setting.key, `${shown(setting, c.dim)}  ${c.dim(describeSource(setting))}`]))
    out.quiet(
      settings
        .filter((setting) => setting.value !== null)
        .map((setting) => `${setting.key}=${formatValue(setting.value)}`)
        .join('\n'),
    )
    return {profile, configFile: paths.config, settings}
  },
})

function shown(setting: Setting, dim: (text: string) => string): string {
  return setting.value === null ? dim('(not set)') : formatValue(setting.value)
}
