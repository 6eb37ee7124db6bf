import {randomBytes} from 'node:crypto'
import {rm, stat} from 'node:fs/promises'

import {chooseSecretBackend} from '../core/deps.js'
import {ExitCode, FtauthError} from '../core/errors.js'
import type {FtauthPaths} from '../core/paths.js'
import {SECRET_ENV_VARS} from '../core/profiles.js'
import type {SecretBackend} from '../core/secret-backends.js'
import {check, errorMessage, timed, type Check} from './check.js'
import type {Platform} from './platform.js'

export interface BackendChoice {
  backend: SecretBackend
  /** The insecure credentials file, when that is the backend. */
  insecureFile?: string
  /** Messages of the CI memory fallback, when it kicked in. */
  fallbackNotes: string[]
}

/** The same backend the other commands would use (one choice, in core/deps.ts), with its notes collected. */
export function chooseBackend(input: {insecure: boolean; env: NodeJS.ProcessEnv; paths: FtauthPaths}): BackendChoice {
  const fallbackNotes: string[] = []
  const backend = chooseSecretBackend({...input, warn: (line) => {
    if (!input.insecure) fallbackNotes.push(line)
  }})
  return {backend, ...(input.insecure ? {insecureFile: input.paths.insecureCredentials} : {}), fallbackNotes}
}

/** Write, read back and delete a throwaway entry, timing the round trip. */
export async function checkKeychain(choice: BackendChoice, platform: Platform): Promise<Check> {
  const {backend} = choice
  const account = `doctor:probe:${randomBytes(6).toString('hex')}`
  const value = randomBytes(12).toString('hex')
  const title = 'Secret storage'
  try {
    const fileExisted = choice.insecureFile ? await stat(choice.insecureFile).then(() => true, () => false) : true
    const {ms} = await timed(async () => {
      await backend.set(account, value)
      const read = await backend.get(account)
      await backend.delete(account)
      if (read !== value) throw new FtauthError(ExitCode.keychain, `the ${backend.label} returned a different value than was written`)
    })
    // The probe must not leave an empty insecure file behind where there was none.
    if (choice.insecureFile && !fileExisted && (await backend.accounts()).length === 0) await rm(choice.insecureFile, {force: true})
    if (backend.kind === 'memory') {
      // The fallback's own message names the keychain error and that nothing outlives the run.
      const note = choice.fallbackNotes[0] ?? 'the keychain is unavailable; CI is set, so tokens are kept in memory for this run only'
      return check('keychain', title, 'warn', note, {
        fix: waysOut(platform, false),
        ms,
      })
    }
    const what = backend.kind === 'file' ? `${backend.label} (mode 0600, --insecure-storage)` : backend.label
    return check('keychain', title, 'pass', `${what}: write, read and delete of a test entry worked`, {ms})
  } catch (error) {
    const timedOut = /did not answer within/.test(errorMessage(error))
    return check('keychain', title, 'fail', errorMessage(error), {fix: backend.kind === 'file' ? fileFix() : waysOut(platform, timedOut)})
  }
}

/** Every way to work without a reachable keychain, for this platform. */
export function waysOut(platform: Platform, timedOut: boolean): string {
  const envVars = Object.values(SECRET_ENV_VARS).flatMap((names) => Object.values(names))
  const ways = [
    `set ${envVars.join(', ')} so no keychain is needed`,
    'or rerun with --insecure-storage (secrets in a 0600 file; `ftauth config set insecureStorage true` keeps it on for the profile)',
  ]
  if (timedOut) ways.push('or raise FTAUTH_KEYCHAIN_TIMEOUT (seconds)')
  if (platform.os === 'linux') {
    ways.push(
      'or start a Secret Service: install gnome-keyring (`sudo apt install gnome-keyring`) and unlock it (`gnome-keyring-daemon --unlock`), inside a D-Bus session (`dbus-run-session -- $SHELL`) on a machine without a desktop',
    )
  }
  if (platform.os === 'darwin') ways.push('or unlock the login keychain (`security unlock-keychain`)')
  return ways.join('; ')
}

function fileFix(): string {
  return 'check that the config dir is writable (`ls -ld` it), or drop --insecure-storage to use the OS keychain'
}
