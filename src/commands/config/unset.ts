import {Args} from '@oclif/core'

import {BaseCommand} from '../../core/base-command.js'
import {emptyConfig, loadConfig, type EnvName} from '../../core/config.js'
import {findKey, hasStoredPath, identityKeyFor, keysUnder, requireKey, selectedProfile, unsetConfigValue} from '../../core/config-keys.js'

export default class ConfigUnset extends BaseCommand<typeof ConfigUnset> {
  static override summary = 'Remove a profile setting (or a group such as fluz.urls) from the config file'
  static override description =
    'The built-in default applies again afterwards. A key the schema does not know can be removed too when it is in the file, to repair it.'
  static override examples = [
    '<%= config.bin %> config unset fluz.seatId',
    '<%= config.bin %> config unset funtrips.urls.sandbox --profile staging',
  ]
  static override args = {key: Args.string({description: 'dotted key or group, e.g. fluz.seatId', required: true})}

  async run() {
    const paths = this.paths
    const name = identityKeyFor(this.args.key, await loadConfig(paths.config).catch(() => emptyConfig()), {profileFlag: this.flags.profile, envFlag: this.flags.env as EnvName | undefined, env: process.env})
    const profile = selectedProfile(this.flags.profile, process.env)
    const known = findKey(name) !== undefined || keysUnder(name).length > 0
    // An unknown key is only accepted when the file holds it: that is how a bad file is repaired.
    if (!known && !(await hasStoredPath(paths.config, profile, name))) requireKey(name, {allowGroup: true, unset: true})
    const result = await unsetConfigValue(paths.config, profile, name)
    this.out.print(result.changed ? `Unset ${name} in profile ${profile}` : `${name} was not set in profile ${profile}; nothing changed`)
    this.out.quiet(name)
    return result
  }
}
