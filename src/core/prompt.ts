/**
 * The Prompter port: how a flow asks the person running it for something. Flows only see the
 * interface (deps.prompter); `terminalPrompter` is the CLI's implementation (@inquirer on stderr,
 * secrets piped on stdin), tests and the demo pass scripted ones.
 */
import {usageError} from './errors.js'
import {readSecretFromStdin} from './stdin.js'

export interface PromptChoice {
  value: string
  name: string
  description?: string
  checked?: boolean
}

export interface Prompter {
  /** Whether a person is there to answer (a terminal, CI not set); flows ask only then. */
  canPrompt(): boolean
  /** A line of text, with an optional default; `validate` returns true or why not. */
  input(options: {message: string; default?: string | undefined; validate?: (input: string) => true | string}): Promise<string>
  /** A secret, masked while typed. */
  password(options: {message: string; validate?: (input: string) => true | string}): Promise<string>
  /** Several of the choices. */
  checkbox(options: {message: string; choices: PromptChoice[]}): Promise<string[]>
  /**
   * Text pasted while the flow waits for something else, the time left to `deadline` shown; the
   * prompt leaves the screen and gives up (rejects or never settles) once `signal` aborts.
   */
  paste(options: {message: string; deadline: number; validate: (input: string) => true | string; signal: AbortSignal}): Promise<string>
  /** A secret piped on stdin for its `--<flag>-stdin` flag (never from argv). */
  piped(flag: string): Promise<string>
}

/** The streams a terminal prompter talks through: the run's stdin, and stderr (stdout is the result's). */
export interface PromptStreams {
  stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  stderr: {isTTY?: boolean}
}

const processStreams = (): PromptStreams => ({stdin: process.stdin, stderr: process.stderr})

/** Prompts only when a person is there: stdin and stderr are terminals and CI is not set. */
export function canPrompt(env: NodeJS.ProcessEnv = process.env, streams: PromptStreams = processStreams()): boolean {
  return Boolean(streams.stdin.isTTY && streams.stderr.isTTY && !env.CI)
}

/**
 * The CLI's prompter: @inquirer prompts on the run's stderr, reading its stdin (stdout stays the
 * result's), loaded on first use.
 */
export function terminalPrompter(env: NodeJS.ProcessEnv, streams: PromptStreams = processStreams()): Prompter {
  // @inquirer wants Node streams; the run's are (process streams, or a test's PassThrough).
  const context = {input: streams.stdin as NodeJS.ReadStream, output: streams.stderr as NodeJS.WriteStream}
  return {
    canPrompt: () => canPrompt(env, streams),
    async input(options) {
      const {input} = await import('@inquirer/prompts')
      return input({message: options.message, default: options.default, validate: options.validate ?? (() => true)}, context)
    },
    async password(options) {
      const {password} = await import('@inquirer/prompts')
      return password({message: options.message, mask: '•', validate: options.validate ?? (() => true)}, context)
    },
    async checkbox(options) {
      const {checkbox} = await import('@inquirer/prompts')
      return checkbox({message: options.message, choices: options.choices, required: true, pageSize: options.choices.length}, context)
    },
    async paste(options) {
      const {countdownInput} = await import('./countdown-prompt.js')
      return countdownInput(
        {message: options.message, deadline: options.deadline, validate: options.validate},
        {...context, signal: options.signal, clearPromptOnDone: true},
      )
    },
    piped: (flag) => readSecretFromStdin(flag, streams.stdin),
  }
}

/** A prompter for runs without a person (the demo): never asks; nothing is piped. */
export const noPrompter: Prompter = {
  canPrompt: () => false,
  input: () => Promise.reject(usageError('no terminal to ask on')),
  password: () => Promise.reject(usageError('no terminal to ask on')),
  checkbox: () => Promise.reject(usageError('no terminal to ask on')),
  paste: () => Promise.reject(usageError('no terminal to ask on')),
  piped: (flag) => Promise.reject(usageError(`--${flag}-stdin: nothing is piped here`)),
}

/** A secret: from stdin when its `--<name>-stdin` flag is given, else a masked prompt; never from argv. */
export async function obtainSecret(prompter: Prompter, options: {label: string; stdinFlag: string; fromStdin: boolean}): Promise<string> {
  if (options.fromStdin) return prompter.piped(options.stdinFlag)
  if (!prompter.canPrompt()) {
    throw usageError(`${options.label} is needed and there is no terminal to ask for it`, `pipe it in with --${options.stdinFlag}-stdin`)
  }
  const value = await prompter.password({message: options.label, validate: (input) => (input.trim() ? true : 'required')})
  return value.trim()
}

/** A non-secret value: the flag when given, else a prompt (with a default), else a usage error naming the flag. */
export async function obtainValue(
  prompter: Prompter,
  options: {
    label: string
    flag: string
    value: string | undefined
    fallback?: string | undefined
    validate?: (input: string) => true | string
  },
): Promise<string> {
  const check = options.validate ?? ((input: string) => (input.trim() ? true : 'required'))
  if (options.value !== undefined) {
    const verdict = check(options.value)
    if (verdict !== true) throw usageError(`--${options.flag}: ${verdict}`, `pass a valid --${options.flag}`)
    return options.value
  }
  if (!prompter.canPrompt()) {
    if (options.fallback !== undefined) return options.fallback
    throw usageError(`${options.label} is needed`, `pass --${options.flag}`)
  }
  return (await prompter.input({message: options.label, default: options.fallback, validate: check})).trim()
}
