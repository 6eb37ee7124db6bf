/**
 * Fish completions generated from the commands oclif knows (the manifest): @oclif/plugin-autocomplete
 * writes bash, zsh and PowerShell scripts but has no fish. Topics and commands complete word by word
 * (`ftauth ses<TAB>` → session, `ftauth session <TAB>` → create, exchange), flags per command.
 */
export interface CompletionFlag {
  name: string
  char?: string | undefined
  type: 'boolean' | 'option'
  summary?: string | undefined
  description?: string | undefined
  options?: readonly string[] | undefined
  hidden?: boolean | undefined
  allowNo?: boolean | undefined
}

export interface CompletionCommand {
  id: string
  summary?: string | undefined
  description?: string | undefined
  hidden?: boolean | undefined
  flags: Record<string, CompletionFlag>
}

/** Single-quoted for fish: only backslash and the quote itself need escaping. */
const quote = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`

export function fishCompletionScript(bin: string, commands: readonly CompletionCommand[], topics: Record<string, string>): string {
  const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0]!.trim().replaceAll('<%= config.bin %>', bin)
  const visible = commands.filter((command) => !command.hidden)
  const fn = `__${bin.replaceAll(/\W/g, '_')}`
  // Flags whose value is the next word (`--env local`), so that word is not taken for a command.
  const valueFlags = [
    ...new Set(
      visible.flatMap((command) =>
        Object.values(command.flags)
          .filter((flag) => flag.type === 'option')
          .flatMap((flag) => [`--${flag.name}`, ...(flag.char ? [`-${flag.char}`] : [])]),
      ),
    ),
  ].sort()
  const lines = [
    `# ${bin} completions for fish, generated from the oclif manifest by \`${bin} autocomplete fish\`.`,
    `complete -c ${bin} -f`,
    '',
    `# The words typed after ${bin} that are neither flags nor a flag's value (\`${bin} --env local session …\`).`,
    `function ${fn}_words`,
    '    set -l words (commandline -opc)',
    '    set -e words[1]',
    '    set -l skip 0',
    '    for word in $words',
    '        if test $skip = 1',
    '            set skip 0',
    "        else if string match -q -- '-*' $word",
    `            contains -- $word ${valueFlags.join(' ')}; and set skip 1`,
    '        else',
    '            echo $word',
    '        end',
    '    end',
    'end',
    '',
    '# True when the command words typed so far are exactly $argv (complete the next word).',
    `function ${fn}_at`,
    `    set -l words (${fn}_words)`,
    '    test "$words" = "$argv"',
    'end',
    '',
    "# True when the command words typed so far start with $argv (complete that command's flags).",
    `function ${fn}_in`,
    `    set -l words (${fn}_words)`,
    '    set -l n (count $argv)',
    '    test (count $words) -ge $n; or return 1',
    '    test "$words[1..$n]" = "$argv"',
    'end',
    '',
  ]
  // Every word a command path can continue with: `session` at the top, `create` after `session`.
  const next = new Map<string, Map<string, string>>()
  for (const command of visible) {
    const words = command.id.split(':')
    for (let depth = 0; depth < words.length; depth++) {
      const prefix = words.slice(0, depth).join(' ')
      const word = words[depth]!
      const path = words.slice(0, depth + 1).join(':')
      const description = depth === words.length - 1 ? firstLine(command.summary ?? command.description) : (topics[path] ?? '')
      if (!next.has(prefix)) next.set(prefix, new Map())
      const known = next.get(prefix)!
      if (!known.has(word) || description) known.set(word, description)
    }
  }
  for (const [prefix, words] of [...next].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [word, description] of [...words].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`complete -c ${bin} -n ${quote(`${fn}_at${prefix ? ` ${prefix}` : ''}`)} -a ${quote(word)}${description ? ` -d ${quote(description)}` : ''}`)
    }
  }
  lines.push('')
  for (const command of [...visible].sort((a, b) => a.id.localeCompare(b.id))) {
    const condition = quote(`${fn}_in ${command.id.replaceAll(':', ' ')}`)
    for (const flag of Object.values(command.flags).sort((a, b) => a.name.localeCompare(b.name))) {
      if (flag.hidden) continue
      const description = firstLine(flag.summary ?? flag.description)
      const parts = [`complete -c ${bin} -n ${condition} -l ${flag.name}`]
      if (flag.char) parts.push(`-s ${flag.char}`)
      if (flag.type === 'option') parts.push(flag.options?.length ? `-x -a ${quote(flag.options.join(' '))}` : '-r')
      if (description) parts.push(`-d ${quote(description)}`)
      lines.push(parts.join(' '))
      if (flag.type === 'boolean' && flag.allowNo)
        lines.push(`complete -c ${bin} -n ${condition} -l no-${flag.name}${description ? ` -d ${quote(`not: ${description}`)}` : ''}`)
    }
  }
  return `${lines.join('\n')}\n`
}
