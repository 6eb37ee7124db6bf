import {Errors, flush, handle, run} from '@oclif/core'

// The one list of providers, registered with core before oclif loads a command.
import './providers/registry.js'

/**
 * oclif's side of the CLI (src/cli/run.ts loads it only when it needs it): runs argv through oclif
 * (help, autocomplete, the command-not-found hook, and commands whose argv our parser declined) and
 * returns the exit code instead of exiting. oclif finds package.json by walking up from this file.
 */
export async function runOclif(argv: string[]): Promise<number> {
  try {
    await run(argv, import.meta.url)
    await flush()
    return 0
  } catch (error) {
    if (error instanceof Errors.ExitError) return error.oclif.exit ?? 0
    return handleWithoutExit(error as Error)
  }
}

/**
 * oclif's own errors (a bad `autocomplete` shell, a broken plugin) are printed by oclif's handler,
 * worded as always; it ends with process.exit, which is caught here and turned into the exit code.
 */
async function handleWithoutExit(error: Error): Promise<number> {
  let code = 1
  const realExit = process.exit
  process.exit = ((exitCode?: number) => {
    code = exitCode ?? 0
  }) as typeof process.exit
  try {
    await handle(error)
  } finally {
    process.exit = realExit
  }
  return code
}
