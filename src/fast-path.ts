import {CommandRun, makeOutput, renderError, type CommandDefinition} from './core/command-run.js'
import {parseFastArgv} from './core/argv.js'
import {dropEmptyFtauthVariables} from './core/env-vars.js'
import {GLOBAL_FLAGS, flag, type ArgSpecs, type FlagSpecs} from './core/flag-spec.js'

/**
 * The fast path (bin/run.js tries it first). Loading oclif costs about 100 ms — more than the whole
 * start-up budget of a token command used in `$(...)` — so the commands below run their definitions
 * directly when their argv is plain. Whatever this parser does not take (help, typos, an extra
 * argument, anything unusual) goes to oclif, which then parses, explains and runs it as always.
 * FTAUTH_FAST_PATH=0 sends everything to oclif.
 */
const FAST_COMMANDS: Record<string, () => Promise<CommandDefinition<FlagSpecs, ArgSpecs>>> = {
  status: async () => (await import('./definitions/status.js')).status,
  'fluz:token': async () => (await import('./definitions/fluz.js')).fluzToken,
  'fluz:refresh': async () => (await import('./definitions/fluz.js')).fluzRefresh,
  'session:create': async () => (await import('./definitions/session.js')).sessionCreate,
  'shuttle:refresh': async () => (await import('./definitions/shuttle.js')).shuttleRefresh,
  'session:exchange': async () => (await import('./definitions/session.js')).sessionExchange,
  'token:inspect': async () => (await import('./definitions/token.js')).tokenInspect,
  call: async () => (await import('./definitions/call.js')).call,
}

/** oclif adds --json to every command (enableJsonFlag). */
const JSON_FLAG = {json: flag.boolean({description: 'format output as json'})}

/** The command id argv names, oclif's way: `fluz token` (topic separator ' ') or `fluz:token`. */
function commandOf(argv: readonly string[]): {id: string; rest: readonly string[]} | undefined {
  const [first, second] = argv
  if (!first || first.startsWith('-')) return undefined
  if (second && !second.startsWith('-') && FAST_COMMANDS[`${first}:${second}`]) return {id: `${first}:${second}`, rest: argv.slice(2)}
  return FAST_COMMANDS[first] ? {id: first, rest: argv.slice(1)} : undefined
}

/** Runs the command when the fast path can; returns its exit code, or undefined for oclif to run it. */
export async function runFast(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  dropEmptyFtauthVariables(env)
  if (env.FTAUTH_FAST_PATH === '0') return undefined
  const named = commandOf(argv)
  if (!named) return undefined
  const definition = await FAST_COMMANDS[named.id]!()
  const parsed = parseFastArgv(named.rest, {...GLOBAL_FLAGS, ...JSON_FLAG, ...definition.flags}, Object.keys(definition.args ?? {}))
  if (!parsed) return undefined
  const {flags, args} = parsed
  let invocation: CommandRun<Record<string, unknown>> | undefined
  try {
    invocation = new CommandRun(definition.id, flags as never, args)
    invocation.succeed(await definition.run(invocation as never))
    return 0
  } catch (error) {
    if (invocation) return invocation.fail(error)
    const json = Boolean(flags.json)
    return renderError(error, {id: definition.id, out: makeOutput(json ? 'json' : 'human', flags.color as boolean | undefined), json, debug: Boolean(flags.debug), secrets: []})
  }
}

export {globalFlagsAfterCommand} from './core/leading-flags.js'
