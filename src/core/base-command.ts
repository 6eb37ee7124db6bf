import {Command, Errors, type Interfaces} from '@oclif/core'

import {CommandRun, makeOutput, renderError, writeJson, type CommandDefinition} from './command-run.js'
import {ambientIo, resolveInvocation} from './invocation.js'
import {GLOBAL_FLAGS, withDefaults, type ArgSpecs, type ArgValues, type FlagSpecs, type FlagValues, type GlobalFlagValues} from './flag-spec.js'
import {oclifArgs, oclifFlags} from './oclif-flags.js'
import type {Output} from './output.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<T['flags']> & GlobalFlagValues

/**
 * oclif's side of every command (the classes `oclifCommand()` makes): parsing with oclif, then the
 * shared CommandRun (src/core/command-run.ts) and the one error rendering.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = oclifFlags(GLOBAL_FLAGS)

  protected flags!: BaseFlags<T>
  protected args!: Interfaces.InferredArgs<T['args']>
  protected invocation: CommandRun<BaseFlags<T>, Record<string, string | undefined>> | undefined
  // A provisional output so parse errors are rendered our way too.
  protected out: Output = makeOutput(this.jsonEnabled() ? 'json' : 'human', undefined, ambientIo())

  public override async init(): Promise<void> {
    await super.init()
    const {flags, args} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    const specs = {...GLOBAL_FLAGS, ...this.flagSpecs()}
    this.flags = withDefaults(specs, {...flags, json: this.jsonEnabled()}) as BaseFlags<T>
    this.args = args as Interfaces.InferredArgs<T['args']>
    const invocation = new CommandRun<BaseFlags<T>, Record<string, string | undefined>>(
      this.id ?? '',
      this.flags,
      args as Record<string, string | undefined>,
      resolveInvocation(ambientIo()),
    )
    this.invocation = invocation
    this.out = invocation.out
  }

  /** The flag specs of a command made by oclifCommand(), for withDefaults (an instance method: statics land in the manifest). */
  protected flagSpecs(): FlagSpecs {
    return {}
  }

  /** Renders any error once: one line on stderr (JSON on stdout with --json), exit code from the table. */
  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<never> {
    if (error instanceof Errors.ExitError) throw error
    const exitCode = this.invocation
      ? this.invocation.fail(error)
      : renderError(error, {id: this.id, out: this.out, json: this.jsonEnabled(), debug: this.argv.includes('--debug'), secrets: [], env: ambientIo().env})
    throw new Errors.ExitError(exitCode)
  }

  /** JSON goes out uncoloured unless stdout is a terminal that wants colour. */
  public override logJson(json: unknown): void {
    writeJson(json, ambientIo().stdout)
  }
}

/**
 * The oclif class for a command defined with `defineCommand()` (src/core/command-run.ts): its
 * help, flags and args for oclif's help, completion and manifest, and the same body our runtime
 * runs (oclif runs it only when our parser declined the argv, or with FTAUTH_FAST_PATH=0).
 */
export function oclifCommand<S extends FlagSpecs, A extends ArgSpecs>(definition: CommandDefinition<S, A>) {
  class DefinedCommand extends BaseCommand<typeof Command> {
    static override summary = definition.summary
    static override description = definition.description
    static override examples = (definition.examples ? [...definition.examples] : undefined) as Command.Example[]
    static override flags = oclifFlags(definition.flags)
    static override args = oclifArgs(definition.args ?? {})

    protected override flagSpecs(): FlagSpecs {
      return definition.flags
    }

    async run(): Promise<unknown> {
      const invocation = this.invocation as unknown as CommandRun<FlagValues<S>, ArgValues<A>>
      const result = await definition.run(invocation)
      if (invocation.exitCode !== 0) {
        // A finding, not an error (doctor): the result once (JSON too), then the exit code.
        if (this.jsonEnabled() && result !== undefined) this.logJson(result)
        throw new Errors.ExitError(invocation.exitCode)
      }
      return result
    }
  }
  if (definition.hidden !== undefined) DefinedCommand.hidden = definition.hidden
  if (definition.globalFlags === false) {
    DefinedCommand.baseFlags = {}
    DefinedCommand.enableJsonFlag = false
  }
  return DefinedCommand
}
