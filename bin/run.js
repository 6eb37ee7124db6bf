#!/usr/bin/env node
// Production entry: the esbuild bundle (dist/) and the committed oclif manifest.
import {readFileSync} from 'node:fs'

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  // The one answer that needs nothing but package.json: skip loading oclif (same text oclif prints).
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`ftauth/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // A reader that stops early (`ftauth status | head -3`) is not an error: stop quietly, as cat does.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
      throw error
    })
  }
  // Every command runs from its definition on our runtime (src/cli/run.ts, bundled to dist/fast/);
  // oclif is loaded only for help, autocomplete, a mistyped command and argv our parser declines.
  const {runCli, globalFlagsAfterCommand} = await import('../dist/fast/index.js')
  // oclif's error handler reads process.argv (help after a parse error): the argv it sees.
  process.argv.splice(2, Infinity, ...globalFlagsAfterCommand(argv))
  process.exitCode = await runCli(argv)
  // The command is done: exit once stdout and stderr are flushed, rather than lingering on a
  // keep-alive socket or a native keychain call that no longer matters.
  const flushed = (stream) => new Promise((resolve) => stream.write('', resolve))
  await Promise.all([flushed(process.stdout), flushed(process.stderr)])
  process.exit(process.exitCode ?? 0)
}
