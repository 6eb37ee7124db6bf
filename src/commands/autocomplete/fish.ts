import {Config} from '@oclif/core'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {fishCompletionScript, type CompletionCommand} from '../../completion/fish.js'
import {defineCommand} from '../../core/command-run.js'

/** `ftauth autocomplete fish`: @oclif/plugin-autocomplete covers bash, zsh and PowerShell; fish is ours. */
export default defineCommand({
  id: 'autocomplete:fish',
  summary: 'Write fish completions and print the line that installs them',
  description:
    'Generates the completion script from the command list (beside the bash and zsh scripts `ftauth autocomplete` writes) and prints the one line to run in fish. Run it again after an upgrade.',
  examples: ['<%= config.bin %> autocomplete fish'],
  globalFlags: false,
  flags: {},
  async run({invocation}) {
    // Completion is oclif's trade: its Config lists every command (the plugins' too) and topic.
    const config = await Config.load(import.meta.url)
    // The cache dir by the one rule (src/core/invocation.ts), which is oclif's.
    const dir = join(invocation.cacheDir, 'autocomplete', 'functions', 'fish')
    const path = join(dir, `${config.bin}.fish`)
    const topics = Object.fromEntries(config.topics.map((topic) => [topic.name, topic.description ?? '']))
    await mkdir(dir, {recursive: true})
    await writeFile(path, fishCompletionScript(config.bin, config.commands as unknown as CompletionCommand[], topics))
    const {stdout} = invocation.io
    stdout.write(`Fish completions written to ${path}. To use them in every fish session, run this once in fish:\n`)
    stdout.write('\n')
    stdout.write(`  mkdir -p ~/.config/fish/completions; and ln -sf '${path}' ~/.config/fish/completions/${config.bin}.fish\n`)
    return undefined
  },
})
