import {usageError} from './errors.js'
import {readSecretFromStdin} from './stdin.js'

/** Prompts only when a person is there: stdin and stderr are terminals and CI is not set. */
export function canPrompt(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY && !env.CI)
}

/** A secret: from stdin when its `--<name>-stdin` flag is given, else a masked prompt; never from argv. */
export async function obtainSecret(options: {label: string; stdinFlag: string; fromStdin: boolean}): Promise<string> {
  if (options.fromStdin) return readSecretFromStdin(options.stdinFlag)
  if (!canPrompt()) {
    throw usageError(`${options.label} is needed and there is no terminal to ask for it`, `pipe it in with --${options.stdinFlag}-stdin`)
  }
  const {password} = await import('@inquirer/prompts')
  const value = await password({message: options.label, mask: '•', validate: (input) => (input.trim() ? true : 'required')}, {output: process.stderr})
  return value.trim()
}

/** A non-secret value: the flag when given, else a prompt (with a default), else a usage error naming the flag. */
export async function obtainValue(options: {
  label: string
  flag: string
  value: string | undefined
  fallback?: string | undefined
  validate?: (input: string) => true | string
}): Promise<string> {
  const check = options.validate ?? ((input: string) => (input.trim() ? true : 'required'))
  if (options.value !== undefined) {
    const verdict = check(options.value)
    if (verdict !== true) throw usageError(`--${options.flag}: ${verdict}`, `pass a valid --${options.flag}`)
    return options.value
  }
  if (!canPrompt()) {
    if (options.fallback !== undefined) return options.fallback
    throw usageError(`${options.label} is needed`, `pass --${options.flag}`)
  }
  const {input} = await import('@inquirer/prompts')
  return (await input({message: options.label, default: options.fallback, validate: check}, {output: process.stderr})).trim()
}
