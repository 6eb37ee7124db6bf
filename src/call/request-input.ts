import {readFile} from 'node:fs/promises'

import type {ProviderName} from '../core/config.js'
import {PROVIDERS} from '../providers/registry.js'
import {usageError} from '../core/errors.js'
import {readStdin} from '../core/stdin.js'

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const

export interface Positionals {
  method: string | undefined
  target: string | undefined
  /** `ftauth call fluz --query …`: a provider named where the path would be. */
  provider: ProviderName | undefined
}

/** `[METHOD] <path-or-url>`, or `<provider>` for the GraphQL shorthand. */
export function parsePositionals(argv: readonly string[]): Positionals {
  if (argv.length > 2) throw usageError(`too many arguments: ${argv.length}`, 'use `ftauth call [METHOD] <path-or-url>`; quote values with spaces')
  let [first, second] = argv
  let method: string | undefined
  if (first && second === undefined && (HTTP_METHODS as readonly string[]).includes(first.toUpperCase()) && !first.includes('/')) {
    throw usageError(`missing the path after ${first}`, 'use `ftauth call [METHOD] <path-or-url>`')
  }
  if (first && second !== undefined) {
    if (!(HTTP_METHODS as readonly string[]).includes(first.toUpperCase())) {
      throw usageError(`${first} is not an HTTP method`, `use one of ${HTTP_METHODS.join(', ')}`)
    }
    method = first.toUpperCase()
    first = second
  }
  if (first && (PROVIDERS as readonly string[]).includes(first)) return {method, target: undefined, provider: first as ProviderName}
  return {method, target: first, provider: undefined}
}

/** `-H "Name: value"` → [name, value]; rejects what an HTTP server would. */
export function parseHeader(input: string): [string, string] {
  const colon = input.indexOf(':')
  const name = colon === -1 ? '' : input.slice(0, colon).trim()
  if (!name || !/^[!#$%&'*+.^_`|~\w-]+$/.test(name)) {
    throw usageError(`bad header ${JSON.stringify(input.slice(0, 40))}`, 'use -H "Name: value"')
  }
  const value = input.slice(colon + 1).trim()
  if (/[\r\n]/.test(value)) throw usageError(`header ${name} has a line break in its value`, 'remove it')
  return [name, value]
}

/** `-f key=value` → [key, value]. */
export function parseField(input: string): [string, string] {
  const equals = input.indexOf('=')
  if (equals <= 0) throw usageError(`bad field ${JSON.stringify(input.slice(0, 40))}`, 'use -f key=value')
  return [input.slice(0, equals), input.slice(equals + 1)]
}

/** `-d` is a literal string, `@file`, or `-` for stdin. */
export async function readBody(data: string): Promise<string> {
  if (data === '-') return readStdin()
  if (data.startsWith('@')) {
    const path = data.slice(1)
    try {
      return await readFile(path, 'utf8')
    } catch {
      throw usageError(`cannot read the body file ${path}`, 'check the path after @')
    }
  }
  return data
}

/** Resolves a bare path against the provider's API base; a full URL is kept. */
export function resolveTarget(target: string, apiBase: string): URL {
  if (/^https?:\/\//i.test(target)) {
    try {
      return new URL(target)
    } catch {
      throw usageError(`bad URL ${JSON.stringify(target.slice(0, 80))}`, 'pass a full http(s) URL or a path such as /v1/merchants')
    }
  }
  if (!target.startsWith('/')) target = `/${target}`
  return new URL(`${apiBase.replace(/\/+$/, '')}${target}`)
}
