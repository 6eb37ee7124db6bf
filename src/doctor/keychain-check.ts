import {randomBytes} from 'node:crypto'
import {rm, stat} from 'node:fs/promises'

import {chooseSecretBackend, type BackendChoiceInput} from '../core/deps.js'
import {ExitCode, FtauthError} from '../core/errors.js'
import type {ProviderName} from '../core/config.js'
import {PROVIDERS} from '../providers/registry.js'
import {secretEnvVars, secretOf} from '../core/profiles.js'
import type {SecretBackend} from '../core/secret-backends.js'
import {check, errorMessage, timed, type Check} from './check.js'
import type {Platform} from './platform.js'

export interface BackendChoice {
  backend: SecretBackend
  /** The insecure credentials file, when that is the backend. */
  insecureFile?: string
  /** Messages of the CI memory fallback, when it kicked in. */
  fallbackNotes: string[]
  /** Providers whose credential comes from the environment: they work without a keychain. */
  environmentProviders: ProviderName[]
  sealedDir: string
}

/** The same backend the other commands would use (one choice, in core/deps.ts), with its notes collected. */
export function chooseBackend(input: Omit<BackendChoiceInput, 'warn'>): BackendChoice {
  const fallbackNotes: string[] = []
  const backend = chooseSecretBackend({
    ...input,
    warn: (line) => {
      if (!input.insecure) fallbackNotes.push(line)
    },
  })
  // Only real FTAUTH_* credentials: the emulator's demo ones in `local` need no keychain either, but
  // a keychain that does not answer is still worth a failed check there.
  const environmentProviders = PROVIDERS.filter((provider) => Boolean(input.env[secretOf(provider).envVar]))
  return {backend, ...(input.insecure ? {insecureFile: input.paths.insecureCredentials} : {}), fallbackNotes, environmentProviders, sealedDir: input.paths.dir}
}

/** Write, read back and delete a throwaway entry, timing the round trip. */
export async function checkKeychain(choice: BackendChoice, platform: Platform): Promise<Check> {
  const {backend} = choice
  const account = `doctor:probe:${randomBytes(6).toString('hex')}`
  const value = randomBytes(12).toString('hex')
  const title = 'Secret storage'
  try {
    const fileExisted = choice.insecureFile
      ? await stat(choice.insecureFile).then(
          () => true,
          () => false,
        )
      : true
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
    const via = backend.servedBy?.()
    const what = backend.kind === 'file' ? `${backend.label} (mode 0600, --insecure-storage)` : backend.label
    if (via) return check('keychain', title, 'pass', `${what}: write, read and delete of a test entry worked (served by the ${via})`, {ms})
    return check('keychain', title, 'pass', `${what}: write, read and delete of a test entry worked`, {ms})
  } catch (error) {
    const timedOut = /did not answer within/.test(errorMessage(error))
    const working = choice.environmentProviders
    if (backend.kind !== 'file' && working.length > 0) {
      // Not a failure for what this environment runs: those providers need no keychain.
      return check('keychain', title, 'warn', `${errorMessage(error)}; ${withoutKeychain(working, choice.sealedDir)}`, {fix: waysOut(platform, timedOut)})
    }
    return check('keychain', title, 'fail', errorMessage(error), {fix: backend.kind === 'file' ? fileFix() : waysOut(platform, timedOut)})
  }
}

/** What runs without a keychain, in words shared with docs/storage.md. */
export function withoutKeychain(providers: readonly ProviderName[], dir: string): string {
  return `${providers.join(', ')} run from the credential in the environment and cache tokens in ${dir}/tokens-<provider>.sealed, encrypted with a key derived from that credential; \`ftauth login\` needs a keychain or --insecure-storage`
}

/** Every way to work without a reachable keychain, for this platform. */
export function waysOut(platform: Platform, timedOut: boolean): string {
  const envVars = secretEnvVars()
  const ways = [
    `set ${envVars.join(', ')}: commands then need no keychain and cache tokens sealed with that credential`,
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
