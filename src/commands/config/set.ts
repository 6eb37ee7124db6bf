import {defineCommand} from '../../core/command-run.js'
import {emptyConfig, loadConfig, type EnvName} from '../../core/config.js'
import {effectiveSettings, formatValue, identityKeyFor, requireKey, selectedProfile, setConfigValue} from '../../core/config-keys.js'
import {usageError} from '../../core/errors.js'
import {checkTransport} from '../../core/transport.js'

export default defineCommand({
  id: 'config:set',
  summary: 'Set one profile setting in the config file',
  description:
    "The value is validated against the config schema first; on any error nothing is written. Ids belong to an environment: fluz.userId means fluz.ids.<env>.userId of the environment chosen by --env (or the profile's). Lists take commas (fluz.scopes LIST_OFFERS,PURCHASE_GIFTCARD). Secrets are not settings: use `ftauth login`.",
  examples: [
    '<%= config.bin %> config set fluz.userId 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f --env production',
    '<%= config.bin %> config set funtrips.userId alice@example.com',
    '<%= config.bin %> config set funtrips.urls.sandbox.apiUrl https://api.acc.funtrips.io/acc',
    '<%= config.bin %> config set env local --profile dev',
  ],
  args: {
    key: {description: 'dotted key, e.g. fluz.userId (see `ftauth config list`)', required: true},
    value: {description: 'the new value'},
  },
  flags: {},
  async run({args, flags, out, paths, env}) {
    const envFlag = flags.env as EnvName | undefined
    const key = requireKey(identityKeyFor(args.key, await loadConfig(paths.config).catch(() => emptyConfig()), {profileFlag: flags.profile, envFlag, env}))
    if (args.value === undefined) throw usageError(`no value given for ${key.key}`, `run \`ftauth config set ${key.key} <value>\` (${key.expects})`)
    const profile = selectedProfile(flags.profile, env)
    // A base URL in cleartext to another host is refused before anything is written (exit 2).
    if (key.expects === 'an http(s) URL' && URL.canParse(args.value.trim())) {
      checkTransport(args.value.trim(), key.key, {allowHttp: flags['allow-http'], warn: (line) => out.warn(line)})
    }
    const result = await setConfigValue(paths.config, profile, key, args.value)
    const value = formatValue(result.value)
    out.print(`Set ${key.key} = ${value} in profile ${profile} ${out.c.dim(`(${paths.config})`)}`)
    // Say so when an environment variable or flag will still win over what was just written.
    const effective = effectiveSettings(await loadConfig(paths.config), {
      profileFlag: profile,
      envFlag,
      insecureFlag: flags['insecure-storage'],
      env,
    }).settings.find((setting) => setting.key === key.key)
    if (effective && (effective.source === 'env' || effective.source === 'flag') && effective.origin) {
      out.warn(`${effective.origin} is set and overrides ${key.key} (effective value ${formatValue(effective.value)})`)
    }
    out.quiet(value)
    return result
  },
})
