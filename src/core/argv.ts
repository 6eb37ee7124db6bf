import {withDefaults, type FlagSpecs} from './flag-spec.js'

export type ParsedFlags = Record<string, string | string[] | number | boolean | undefined>
export type ParsedArgs = Record<string, string | undefined>

/**
 * Parses argv for the fast path: the plain forms (`--name value`, `--name=value`, `--flag`,
 * `--no-flag` where allowed, `-c` and `-c value`, repeated multiple flags, positional arguments up
 * to the command's count, `-` among them) into the values oclif would produce (with withDefaults
 * applied). Anything else — help, an unknown or repeated flag, one argument too many, a value
 * oclif would refuse, a value that looks like a flag, `--` — returns undefined so that oclif
 * parses it and words any error the one way users know. It never reports errors itself.
 */
export function parseFastArgv(argv: readonly string[], specs: FlagSpecs, argNames: readonly string[] = []): {flags: ParsedFlags; args: ParsedArgs} | undefined {
  const flags: ParsedFlags = {}
  const args: ParsedArgs = {}
  let positionals = 0
  const seen = new Set<string>()
  const byChar = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.char ? [[spec.char, name] as const] : [])))
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    let name: string
    let inline: string | undefined
    if (/^-[A-Za-z]$/.test(token)) {
      const long = byChar.get(token[1]!)
      if (!long) return undefined
      name = long
    } else if (token.startsWith('--') && token.length > 2) {
      const eq = token.indexOf('=')
      name = eq === -1 ? token.slice(2) : token.slice(2, eq)
      inline = eq === -1 ? undefined : token.slice(eq + 1)
    } else if (token === '-' || !token.startsWith('-')) {
      const argName = argNames[positionals++]
      if (argName === undefined) return undefined
      args[argName] = token
      continue
    } else {
      return undefined
    }

    let spec = specs[name]
    let negated = false
    if (!spec && name.startsWith('no-')) {
      const positive = specs[name.slice(3)]
      if (positive?.kind !== 'boolean' || !positive.allowNo) return undefined
      spec = positive
      name = name.slice(3)
      negated = true
    }
    if (!spec) return undefined
    const multiple = spec.kind === 'string' && spec.multiple === true
    if (seen.has(name) && !multiple) return undefined
    seen.add(name)

    if (spec.kind === 'boolean') {
      if (inline !== undefined) return undefined
      flags[name] = !negated
      continue
    }
    const value = inline ?? argv[++i]
    // A missing value, or one that looks like a flag, is oclif's to explain (`-` alone is stdin).
    if (value === undefined || (inline === undefined && value.startsWith('-') && value !== '-') || value === '') return undefined
    if (spec.kind === 'integer') {
      if (!/^-?\d+$/.test(value)) return undefined
      const number = Number.parseInt(value, 10)
      if (!Number.isSafeInteger(number) || (spec.min !== undefined && number < spec.min)) return undefined
      flags[name] = number
    } else if (spec.options && !spec.options.includes(value)) {
      return undefined
    } else if (multiple) {
      flags[name] = [...((flags[name] as string[] | undefined) ?? []), value]
    } else {
      flags[name] = value
    }
  }
  return {flags: withDefaults(specs, flags), args}
}
