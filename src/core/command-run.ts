import {systemBrowser} from './browser.js'
import {ENVIRONMENTS, type EnvName} from './config.js'
import {createDeps, type Deps} from './deps.js'
import {ExitCode, FtauthError, usageError} from './errors.js'
import type {ArgSpecs, ArgValues, FlagSpecs, FlagValues, GlobalFlagValues} from './flag-spec.js'
import {ambientIo, resolveInvocation, type CliIo, type Invocation} from './invocation.js'
import {jsonDocument} from './json-document.js'
import {colorEnabled, Output, terminalSafe, type OutputMode, type WritableLike} from './output.js'
import type {FtauthPaths} from './paths.js'
import {terminalPrompter} from './prompt.js'
import {redactKnown, redactSecret, redactStrings} from './redact.js'
import {terminalColumns} from './text.js'

/** What a command body sees, whichever path (our runtime or oclif) parsed its argv. */
export interface CommandContext<F, A = Record<string, never>> {
  readonly id: string
  readonly flags: F & GlobalFlagValues
  readonly args: A
  readonly out: Output
  readonly paths: FtauthPaths
  readonly tracing: boolean
  /** The environment variables of this run (process.env, or a test's). */
  readonly env: NodeJS.ProcessEnv
  /** Streams, platform, cwd and the resolved dirs of this run (src/core/invocation.ts). */
  readonly invocation: Invocation
  /** The flow dependencies, built on first use so commands that need none stay fast. */
  context(): Promise<Deps>
  /** Exit code after a successful body (doctor: 1 when a check failed; the report is still printed). */
  exitCode: number
}

/**
 * One command: its help (summary, description, examples), flags, args and a body that needs no
 * oclif. One file per command, `src/commands/<topic>/<verb>.ts` exporting it as default; the id is
 * the path (`topic:verb`). Our runtime (src/cli/run.ts) runs it; oclif gets a class made from it
 * by `oclifCommand()` (src/core/base-command.ts) for help, completion and the manifest. Its JSON
 * result is what `--json` prints.
 */
export interface CommandDefinition<S extends FlagSpecs, A extends ArgSpecs = Record<string, never>> {
  id: string
  summary: string
  description?: string
  /** `<%= config.bin %>` stands for the binary's name, as in oclif. */
  examples?: readonly string[]
  hidden?: boolean
  /** false: the command takes none of the global flags (--profile, --env, --json…): `autocomplete fish`. */
  globalFlags?: boolean
  flags: S
  args?: A
  run(ctx: CommandContext<FlagValues<S>, ArgValues<A>>): Promise<unknown>
}

export type AnyCommandDefinition = CommandDefinition<FlagSpecs, ArgSpecs>

export const defineCommand = <const S extends FlagSpecs, const A extends ArgSpecs = Record<string, never>>(
  definition: CommandDefinition<S, A>,
): CommandDefinition<S, A> => definition

export function makeOutput(mode: OutputMode, colorFlag: boolean | undefined, io: Pick<CliIo, 'stdout' | 'stderr' | 'env'> = ambientIo()): Output {
  const {stdout, stderr, env} = io
  return new Output({stdout, stderr}, mode, {
    colorOut: colorEnabled(stdout, env, colorFlag),
    colorErr: colorEnabled(stderr, env, colorFlag),
    columns: terminalColumns(stdout.isTTY ? stdout : stderr, env),
  })
}

/** One command invocation: its flags, output, dependencies, and the one way errors are rendered. */
export class CommandRun<F = Record<string, never>, A = Record<string, string | undefined>> implements CommandContext<F, A> {
  readonly out: Output
  readonly paths: FtauthPaths
  readonly env: NodeJS.ProcessEnv
  exitCode = 0
  private deps: Deps | undefined
  private readonly secretsSeen = new Set<string>()

  constructor(
    readonly id: string,
    readonly flags: F & GlobalFlagValues,
    readonly args: A,
    readonly invocation: Invocation = resolveInvocation(ambientIo()),
  ) {
    const mode: OutputMode = flags.json ? 'json' : flags.quiet ? 'quiet' : 'human'
    this.env = invocation.env
    this.out = makeOutput(mode, flags.color, invocation.io)
    this.out.useSecrets(this.secretsSeen)
    // One rule on every path (oclif's own config dir is not consulted: it is the same rule).
    this.paths = invocation.paths
    if (this.env.FTAUTH_ENV && !(ENVIRONMENTS as readonly string[]).includes(this.env.FTAUTH_ENV)) {
      throw usageError(`FTAUTH_ENV=${this.env.FTAUTH_ENV} is not an environment`, `use one of ${ENVIRONMENTS.join(', ')}`)
    }
  }

  get tracing(): boolean {
    return Boolean(this.flags.trace || this.flags.debug || this.env.FTAUTH_TRACE === '1')
  }

  // An arrow property, so command bodies may destructure it.
  readonly context = async (): Promise<Deps> => {
    this.deps ??= await createDeps({
      out: this.out,
      env: this.env,
      // Prompts and the browser follow this run's streams and platform (in-process runs have their own).
      prompter: terminalPrompter(this.env, this.invocation.io),
      browser: systemBrowser(this.env, this.invocation.io.platform),
      configDir: this.paths.dir,
      profileFlag: this.flags.profile,
      envFlag: this.flags.env as EnvName | undefined,
      insecureStorage: this.flags['insecure-storage'],
      cacheTokens: this.flags.cache !== false,
      timeoutMs: this.flags.timeout * 1000,
      trace: this.tracing,
      secrets: this.secretsSeen,
      allowHttp: this.flags['allow-http'],
    })
    return this.deps
  }

  /** The result: one JSON document on stdout with --json (human and quiet output were printed by the body); returns the exit code. */
  succeed(result: unknown): number {
    if (this.flags.json && result !== undefined) writeJson(result, this.invocation.io.stdout)
    return this.exitCode
  }

  /** Renders any error once: one line on stderr (JSON on stdout with --json); returns the exit code. */
  fail(error: unknown): number {
    return renderError(error, {
      id: this.id,
      out: this.out,
      json: Boolean(this.flags.json),
      debug: Boolean(this.flags.debug),
      secrets: [...this.secretsSeen],
      env: this.env,
    })
  }
}

/** One --json document (success or error), versioned (src/core/json-document.ts). */
export function writeJson(value: unknown, stdout: WritableLike = ambientIo().stdout): void {
  stdout.write(`${JSON.stringify(jsonDocument(value), null, 2)}\n`)
}

export function renderError(
  error: unknown,
  options: {id: string | undefined; out: Output; json: boolean; debug: boolean; secrets: string[]; env?: NodeJS.ProcessEnv},
): number {
  const {out, secrets} = options
  const ftauthError = toFtauthError(error instanceof Error ? error : new Error(String(error)), options.id)
  // Messages quote providers (error descriptions, GraphQL errors[]): masked, and made safe for a terminal.
  out.err(`${out.e.red('error:')} ${terminalSafe(redactKnown(ftauthError.line, secrets), {singleLine: true})}`)
  if (options.debug || (options.env ?? process.env).DEBUG) {
    // The cause chain too: a wrapped network or keychain error keeps its original reason there.
    for (let current: unknown = error; current; current = (current as {cause?: unknown}).cause) {
      const text = current instanceof Error ? (current.stack ?? current.message) : String(current)
      out.err(out.e.dim(terminalSafe(redactKnown(current === error ? text : `caused by: ${text}`, secrets))))
    }
  }
  if (options.json) {
    // Every field of the details (a provider's errors[], a failed call's response), at any depth,
    // goes through the same masking as the message.
    writeJson(
      {
        error: redactStrings(
          {
            message: ftauthError.message,
            hint: ftauthError.hint,
            exitCode: ftauthError.exitCode,
            ...ftauthError.details,
          },
          secrets,
        ),
      },
      out.streams.stdout,
    )
  }
  return ftauthError.exitCode
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
    .replace(
      /^(Unexpected arguments?:\s*)(.+)$/i,
      (_, lead: string, args: string) =>
        `${lead}${args
          .split(/,\s*|\s+/)
          .filter(Boolean)
          .map(shown)
          .join(', ')}`,
    )
}

// oclif's parser error classes, known by name so that this module needs no oclif.
const PARSE_ERRORS = new Set([
  'FailedFlagValidationError',
  'NonExistentFlagsError',
  'RequiredArgsError',
  'UnexpectedArgsError',
  'FlagInvalidOptionError',
  'ArgInvalidOptionError',
  'CLIParseError',
])

/** ENOSPC or EDQUOT anywhere in the cause chain: the disk (or the user's quota) is full. */
function diskFullCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 10; current = (current as {cause?: unknown}).cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code
    if (code === 'ENOSPC' || code === 'EDQUOT') return code
  }
  return undefined
}

export function toFtauthError(error: Error & {oclif?: {exit?: number}}, commandId: string | undefined): FtauthError {
  const full = diskFullCode(error)
  if (full) {
    // Exit 1 as any environment failure, but named: nothing half-written was left (files.ts, login.ts).
    const path = (error as NodeJS.ErrnoException).path
    return new FtauthError(ExitCode.unexpected, `disk full (${full}${path ? ` writing ${path}` : ''}): nothing was changed`, {
      hint: 'free some space (or quota) and run the command again',
      cause: error,
    })
  }
  if (error instanceof FtauthError) return error
  // Ctrl-C (or Ctrl-D) at an @inquirer prompt.
  if (error.name === 'ExitPromptError') {
    return new FtauthError(ExitCode.usage, 'cancelled at the prompt', {hint: 'run the command again, or give the value as a flag or environment variable'})
  }
  const name = error.constructor?.name ?? error.name
  if (PARSE_ERRORS.has(name) || error.oclif?.exit === 2) {
    // oclif puts a generic lead-in ("The following error occurred:") before the real reasons.
    const lines = error.message
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !/^The following errors? occurred:?$/i.test(line))
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
