/**
 * The one exit-code table shared by every command (documented in the README).
 * Errors are values: thrown once where they happen, rendered once by the base command.
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  credentialsRejected: 3,
  expiredOrUsed: 4,
  network: 5,
  provider: 6,
  keychain: 7,
  /** A mistyped command (what a shell answers for an unknown command). */
  unknownCommand: 127,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface FtauthErrorOptions {
  /** What to run or change next; rendered after an em dash on the same line. */
  hint?: string
  cause?: unknown
  /** Extra machine-readable detail for --json error output. Must never hold a secret. */
  details?: Record<string, unknown>
}

export class FtauthError extends Error {
  readonly exitCode: ExitCodeValue
  readonly hint: string | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(exitCode: ExitCodeValue, message: string, options: FtauthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'FtauthError'
    this.exitCode = exitCode
    this.hint = options.hint
    this.details = options.details
  }

  /** The single line shown to the user. */
  get line(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message
  }
}

export const usageError = (message: string, hint?: string): FtauthError => new FtauthError(ExitCode.usage, message, {hint})

export const credentialsRejected = (message: string, hint?: string, details?: Record<string, unknown>): FtauthError =>
  new FtauthError(ExitCode.credentialsRejected, message, {hint, details})

/**
 * Not logged in: a credential (client id/secret, API key, ids) is missing. The same exit code as a
 * rejected one on every command and provider, so scripts have one rule for "fix the credentials".
 */
export const notLoggedIn = (message: string, hint: string): FtauthError => new FtauthError(ExitCode.credentialsRejected, message, {hint})

export const expiredOrUsed = (message: string, hint?: string, details?: Record<string, unknown>): FtauthError =>
  new FtauthError(ExitCode.expiredOrUsed, message, {hint, details})

export const networkError = (message: string, hint?: string, cause?: unknown): FtauthError => new FtauthError(ExitCode.network, message, {hint, cause})

export const providerError = (message: string, hint?: string, details?: Record<string, unknown>): FtauthError =>
  new FtauthError(ExitCode.provider, message, {hint, details})

export const keychainError = (message: string, hint?: string, cause?: unknown): FtauthError => new FtauthError(ExitCode.keychain, message, {hint, cause})
