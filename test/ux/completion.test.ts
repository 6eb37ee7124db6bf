// Shell completion as each shell sees it: bash (complete -p / the completion function), fish
// (complete -C) and zsh (Tab in a real terminal), from the scripts `ftauth autocomplete` writes.
import {execFile} from 'node:child_process'
import {mkdtemp, rm, symlink, mkdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {BIN, runCli} from '../helpers/cli.js'
import {openTerminal} from '../helpers/tmux.js'

const run = promisify(execFile)
vi.setConfig({testTimeout: 120_000, hookTimeout: 120_000})

let cache: string
let binDir: string
let env: Record<string, string>
beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'ftauth-completion-'))
  binDir = join(cache, 'bin')
  await mkdir(binDir)
  await symlink(BIN, join(binDir, 'ftauth'))
  env = {XDG_CACHE_HOME: cache, PATH: `${binDir}:${process.env.PATH}`}
})
afterAll(() => rm(cache, {recursive: true, force: true}))

const scripts = () => join(cache, 'ftauth', 'autocomplete')

describe('bash', () => {
  it('registers a completion for ftauth that completes topics, commands and flags', async () => {
    const setup = await runCli(['autocomplete', 'bash'], {env})
    expect(setup.code, setup.stderr).toBe(0)
    expect(setup.stdout).toContain('ftauth autocomplete script bash')
    const complete = (line: string) =>
      run(
        'bash',
        [
          '--norc',
          '--noprofile',
          '-c',
          [
            `source ${join(scripts(), 'bash_setup')}`,
            'complete -p ftauth',
            `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}`,
            'read -ra COMP_WORDS <<< "$COMP_LINE"; [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template
            'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))',
            '_ftauth_autocomplete',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template
            'printf "%s\\n" "${COMPREPLY[@]}"',
          ].join('\n'),
        ],
        {env: {...process.env, ...env}},
      )
    const topics = await complete('ftauth ses')
    expect(topics.stdout).toMatch(/^complete -F _ftauth_autocomplete ftauth$/m)
    expect(topics.stdout).toMatch(/^session\b/m)
    expect((await complete('ftauth session ')).stdout).toMatch(/^create\b[\s\S]*^exchange\b/m)
    expect((await complete('ftauth session create --hea')).stdout).toMatch(/^--headless\b/m)
  })
})

describe('fish', () => {
  it('`ftauth autocomplete fish` writes the script beside the others and prints the setup line', async () => {
    const result = await runCli(['autocomplete', 'fish'], {env})
    expect(result.code, result.stderr).toBe(0)
    const path = join(scripts(), 'functions', 'fish', 'ftauth.fish')
    expect(result.stdout).toContain(`ln -sf '${path}' ~/.config/fish/completions/ftauth.fish`)
    const complete = async (line: string) => {
      const {stdout, stderr} = await run('fish', ['--no-config', '-c', `source '${path}'; complete -C '${line}'`], {env: {...process.env, ...env}})
      expect(stderr).toBe('')
      return stdout.split('\n').map((entry) => entry.split('\t')[0])
    }
    expect(await complete('ftauth ses')).toContain('session')
    expect(await complete('ftauth session ')).toEqual(expect.arrayContaining(['create', 'exchange']))
    expect(await complete('ftauth --env local session cr')).toContain('create')
    expect(await complete('ftauth session create --hea')).toContain('--headless')
    expect(await complete('ftauth session create --env ')).toEqual(expect.arrayContaining(['sandbox', 'production', 'local']))
    expect(await complete('ftauth autocomplete ')).toContain('fish')
  })
})

describe('zsh', () => {
  it('Tab completes a topic and a command in a real zsh', async () => {
    const setup = await runCli(['autocomplete', 'zsh'], {env})
    expect(setup.code, setup.stderr).toBe(0)
    const terminal = await openTerminal({...env, HOME: cache, ZDOTDIR: cache}, 'zsh -f')
    try {
      await terminal.waitFor(/#\s*$/m)
      await terminal.type(`PS1='%% '; source ${join(scripts(), 'zsh_setup')}; echo ready`)
      await terminal.waitFor(/^ready\n%\s*$/m)
      await terminal.type('ftauth sess', {enter: false})
      await terminal.press('Tab')
      // capture-pane drops trailing spaces: "% ftauth session " reads "% ftauth session".
      await terminal.waitFor(/^% ftauth session$/m)
      await terminal.type('cr', {enter: false})
      await terminal.press('Tab')
      await terminal.waitFor(/^% ftauth session create$/m)
    } finally {
      await terminal.close()
    }
  })
})
