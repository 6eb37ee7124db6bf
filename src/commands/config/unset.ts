import {defineCommand} from '../../core/command-run.js'
import {emptyConfig, loadConfig, type EnvName} from '../../core/config.js'
import {findKey, hasStoredPath, identityKeyFor, keysUnder, requireKey, selectedProfile, unsetConfigValue} from '../../core/config-keys.js'

export default defineCommand({
  id: 'config:unset',
  summary: 'Remove a profile setting (or a group such as fluz.urls) from the config file',
  description: 'The built-in default applies again afterwards. A key the schema does not know can be removed too when it is in the file, to repair it.',
  examples: ['<%= config.bin %> config unset fluz.seatId', '<%= config.bin %> config unset funtrips.urls.sandbox --profile staging'],
  args: {key: {description: 'dotted key or group, e.g. fluz.seatId', required: true}},
  flags: {},
  async run({args, flags, out, paths, env}) {
    const name = identityKeyFor(args.key, await loadConfig(paths.config).catch(() => emptyConfig()), {
      profileFlag: flags.profile,
      envFlag: flags.env as EnvName | undefined,
      env,
    })
    const profile = selectedProfile(flags.profile, env)
    const known = findKey(name) !== undefined || keysUnder(name).length > 0
    // An unknown key is only accepted when the file holds it: that is how a bad file is repaired.
    if (!known && !(await hasStoredPath(paths.config, profile, name))) requireKey(name, {allowGroup: true, unset: true})
    const result = await unsetConfigValue(paths.config, profile, name)
    out.print(result.changed ? `Unset ${name} in profile ${profile}` : `${name} was not set in profile ${profile}; nothing changed`)
    out.quiet(name)
    return result
  },
})
