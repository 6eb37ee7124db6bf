import {toConfiguredId, type Hook} from '@oclif/core'
import notFound from '@oclif/plugin-not-found'

import {ExitCode} from '../core/errors.js'
import {ambientIo} from '../core/invocation.js'

/** Edit distance, for the "did you mean" suggestion. */
function distance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * A mistyped command. On a terminal @oclif/plugin-not-found asks whether to run the closest command;
 * anywhere else (a script, CI, a pipe) nobody can answer, so it is one line on stderr naming the
 * closest command, and exit 127 as a shell gives for an unknown command.
 */
const hook: Hook.CommandNotFound = async function (options) {
  const io = ambientIo()
  if (io.stdin.isTTY && io.stderr.isTTY) return notFound.call(this, options)
  const visible = options.config.commands.filter((command) => !command.hidden).flatMap((command) => [command.id, ...command.aliases])
  const typed = toConfiguredId(options.id, options.config)
  const closest = visible.map((id) => ({id, score: distance(options.id, id)})).sort((a, b) => a.score - b.score || a.id.localeCompare(b.id))[0]
  const suggestion = closest ? ` — did you mean "${toConfiguredId(closest.id, options.config)}"?` : ''
  io.stderr.write(`error: "${typed}" is not a ${options.config.bin} command${suggestion} (\`${options.config.bin} help\` lists them all)\n`)
  this.exit(ExitCode.unknownCommand)
}

export default hook
