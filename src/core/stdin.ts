import {usageError} from './errors.js'

/** stdin helpers: secrets and codes come from pipes, never from argv (visible in `ps` and shell history). */
export function stdinIsPipe(stdin: NodeJS.ReadStream = process.stdin): boolean {
  return !stdin.isTTY
}

export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin, maxBytes = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buffer.length
    if (size > maxBytes) throw new Error(`stdin is larger than ${maxBytes} bytes`)
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** One secret line from stdin, trailing newline removed. */
export async function readSecretFromStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) throw usageError(`--${what}-stdin expects the value on a pipe`, `run e.g. \`printf %s "$SECRET" | ftauth … --${what}-stdin\``)
  const value = (await readStdin()).replace(/\r?\n$/, '')
  if (!value.trim()) throw usageError(`--${what}-stdin got an empty value`, 'pipe the secret into the command')
  return value
}
