import {usageError} from './errors.js'

/** stdin helpers: secrets and codes come from pipes, never from argv (visible in `ps` and shell history). */
export function stdinIsPipe(stdin: NodeJS.ReadStream = process.stdin): boolean {
  return !stdin.isTTY
}

/** Secrets, tokens, codes and request bodies all fit; more is a mistake (a file piped by accident). */
export const MAX_STDIN_BYTES = 1024 * 1024

export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin, maxBytes = MAX_STDIN_BYTES): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buffer.length
    if (size > maxBytes) {
      // Stop reading: the rest may be endless (`yes | ftauth …`).
      ;(stdin as NodeJS.ReadStream).destroy?.()
      const limit = maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MB` : `${Math.round(maxBytes / 1024)} KB`
      throw usageError(`stdin is larger than ${limit}`, 'pipe only the value the command reads (a secret, token, code or request body)')
    }
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** One secret line from stdin, trailing newline removed. */
export async function readSecretFromStdin(what: string, stdin: NodeJS.ReadableStream & {isTTY?: boolean} = process.stdin): Promise<string> {
  if (stdin.isTTY) throw usageError(`--${what}-stdin expects the value on a pipe`, `run e.g. \`printf %s "$SECRET" | ftauth … --${what}-stdin\``)
  const value = (await readStdin(stdin)).replace(/\r?\n$/, '')
  if (!value.trim()) throw usageError(`--${what}-stdin got an empty value`, 'pipe the secret into the command')
  return value
}
