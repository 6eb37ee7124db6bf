import {withDefaults, type ArgSpecs, type FlagSpecs} from './flag-spec.js'

export type ParsedFlags = Record<string, string | string[] | number | boolean | undefined>
export type ParsedArgs = Record<string, string | undefined>

/**
 * Parses argv for our runtime: the plain forms (`--name value`, `--name=value`, `--flag`,
 * `--no-flag` where allowed, `-c` and `-c value`, repeated multiple flags, positional arguments up
 * to the command's count, `-` among them) into the values oclif would produce (with withDefaults
 * applied, and values of env-backed flags taken from `env`). Anything else — help, an unknown or
 * repeated flag, one argument too many, a missing required argument or flag, a value oclif would
 * refuse, flags that exclude or need each other, a value that looks like a flag, `--` — returns
 * undefined so that oclif parses it and words any error the one way users know. It never reports
 * errors itself. `argSpecs` may be the names alone (all optional, any value).
 */
export function parseFastArgv(
  argv: readonly string[],
  specs: FlagSpecs,
  argSpecs: ArgSpecs | readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): {flags: ParsedFlags; args: ParsedArgs} | undefined {
  const argList: ArgSpecs = Array.isArray(argSpecs) ? Object.fromEntries(argSpecs.map((name) => [name, {description: name}])) : (argSpecs as ArgSpecs)
  const argNames = Object.keys(argList)
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
      const options = argList[argName]!.options
      if (options && !options.includes(token)) return undefined
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
      if (!Number.isSafeInteger(number) || (spec.min !== undefined && number < spec.min) || (spec.max !== undefined && number > spec.max)) return undefined
      flags[name] = number
    } else if (spec.options && !spec.options.includes(value)) {
      return undefined
    } else if (multiple) {
      flags[name] = [...((flags[name] as string[] | undefined) ?? []), value]
    } else {
      flags[name] = value
    }
  }
  // Required arguments, and the flags' relationships: oclif explains what is wrong.
  if (argNames.slice(positionals).some((name) => argList[name]!.required)) return undefined
  for (const [name, spec] of Object.entries(specs)) {
    if (flags[name] === undefined && spec.env !== undefined && env[spec.env] !== undefined) {
      // oclif reads an env-backed flag's value from the variable; anything unusual is its to refuse.
      const value = env[spec.env]!
      if (spec.kind === 'boolean' || (spec.kind === 'string' && spec.multiple) || value === '') return undefined
      if (spec.kind === 'integer') {
        if (!/^-?\d+$/.test(value)) return undefined
        const number = Number.parseInt(value, 10)
        if (!Number.isSafeInteger(number) || (spec.min !== undefined && number < spec.min) || (spec.max !== undefined && number > spec.max)) return undefined
        flags[name] = number
      } else if (spec.options && !spec.options.includes(value)) return undefined
      else flags[name] = value
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && flags[name] === undefined) return undefined
    if (flags[name] === undefined) continue
    // Declining is always safe (oclif then decides): any doubt about a relationship declines.
    if (spec.exclusive?.some((other) => flags[other] !== undefined)) return undefined
    if (spec.dependsOn?.some((other) => !seen.has(other))) return undefined
  }
  return {flags: withDefaults(specs, flags), args}
}
