import {GLOBAL_FLAGS, type FlagSpec} from './flag-spec.js'

/** The global flags plus --json, which oclif adds to every command. */
const LEADING: Record<string, FlagSpec> = {...GLOBAL_FLAGS, json: {kind: 'boolean', description: 'format output as json'}}

function globalFlagOf(token: string): FlagSpec | undefined {
  if (token.startsWith('--')) {
    const name = token.slice(2).split('=')[0]!
    const spec = LEADING[name]
    if (spec) return spec
    const negated = name.startsWith('no-') ? LEADING[name.slice(3)] : undefined
    return negated?.kind === 'boolean' && negated.allowNo ? negated : undefined
  }
  if (/^-[a-zA-Z]$/.test(token)) return Object.values(LEADING).find((spec) => spec.char === token.slice(1))
  return undefined
}

/**
 * `ftauth --env local session create --headless`, as gh and kubectl take it: global flags written
 * before the command move after the command's words, where oclif and the fast path parse flags.
 * Anything else before the command (--help, --version, an unknown flag) leaves argv as it is.
 */
export function globalFlagsAfterCommand(argv: readonly string[]): string[] {
  const leading: string[] = []
  let index = 0
  while (index < argv.length) {
    const token = argv[index]!
    const spec = globalFlagOf(token)
    if (!spec) break
    leading.push(token)
    const takesValue = spec.kind !== 'boolean' && !token.includes('=')
    if (takesValue && index + 1 < argv.length) leading.push(argv[index + 1]!)
    index += takesValue ? 2 : 1
  }
  const rest = argv.slice(index)
  if (leading.length === 0 || rest.length === 0 || rest[0]!.startsWith('-')) return [...argv]
  const firstFlag = rest.findIndex((token) => token.startsWith('-'))
  const words = firstFlag === -1 ? rest.length : firstFlag
  return [...rest.slice(0, words), ...leading, ...rest.slice(words)]
}
