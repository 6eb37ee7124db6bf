import {createHash, randomBytes} from 'node:crypto'

import {keychainError, FtauthError} from './errors.js'
import {probeSessionBus} from './keychain/dbus.js'
import {SecretServiceClient} from './keychain/secret-service.js'
import type {SecretBackend} from './secret-backends.js'
import {timerMs} from './time.js'

/**
 * Windows Credential Manager refuses blobs over 2,560 bytes (UTF-16: 1,280 chars); kept on macOS
 * too (limits there are not tested here). Longer values become chunks plus an index entry.
 */
export const CHUNK_CHARS = 1000
/**
 * The Secret Service has no such small limit: a cached token (~1–3 KB of JSON) in one item is one
 * read instead of an index and two chunks (docs/performance.md, "Keychain").
 */
export const SECRET_SERVICE_CHUNK_CHARS = 16_384
const CHUNK_MARKER = 'ftauth-chunked:v1:'

/** The largest single item on a platform, in UTF-16 units. */
export function chunkCharsFor(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' ? SECRET_SERVICE_CHUNK_CHARS : CHUNK_CHARS
}

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

/** The two ways to the keychain, as --trace and doctor name them. */
export const OWN_CLIENT = 'own Secret Service client'
export const BINDING = '@napi-rs/keyring binding'

export interface KeychainOptions {
  /** --trace: one line per keychain call, naming the path that served it. */
  trace?: ((line: string) => void) | undefined
  /** Largest single item in UTF-16 units (default: chunkCharsFor this platform). */
  chunkChars?: number
}

type Entry = import('@napi-rs/keyring').AsyncEntry
type KeyringModule = typeof import('@napi-rs/keyring')

/**
 * The OS keychain. On Linux through our own Secret Service client (src/core/keychain/), one D-Bus
 * connection for the run; @napi-rs/keyring on macOS and Windows, and on Linux where the own client
 * cannot serve a call (no connection, a locked collection that needs the unlock prompt, several
 * matching items) — said in --trace, never silently. Every call runs under a timeout (a hung D-Bus
 * must not freeze the terminal); values longer than one item are stored as chunks plus an index.
 */
export class KeychainBackend implements SecretBackend {
  readonly kind = 'keychain' as const
  readonly label = keychainLabel()
  private module: Promise<KeyringModule> | undefined
  private busChecked: ReturnType<typeof probeSessionBus> | undefined
  private readonly entries = new Map<string, Entry>()
  private direct: Promise<SecretServiceClient | undefined> | undefined
  private readonly served = new Set<string>()
  private readonly trace: ((line: string) => void) | undefined
  private readonly chunkChars: number

  constructor(
    private readonly service: string,
    private readonly timeoutMs: number,
    options: KeychainOptions = {},
  ) {
    this.trace = options.trace
    this.chunkChars = options.chunkChars ?? chunkCharsFor()
  }

  /** Which path served this run's keychain calls so far (doctor), or undefined before the first. */
  servedBy(): string | undefined {
    return this.served.size ? [...this.served].join(' and ') : undefined
  }

  /** The binding, once the bus is known to answer (Linux: see probeSessionBus in keychain/dbus.ts). */
  private async binding(): Promise<KeyringModule> {
    // Once per process, and not when our own connection is up: that says the same.
    if (process.platform === 'linux' && !(await this.directClient())) {
      this.busChecked ??= probeSessionBus(process.env.DBUS_SESSION_BUS_ADDRESS, this.timeoutMs)
      const bus = await this.busChecked
      if (!bus.ok) throw keychainError(`the ${this.label} is unavailable: ${bus.reason}`, WAYS_OUT)
    }
    this.module ??= import('@napi-rs/keyring')
    return this.module
  }

  private async entry(account: string): Promise<Entry> {
    const {AsyncEntry} = await this.binding()
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
        reject(keychainError(`the ${this.label} did not answer within ${this.timeoutMs / 1000}s (${what})`, `raise FTAUTH_KEYCHAIN_TIMEOUT, or ${WAYS_OUT}`))
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

  /**
   * One keychain operation: the own client first (Linux), else the binding. `own` answers
   * undefined when it cannot serve the call; why is said in the trace.
   */
  private async either<T>(
    what: string,
    account: string,
    own: (client: SecretServiceClient) => Promise<T | undefined>,
    binding: (signal: AbortSignal) => Promise<T>,
    outcome: (result: T) => string,
  ): Promise<T> {
    return this.call(what, async (signal) => {
      const started = performance.now()
      const client = await this.directClient()
      let declined = 'not used on this platform'
      if (client) {
        try {
          const result = await own(client)
          if (result !== undefined) return this.report(OWN_CLIENT, what, account, outcome(result), started, result)
          declined = 'declined (a locked collection, or several items match)'
        } catch (error) {
          declined = `failed (${describe(error)})`
        }
        this.trace?.(`keychain: ${what} ${account}: the ${OWN_CLIENT} ${declined}; asking ${BINDING}`)
      }
      const result = await binding(signal)
      return this.report(BINDING, what, account, outcome(result), started, result)
    })
  }

  private report<T>(path: string, what: string, account: string, outcome: string, started: number, result: T): T {
    this.served.add(path)
    this.trace?.(`keychain: ${what} ${account}: ${outcome} via the ${path} (${Math.round(performance.now() - started)} ms)`)
    return result
  }

  // Entries are created inside call(): the constructor itself fails when D-Bus is missing.
  private async rawGet(account: string): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.either(
          'read',
          account,
          async (client) => {
            const read = await client.read(this.attributes(account))
            return read && (read.found ? read.value : null)
          },
          async (signal) => (await this.entry(account)).getPassword(signal),
          (value) => (value === null ? 'absent' : 'found'),
        )
      } catch (error) {
        // GNOME Keyring can still list an item another process has just deleted, and reading it then
        // fails ("No such interface … on object"): that item is gone. Look again, then call it absent.
        if (!(error instanceof FtauthError) || !isVanishedItem(error.cause)) throw error
        if (attempt >= 3) return null
      }
    }
  }

  /** Linux: our own Secret Service connection, one for the run. Undefined: use the binding. */
  private async directClient(): Promise<SecretServiceClient | undefined> {
    const address = process.env.DBUS_SESSION_BUS_ADDRESS
    if (process.platform !== 'linux' || !address) return undefined
    this.direct ??= SecretServiceClient.open(address, this.timeoutMs).catch((error: unknown) => {
      this.trace?.(`keychain: the ${OWN_CLIENT} could not connect (${describe(error)}); using ${BINDING}`)
      return undefined
    })
    return this.direct
  }

  private attributes(account: string): Record<string, string> {
    return {service: this.service, username: account}
  }

  private async rawSet(account: string, value: string): Promise<void> {
    await this.either(
      'write',
      account,
      // The binding's own label, so both paths leave the same item behind.
      async (client) => ((await client.write(this.attributes(account), `keyring:${account}@${this.service}`, value)) ? true : undefined),
      async (signal) => {
        await (await this.entry(account)).setPassword(value, signal)
        return true
      },
      () => 'stored',
    )
  }

  private rawDelete(account: string): Promise<boolean> {
    return this.either(
      'delete',
      account,
      (client) => client.delete(this.attributes(account)),
      async (signal) => (await this.entry(account)).deleteCredential(signal),
      (deleted) => (deleted ? 'deleted' : 'absent'),
    )
  }

  async get(account: string): Promise<string | null> {
    // A concurrent set() may replace the chunks between reading the index and the parts: read the
    // index again before calling an entry damaged.
    for (let attempt = 1; ; attempt++) {
      const value = await this.rawGet(account)
      if (value === null || !value.startsWith(CHUNK_MARKER)) return value
      const index = parseIndex(value)
      if (!index) throw keychainError(`keychain entry ${account} has a damaged chunk index`, `run \`ftauth logout\` and log in again`)
      const parts = await Promise.all(Array.from({length: index.count}, (_, i) => this.rawGet(chunkAccount(account, index.generation, i)).catch(() => null)))
      const whole = parts.join('')
      if (parts.every((part) => part !== null) && digest(whole) === index.digest) return whole
      if (attempt >= 3) throw keychainError(`keychain entry ${account} is missing a chunk`, 'run `ftauth logout` and log in again')
    }
  }

  async set(account: string, value: string): Promise<void> {
    // Entries chunked by an earlier version (or on another platform's limit) still read; the next
    // write replaces them with one item where it fits, and deletes the old chunks.
    const previous = await this.rawGet(account)
    if (value.length <= this.chunkChars && !value.startsWith(CHUNK_MARKER)) {
      await this.rawSet(account, value)
    } else {
      // New chunks under a fresh generation first, then the index: a crash never leaves a mix.
      const generation = randomBytes(4).toString('hex')
      const chunks = splitOnCodePoints(value, this.chunkChars)
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
    const found = await this.either(
      'list',
      this.service,
      (client) => client.list({service: this.service}, 'username'),
      async (signal) => (await (await this.binding()).findCredentialsAsync(this.service, null, signal)).map((credential) => credential.account),
      (accounts) => `${accounts.length} items`,
    )
    return found.filter((account) => !account.includes('#chunk:'))
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
export function describeFailure(
  label: string,
  error: unknown,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): {message: string; hint: string} {
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
