import {createHash, randomBytes} from 'node:crypto'

import {probeSessionBus} from './dbus.js'
import {keychainError, FtauthError} from './errors.js'
import {SecretServiceClient, type ReadOutcome} from './secret-service.js'
import type {SecretBackend} from './secret-backends.js'
import {timerMs} from './time.js'

/** Windows Credential Manager refuses blobs over 2,560 bytes (UTF-16: 1,280 chars); macOS has limits too. */
export const CHUNK_CHARS = 1000
const CHUNK_MARKER = 'ftauth-chunked:v1:'

export function keychainTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.FTAUTH_KEYCHAIN_TIMEOUT)
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 5000
}

function isVanishedItem(error: unknown): boolean {
  return /No such (interface|object)|UnknownObject|Object does not exist/i.test(describe(error))
}

/** The keychain @napi-rs/keyring uses on each OS, named in status, doctor and errors. */
export function keychainLabel(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain'
  if (platform === 'win32') return 'Windows Credential Manager'
  return 'Secret Service (D-Bus)'
}

/** What works without a keychain (docs/storage.md, "Without a keychain"); doctor spells out the same per platform. */
export const WAYS_OUT =
  'commands still work with the credential in its FTAUTH_* variable (tokens are then cached sealed with that credential), or rerun with --insecure-storage to keep secrets in a 0600 file; `ftauth doctor` explains'

type Entry = import('@napi-rs/keyring').AsyncEntry
type KeyringModule = typeof import('@napi-rs/keyring')

/**
 * The OS keychain through @napi-rs/keyring. Every call runs under a timeout (a hung D-Bus must not
 * freeze the terminal); values longer than one item are stored as chunks plus an index entry.
 */
export class KeychainBackend implements SecretBackend {
  readonly kind = 'keychain' as const
  readonly label = keychainLabel()
  private module: Promise<KeyringModule> | undefined
  private busChecked: ReturnType<typeof probeSessionBus> | undefined
  private readonly entries = new Map<string, Entry>()
  private direct: Promise<SecretServiceClient | undefined> | undefined

  constructor(
    private readonly service: string,
    private readonly timeoutMs: number,
  ) {}

  private async entry(account: string): Promise<Entry> {
    // Linux: make sure the session bus answers first (see probeSessionBus in dbus.ts), once per
    // process — unless our own connection to it is already up, which says the same.
    if (process.platform === 'linux' && !(await this.directClient())) {
      this.busChecked ??= probeSessionBus(process.env.DBUS_SESSION_BUS_ADDRESS, this.timeoutMs)
      const bus = await this.busChecked
      if (!bus.ok) throw keychainError(`the ${this.label} is unavailable: ${bus.reason}`, WAYS_OUT)
    }
    this.module ??= import('@napi-rs/keyring')
    const {AsyncEntry} = await this.module
    // Each new entry opens its own D-Bus connection and Secret Service session (~25 ms): a write
    // reads the account first, so entries are kept for the run.
    let entry = this.entries.get(account)
    if (!entry) {
      // On Linux force the Secret Service: the kernel-keyring fallback loses data on reboot.
      entry = new AsyncEntry(this.service, account, {linux: {store: 'secret-service'}})
      this.entries.set(account, entry)
    }
    return entry
  }

  private async call<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(
          keychainError(
            `the ${this.label} did not answer within ${this.timeoutMs / 1000}s (${what})`,
            `raise FTAUTH_KEYCHAIN_TIMEOUT, or ${WAYS_OUT}`,
          ),
        )
      }, timerMs(this.timeoutMs))
      timer.unref()
    })
    try {
      return await Promise.race([run(controller.signal), timeout])
    } catch (error) {
      if (error instanceof FtauthError) throw error
      const failure = describeFailure(this.label, error, process.env)
      throw keychainError(failure.message, failure.hint, error)
    } finally {
      clearTimeout(timer)
    }
  }

  // Entries are created inside call(): the constructor itself fails when D-Bus is missing.
  private async rawGet(account: string): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call('read', async (signal) => {
          const read = await this.readDirectly(account)
          if (read) return read.found ? read.value : null
          return (await this.entry(account)).getPassword(signal)
        })
      } catch (error) {
        // GNOME Keyring can still list an item another process has just deleted, and reading it then
        // fails ("No such interface … on object"): that item is gone. Look again, then call it absent.
        if (!(error instanceof FtauthError) || !isVanishedItem(error.cause)) throw error
        if (attempt >= 3) return null
      }
    }
  }

  /**
   * Linux: our own Secret Service connection (secret-service.ts), one for the run, instead of a
   * binding entry with its own blocking connection per account. Undefined: use the binding.
   */
  private async directClient(): Promise<SecretServiceClient | undefined> {
    const address = process.env.DBUS_SESSION_BUS_ADDRESS
    if (process.platform !== 'linux' || !address) return undefined
    this.direct ??= SecretServiceClient.open(address, this.timeoutMs).catch(() => undefined)
    return this.direct
  }

  private attributes(account: string): Record<string, string> {
    return {service: this.service, username: account}
  }

  private async readDirectly(account: string): Promise<ReadOutcome> {
    return (await this.directClient())?.read(this.attributes(account)).catch(() => undefined)
  }

  private async rawSet(account: string, value: string): Promise<void> {
    await this.call('write', async (signal) => {
      // The binding's own label, so both paths leave the same item behind.
      const written = await (await this.directClient())?.write(this.attributes(account), `keyring:${account}@${this.service}`, value).catch(() => false)
      if (!written) await (await this.entry(account)).setPassword(value, signal)
    })
  }

  private rawDelete(account: string): Promise<boolean> {
    return this.call('delete', async (signal) => {
      const deleted = await (await this.directClient())?.delete(this.attributes(account)).catch(() => undefined)
      return deleted ?? (await this.entry(account)).deleteCredential(signal)
    })
  }

  async get(account: string): Promise<string | null> {
    // A concurrent set() may replace the chunks between reading the index and the parts: read the
    // index again before calling an entry damaged.
    for (let attempt = 1; ; attempt++) {
      const value = await this.rawGet(account)
      if (value === null || !value.startsWith(CHUNK_MARKER)) return value
      const index = parseIndex(value)
      if (!index) throw keychainError(`keychain entry ${account} has a damaged chunk index`, `run \`ftauth logout\` and log in again`)
      const parts = await Promise.all(
        Array.from({length: index.count}, (_, i) => this.rawGet(chunkAccount(account, index.generation, i)).catch(() => null)),
      )
      const whole = parts.join('')
      if (parts.every((part) => part !== null) && digest(whole) === index.digest) return whole
      if (attempt >= 3) throw keychainError(`keychain entry ${account} is missing a chunk`, 'run `ftauth logout` and log in again')
    }
  }

  async set(account: string, value: string): Promise<void> {
    const previous = await this.rawGet(account)
    if (value.length <= CHUNK_CHARS && !value.startsWith(CHUNK_MARKER)) {
      await this.rawSet(account, value)
    } else {
      // New chunks under a fresh generation first, then the index: a crash never leaves a mix.
      const generation = randomBytes(4).toString('hex')
      const chunks = splitOnCodePoints(value, CHUNK_CHARS)
      for (const [i, chunk] of chunks.entries()) await this.rawSet(chunkAccount(account, generation, i), chunk)
      await this.rawSet(account, `${CHUNK_MARKER}${generation}:${chunks.length}:${digest(value)}`)
    }
    if (previous?.startsWith(CHUNK_MARKER)) await this.deleteChunks(account, previous)
  }

  async delete(account: string): Promise<boolean> {
    const previous = await this.rawGet(account)
    if (previous === null) return false
    await this.rawDelete(account)
    if (previous.startsWith(CHUNK_MARKER)) await this.deleteChunks(account, previous)
    return true
  }

  async accounts(): Promise<string[]> {
    this.module ??= import('@napi-rs/keyring')
    const {findCredentialsAsync} = await this.module
    const found = await this.call('list', (signal) => findCredentialsAsync(this.service, null, signal))
    return found.map((credential) => credential.account).filter((account) => !account.includes('#chunk:'))
  }

  private async deleteChunks(account: string, indexValue: string): Promise<void> {
    const index = parseIndex(indexValue)
    if (!index) return
    for (let i = 0; i < index.count; i++) await this.rawDelete(chunkAccount(account, index.generation, i))
  }
}

/**
 * Pieces of at most `max` UTF-16 units that never cut a surrogate pair: a lone half would be stored
 * as U+FFFD (the keychain keeps UTF-8) and the secret could not be read back.
 */
export function splitOnCodePoints(value: string, max: number): string[] {
  const chunks: string[] = []
  let current = ''
  for (const char of value) {
    if (current.length + char.length > max) {
      chunks.push(current)
      current = ''
    }
    current += char
  }
  if (current) chunks.push(current)
  return chunks
}

function chunkAccount(account: string, generation: string, i: number): string {
  return `${account}#chunk:${generation}:${i}`
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16)
}

function parseIndex(value: string): {generation: string; count: number; digest: string} | undefined {
  const match = /^ftauth-chunked:v1:([0-9a-f]+):(\d+):([0-9a-f]{16})$/.exec(value)
  if (!match) return undefined
  return {generation: match[1]!, count: Number(match[2]), digest: match[3]!}
}

/**
 * The binding's error, in the user's terms. A locked Secret Service collection makes the binding
 * ask for the unlock prompt; with no display that prompt is never shown and the binding reports it
 * "dismissed" — which would send the user looking for a dialog that never appeared.
 */
export function describeFailure(label: string, error: unknown, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): {message: string; hint: string} {
  const reason = describe(error)
  if (platform === 'linux' && /dismiss/i.test(reason) && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return {
      message: `the ${label} keyring is locked, and no unlock prompt can be shown here (no DISPLAY or WAYLAND_DISPLAY)`,
      hint: `unlock it first (\`gnome-keyring-daemon --unlock\` reads the password on stdin), or ${WAYS_OUT}`,
    }
  }
  return {message: `the ${label} is unavailable (${reason})`, hint: WAYS_OUT}
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.slice(0, 200)
}
