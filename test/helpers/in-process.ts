import {pathToFileURL} from 'node:url'
import {join} from 'node:path'
import {Readable, Writable} from 'node:stream'

import type {CliResult} from './cli.js'

/**
 * Runs the built CLI inside the test worker: the same bundle bin/run.js loads (dist/fast/index.js),
 * called through its in-process entry `runCli(argv, io)` with fake streams, instead of a new Node
 * process per run (process start-up and module loading were most of the suite's time).
 *
 * A run still touches what is global to a process: process.env (proxy variables, the keychain's
 * D-Bus address, a few commands), process.stdin/stdout/stderr (oclif writes help and parse errors
 * straight to them), process.argv (oclif's error handler), process.exitCode, process.exit, signal
 * listeners (a login cleans up on SIGINT) and performance.timeOrigin (`shuttle refresh` reuses a
 * token stored after its process started). For the run's duration each of those is set to
 * what the spawned process would have had, and afterwards put back, so runs cannot leak into each
 * other or into the test. Only one in-process run holds them at a time: `tryInProcess` answers
 * undefined while another one is running, and the caller spawns a real process instead (tests that
 * start several CLIs at once are about several processes anyway).
 */

type RunCli = (
  argv: readonly string[],
  io: {env: NodeJS.ProcessEnv; stdin: NodeJS.ReadableStream; stdout: Writable; stderr: Writable; cwd?: string},
) => Promise<number>

type RunFast = (argv: readonly string[], env: NodeJS.ProcessEnv) => Promise<number | undefined>

interface Runtime {
  /** The exit code, or undefined when the command must run in a process (the caller spawns it). */
  run(argv: readonly string[], io: Parameters<RunCli>[1]): Promise<number | undefined>
}

let runtime: Promise<Runtime | undefined> | undefined
let busy = false

/**
 * The built bundle's in-process entry: runCli (every command), or in a build before it, the fast
 * path's runFast (its commands only; undefined for the rest, which then spawn). Undefined when the
 * build has neither.
 */
function loadRuntime(root: string): Promise<Runtime | undefined> {
  runtime ??= import(pathToFileURL(join(root, 'dist', 'fast', 'index.js')).href).then(
    (module: {runCli?: RunCli; runFast?: RunFast; globalFlagsAfterCommand?: (argv: readonly string[]) => string[]}): Runtime | undefined => {
      const {runCli, runFast, globalFlagsAfterCommand} = module
      if (typeof runCli === 'function') return {run: runCli}
      if (typeof runFast === 'function' && typeof globalFlagsAfterCommand === 'function') {
        return {
          run(argv, io) {
            const commandArgv = globalFlagsAfterCommand(argv)
            process.argv.splice(2, Infinity, ...commandArgv)
            return runFast(commandArgv, io.env)
          },
        }
      }
      return undefined
    },
    () => undefined,
  )
  return runtime
}

/** Thrown by the stand-in for process.exit: ends the run with that code, as exiting would. */
class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`)
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE'] as const

function collector(): {stream: Writable; text: () => string} {
  const chunks: Buffer[] = []
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
      callback()
    },
  })
  return {stream, text: () => Buffer.concat(chunks).toString('utf8')}
}

/**
 * Runs `ftauth <args>` in this process with `env` as its whole environment and `stdin` as a pipe that
 * ends after the given text. Answers undefined when it cannot (no in-process entry in this build, or
 * another in-process run is under way): the caller then spawns the CLI.
 */
export async function tryInProcess(
  root: string,
  binPath: string,
  args: string[],
  env: Record<string, string>,
  stdin: string,
  timeoutMs: number,
): Promise<CliResult | undefined> {
  if (busy) return undefined
  busy = true
  try {
    const loaded = await loadRuntime(root)
    if (!loaded) return undefined
    return await runWithGlobals(loaded, binPath, args, env, stdin, timeoutMs)
  } finally {
    busy = false
  }
}

async function runWithGlobals(
  loaded: Runtime,
  binPath: string,
  args: string[],
  env: Record<string, string>,
  stdin: string,
  timeoutMs: number,
): Promise<CliResult | undefined> {
  const out = collector()
  const err = collector()
  const input = Readable.from(stdin ? [Buffer.from(stdin)] : [])

  const savedEnv = {...process.env}
  const savedArgv = process.argv
  const savedExitCode = process.exitCode
  const savedExit = process.exit
  const stdinDescriptor = Object.getOwnPropertyDescriptor(process, 'stdin')
  const realStdoutWrite = process.stdout.write
  const realStderrWrite = process.stderr.write
  const listeners = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]))
  const ownTimeOrigin = Object.getOwnPropertyDescriptor(performance, 'timeOrigin')

  for (const key of Object.keys(process.env)) delete process.env[key]
  Object.assign(process.env, env)
  process.argv = [process.execPath, binPath, ...args]
  process.exitCode = undefined
  process.exit = ((code?: number | string | null) => {
    throw new ExitCalled(Number(code ?? process.exitCode ?? 0))
  }) as typeof process.exit
  Object.defineProperty(process, 'stdin', {configurable: true, get: () => input})
  // A process starts with the run (`shuttle refresh` reuses a token stored after its process started).
  Object.defineProperty(performance, 'timeOrigin', {configurable: true, value: Date.now()})
  // What oclif (help, parse errors, the not-found hook) writes to the process's own streams.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => out.stream.write(chunk, ...(rest as [])) || true) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => err.stream.write(chunk, ...(rest as [])) || true) as typeof process.stderr.write

  let timer: NodeJS.Timeout | undefined
  try {
    // The environment object is the run's own (runCli may drop empty FTAUTH_* variables from it).
    const running = loaded.run(args, {env: process.env, stdin: input, stdout: out.stream, stderr: err.stream}).catch((error: unknown) => {
      if (error instanceof ExitCalled) return error.code
      throw error
    })
    const timedOut = new Promise<number | undefined>((resolve) => {
      timer = setTimeout(() => resolve(-1), timeoutMs)
    })
    const code = await Promise.race([running, timedOut])
    if (code === undefined) return undefined
    if (code === -1) throw new Error(`in-process run of \`ftauth ${args.join(' ')}\` did not finish within ${timeoutMs} ms`)
    // A command that set process.exitCode and returned counts as a process would exit.
    return {code: code === 0 && typeof process.exitCode === 'number' ? process.exitCode : code, stdout: out.text(), stderr: err.text()}
  } finally {
    clearTimeout(timer)
    process.stdout.write = realStdoutWrite
    process.stderr.write = realStderrWrite
    if (stdinDescriptor) Object.defineProperty(process, 'stdin', stdinDescriptor)
    if (ownTimeOrigin) Object.defineProperty(performance, 'timeOrigin', ownTimeOrigin)
    else delete (performance as {timeOrigin?: number}).timeOrigin
    process.exit = savedExit
    process.exitCode = savedExitCode
    process.argv = savedArgv
    for (const key of Object.keys(process.env)) delete process.env[key]
    Object.assign(process.env, savedEnv)
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!listeners.get(signal)!.has(listener)) process.removeListener(signal, listener)
      }
    }
  }
}
