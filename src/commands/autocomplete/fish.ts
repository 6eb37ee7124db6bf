import {Command} from '@oclif/core'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {fishCompletionScript, type CompletionCommand} from '../../completion/fish.js'

/** `ftauth autocomplete fish`: @oclif/plugin-autocomplete covers bash, zsh and PowerShell; fish is ours. */
export default class AutocompleteFish extends Command {
  static override summary = 'Write fish completions and print the line that installs them'
  static override description =
    'Generates the completion script from the command list (beside the bash and zsh scripts `ftauth autocomplete` writes) and prints the one line to run in fish. Run it again after an upgrade.'
  static override examples = ['<%= config.bin %> autocomplete fish']

  async run(): Promise<void> {
    await this.parse(AutocompleteFish)
    const dir = join(this.config.cacheDir, 'autocomplete', 'functions', 'fish')
    const path = join(dir, `${this.config.bin}.fish`)
    const topics = Object.fromEntries(this.config.topics.map((topic) => [topic.name, topic.description ?? '']))
    await mkdir(dir, {recursive: true})
    await writeFile(path, fishCompletionScript(this.config.bin, this.config.commands as unknown as CompletionCommand[], topics))
    this.log(`Fish completions written to ${path}. To use them in every fish session, run this once in fish:`)
    this.log('')
    this.log(`  mkdir -p ~/.config/fish/completions; and ln -sf '${path}' ~/.config/fish/completions/${this.config.bin}.fish`)
  }
}
