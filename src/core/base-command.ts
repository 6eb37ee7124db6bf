import {Command, Errors, Flags, type Interfaces} from '@oclif/core'

import {ENVIRONMENTS, type EnvName} from './config.js'
import {createDeps, type Deps} from './deps.js'
import {ExitCode, FtauthError, usageError} from './errors.js'
import {colorEnabled, Output, type OutputMode} from './output.js'
import {pathsFor, resolveConfigDir, type FtauthPaths} from './paths.js'
import {redactKnown, redactSecret} from './redact.js'

export type {Deps} from './deps.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>


export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    profile: Flags.string({description: 'profile to use (env FTAUTH_PROFILE)', helpGroup: 'GLOBAL'}),
    env: Flags.string({
      description: 'provider environment (env FTAUTH_ENV)',
      options: [...ENVIRONMENTS],
      helpGroup: 'GLOBAL',
    }),
    quiet: Flags.boolean({char: 'q', description: 'print only the primary value (token or code), for $(...)', helpGroup: 'GLOBAL'}),
    trace: Flags.boolean({description: 'print every request and response to stderr, secrets masked (env FTAUTH_TRACE=1)', helpGroup: 'GLOBAL'}),
    debug: Flags.boolean({description: 'show stack traces on errors (implies --trace)', helpGroup: 'GLOBAL'}),
    color: Flags.boolean({description: 'colour output (default: on for a terminal, off with NO_COLOR)', allowNo: true, helpGroup: 'GLOBAL'}),
    'insecure-storage': Flags.boolean({
      description: 'keep secrets in a 0600 file in the config dir instead of the OS keychain',
      helpGroup: 'GLOBAL',
    }),
    timeout: Flags.integer({description: 'HTTP timeout in seconds', default: 15, min: 1, helpGroup: 'GLOBAL'}),
  }

  protected flags!: BaseFlags<T>
  protected args!: Interfaces.InferredArgs<T['args']>
  protected out!: Output
  private deps: Deps | undefined
  private secretsSeen = new Set<string>()

  public override async init(): Promise<void> {
    await super.init()
    // A provisional output so parse errors are rendered our way too.
    this.out = this.makeOutput(this.jsonEnabled() ? 'json' : 'human', undefined)
    const {flags, args} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    this.args = args as Interfaces.InferredArgs<T['args']>
    const mode: OutputMode = this.jsonEnabled() ? 'json' : this.flags.quiet ? 'quiet' : 'human'
    this.out = this.makeOutput(mode, this.flags.color)
    if (process.env.FTAUTH_ENV && !(ENVIRONMENTS as readonly string[]).includes(process.env.FTAUTH_ENV)) {
      throw usageError(`FTAUTH_ENV=${process.env.FTAUTH_ENV} is not an environment`, `use one of ${ENVIRONMENTS.join(', ')}`)
    }
  }

  private makeOutput(mode: OutputMode, colorFlag: boolean | undefined): Output {
    return new Output({stdout: process.stdout, stderr: process.stderr}, mode, {
      colorOut: colorEnabled(process.stdout, process.env, colorFlag),
      colorErr: colorEnabled(process.stderr, process.env, colorFlag),
    })
  }

  protected get tracing(): boolean {
    return Boolean(this.flags?.trace || this.flags?.debug || process.env.FTAUTH_TRACE === '1')
  }

  protected get paths(): FtauthPaths {
    return pathsFor(resolveConfigDir(process.env, this.config.configDir))
  }

  /** Builds the flow dependencies on first use, so commands that need none stay fast. */
  protected async context(): Promise<Deps> {
    this.deps ??= await createDeps({
      out: this.out,
      env: process.env,
      configDir: this.paths.dir,
      profileFlag: this.flags.profile,
      envFlag: this.flags.env as EnvName | undefined,
      insecureStorage: this.flags['insecure-storage'],
      timeoutMs: this.flags.timeout * 1000,
      trace: this.tracing,
      secrets: this.secretsSeen,
    })
    return this.deps
  }

  /** Renders any error once: one line on stderr (JSON on stdout with --json), exit code from the table. */
  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<never> {
    if (error instanceof Errors.ExitError) throw error
    const ftauthError = toFtauthError(error, this.id)
    const line = redactKnown(ftauthError.line, [...this.secretsSeen])
    const out = this.out ?? this.makeOutput('human', undefined)
    out.err(`${out.e.red('error:')} ${line}`)
    if (this.flags?.debug || process.env.DEBUG) {
      // The cause chain too: a wrapped network or keychain error keeps its original reason there.
      for (let current: unknown = error; current; current = (current as {cause?: unknown}).cause) {
        const text = current instanceof Error ? (current.stack ?? current.message) : String(current)
        out.err(out.e.dim(redactKnown(current === error ? text : `caused by: ${text}`, [...this.secretsSeen])))
      }
    }
    if (this.jsonEnabled()) {
      const json = {
        error: {
          message: redactKnown(ftauthError.message, [...this.secretsSeen]),
          hint: ftauthError.hint,
          exitCode: ftauthError.exitCode,
          ...ftauthError.details,
        },
      }
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
    }
    throw new Errors.ExitError(ftauthError.exitCode)
  }

  /** JSON goes out uncoloured unless stdout is a terminal that wants colour. */
  public override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }
}

/**
 * oclif's parse errors quote what was typed; a mistyped `--client-secret=…` or a stray argument
 * may be a secret, so values are reduced to the redacted form (a short prefix and the length).
 */
function withoutValues(line: string): string {
  // Plain short words ("extra", "sandbox") cannot be secrets worth hiding and help the reader.
  const shown = (value: string) => (/^[a-z][a-z-]{0,11}$/.test(value) ? value : redactSecret(value))
  return line
    .replace(/(--[\w-]+)=(\S+)/g, (_, flag: string, value: string) => `${flag}=${shown(value)}`)
    .replace(/^(Unexpected arguments?:\s*)(.+)$/i, (_, lead: string, args: string) => `${lead}${args.split(/,\s*|\s+/).filter(Boolean).map(shown).join(', ')}`)
}

const PARSE_ERRORS = new Set([
  'FailedFlagValidationError',
  'NonExistentFlagsError',
  'RequiredArgsError',
  'UnexpectedArgsError',
  'FlagInvalidOptionError',
  'ArgInvalidOptionError',
  'CLIParseError',
])

export function toFtauthError(error: Error & {oclif?: {exit?: number}}, commandId: string | undefined): FtauthError {
  if (error instanceof FtauthError) return error
  const name = error.constructor?.name ?? error.name
  if (PARSE_ERRORS.has(name) || error.oclif?.exit === 2) {
    // oclif puts a generic lead-in ("The following error occurred:") before the real reasons.
    const lines = error.message.split('\n').map((line) => line.trim()).filter((line) => line && !/^The following errors? occurred:?$/i.test(line))
    const first =
      lines
        .map((line) => line.replace(/^[-*]\s*/, ''))
        .filter((line) => !/^See more help with/i.test(line))
        .map(withoutValues)
        .join('; ') || 'invalid arguments'
    return new FtauthError(ExitCode.usage, first, {hint: `see \`ftauth ${commandId?.replace(/:/g, ' ') ?? ''} --help\``})
  }
  return new FtauthError(ExitCode.unexpected, `unexpected error: ${error.message.split('\n')[0]}`, {
    hint: 'rerun with --debug for the stack trace, and report it',
    cause: error,
  })
}
