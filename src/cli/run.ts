import {parseFastArgv, type ParsedArgs, type ParsedFlags} from '../core/argv.js'
import {CommandRun, makeOutput, renderError, type AnyCommandDefinition} from '../core/command-run.js'
import {GLOBAL_FLAGS, flag, type FlagSpecs} from '../core/flag-spec.js'
import {processIo, resolveInvocation, withAmbientIo, type CliIo, type Invocation} from '../core/invocation.js'
import {globalFlagsAfterCommand} from '../core/leading-flags.js'
import {COMMANDS} from './registry.js'
// The one list of providers, registered with core before any command runs.
import '../providers/registry.js'

export type {CliIo} from '../core/invocation.js'

/** oclif adds --json to every command (enableJsonFlag). */
const JSON_FLAG = {json: flag.boolean({description: 'format output as json'})}

/** Every flag a command takes: the global ones and --json (unless it opts out), and its own. */
export function flagSpecsOf(definition: AnyCommandDefinition): FlagSpecs {
  return definition.globalFlags === false ? definition.flags : {...GLOBAL_FLAGS, ...JSON_FLAG, ...definition.flags}
}

/** The command id argv names, oclif's way: `fluz token` (topic separator ' ') or `fluz:token`. */
function commandOf(argv: readonly string[]): {id: string; rest: readonly string[]} | undefined {
  const [first, second] = argv
  if (!first || first.startsWith('-')) return undefined
  if (second && !second.startsWith('-') && COMMANDS[`${first}:${second}`]) return {id: `${first}:${second}`, rest: argv.slice(2)}
  return COMMANDS[first] ? {id: first, rest: argv.slice(1)} : undefined
}

/**
 * Runs ftauth once, as `ftauth <argv…>` would, and returns the exit code; it never calls
 * process.exit, so tests can run the CLI inside their own process.
 *
 * `io` carries what a run takes from its surroundings: environment variables, stdin, stdout,
 * stderr (their `isTTY` and `columns` too), and optionally cwd, platform and the OS home dir
 * (src/core/invocation.ts). The environment object may be changed by the run (empty FTAUTH_*
 * variables are dropped): pass a copy.
 *
 * Commands run from their definitions (src/commands/**) through our argv parser, without loading
 * oclif. oclif is loaded only when the parser declines (help, a typo, an unusual form — oclif then
 * parses and explains, with the same wording and exit codes as always), for its own commands
 * (`help`, `autocomplete`), and with FTAUTH_FAST_PATH=0. What oclif prints goes to the real
 * process.stdout/stderr, whatever `io` says; a command body oclif runs still gets `io`.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const invocation = resolveInvocation(io)
  // `ftauth --env local status`: global flags before the command count as if written after it.
  const commandArgv = globalFlagsAfterCommand(argv)
  const named = invocation.env.FTAUTH_FAST_PATH === '0' ? undefined : commandOf(commandArgv)
  if (named) {
    const definition = await COMMANDS[named.id]!()
    const parsed = parseFastArgv(named.rest, flagSpecsOf(definition), definition.args ?? {}, invocation.env)
    if (parsed) return runDefinition(definition, parsed, invocation)
  }
  // The oclif entry: in the bundle it stays external (scripts/bundle.mjs maps it to dist/ftauth.js,
  // the copy of @oclif/core the command classes use).
  return withAmbientIo(io, async () => (await import('../entry.js')).runOclif([...commandArgv]))
}

async function runDefinition(definition: AnyCommandDefinition, {flags, args}: {flags: ParsedFlags; args: ParsedArgs}, invocation: Invocation): Promise<number> {
  let run: CommandRun<Record<string, unknown>> | undefined
  try {
    run = new CommandRun(definition.id, flags as never, args, invocation)
    return run.succeed(await definition.run(run as never))
  } catch (error) {
    if (run) return run.fail(error)
    const json = Boolean(flags.json)
    const out = makeOutput(json ? 'json' : 'human', flags.color as boolean | undefined, invocation.io)
    return renderError(error, {id: definition.id, out, json, debug: Boolean(flags.debug), secrets: [], env: invocation.env})
  }
}
export {globalFlagsAfterCommand} from '../core/leading-flags.js'
