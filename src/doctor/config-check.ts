import {loadConfig, type Config} from '../core/config.js'
import {FtauthError} from '../core/errors.js'
import {readIfExists} from '../core/files.js'
import {check, errorMessage, timed, type Check} from './check.js'

export interface ConfigCheckResult {
  check: Check
  /** The parsed config, or undefined when the file is broken (the other checks then use built-in defaults). */
  config: Config | undefined
}

/** The config file parses and validates; a broken file fails here and never stops the other checks. */
export async function checkConfigFile(path: string, profileName: (config: Config) => string): Promise<ConfigCheckResult> {
  const title = 'Config file'
  try {
    const {value: config, ms} = await timed(() => loadConfig(path))
    const exists = (await readIfExists(path)) !== undefined
    const profile = profileName(config)
    const count = Object.keys(config.profiles).length
    const detail = exists
      ? `${path} is valid (${count} profile${count === 1 ? '' : 's'}; profile ${profile}${profile in config.profiles ? '' : ' is not in it: built-in defaults'})`
      : `no config file yet (${path}): built-in defaults for profile ${profile}`
    return {check: check('config', title, 'pass', detail, {ms}), config}
  } catch (error) {
    const hint = error instanceof FtauthError ? error.hint : undefined
    return {
      check: check('config', title, 'fail', `${errorMessage(error)}; the other checks used built-in defaults`, {
        fix: hint ?? `fix or move away ${path}`,
      }),
      config: undefined,
    }
  }
}
