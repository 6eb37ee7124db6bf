// A real terminal for tests: tmux on a private socket, one pane running an interactive shell into
// which the test types (send-keys) and which it reads back (capture-pane).
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {promisify} from 'node:util'

const run = promisify(execFile)

export interface Terminal {
  /** Types text literally (no key names), then Enter unless `enter` is false. */
  type(text: string, options?: {enter?: boolean}): Promise<void>
  /** Presses keys by tmux name: 'C-c', 'Tab', 'Space', 'Down', 'Enter'. */
  press(...keys: string[]): Promise<void>
  /** The visible screen as text; with `colours`, SGR escape sequences kept. */
  screen(options?: {colours?: boolean}): Promise<string>
  /** Every screen captured so far (to assert a secret never appeared on any of them). */
  readonly captures: string[]
  /** Waits until the screen matches, capturing every 100 ms; returns that screen. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Runs a command line in the shell and returns its exit code (printed by the shell after it). */
  exitCodeOf(commandLine: string, timeoutMs?: number): Promise<number>
  close(): Promise<void>
}

/** Starts `shell` (default: bash without rc files, prompt "$ ") in a 100×30 pane with the given environment. */
export async function openTerminal(env: Record<string, string | undefined>, shell = 'bash --norc --noprofile'): Promise<Terminal> {
  const socket = `ftauth-test-${randomBytes(4).toString('hex')}`
  // A person at a terminal: the runner's CI and FTAUTH_* variables stay out (CI=true turns prompts off),
  // as runCli drops them; the test's own env is added on top.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CI' && !key.startsWith('FTAUTH_') && !key.startsWith('TMUX')))
  const fullEnv: Record<string, string> = {}
  for (const [key, value] of Object.entries({...inherited, PS1: '$ ', TERM: 'xterm-256color', ...env})) {
    if (value !== undefined) fullEnv[key] = value
  }
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args], {env: fullEnv})
  await tmux('-f', '/dev/null', 'new-session', '-d', '-x', '100', '-y', '30', '-s', 'main', shell)
  const captures: string[] = []
  let marker = 0
  const terminal: Terminal = {
    captures,
    async type(text, options = {}) {
      await tmux('send-keys', '-t', 'main', '-l', text)
      if (options.enter !== false) await tmux('send-keys', '-t', 'main', 'Enter')
    },
    async press(...keys) {
      await tmux('send-keys', '-t', 'main', ...keys)
    },
    async screen(options = {}) {
      const {stdout} = await tmux('capture-pane', '-p', ...(options.colours ? ['-e'] : []), '-t', 'main')
      captures.push(stdout)
      return stdout
    },
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      let last = ''
      while (Date.now() < deadline) {
        last = await terminal.screen()
        if (pattern.test(last)) return last
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      throw new Error(`the terminal never showed ${pattern}; last screen:\n${last}`)
    },
    async exitCodeOf(commandLine, timeoutMs = 60_000) {
      marker += 1
      await terminal.type(`${commandLine}; echo "exit-${marker}=$?"`)
      const screen = await terminal.waitFor(new RegExp(`exit-${marker}=(\\d+)`), timeoutMs)
      return Number(new RegExp(`exit-${marker}=(\\d+)`).exec(screen)![1])
    },
    async close() {
      await tmux('kill-server').catch(() => undefined)
    },
  }
  if (shell.startsWith('bash')) {
    // bash sets its own prompt even with PS1 in the environment: set it, and start from a clear screen.
    await terminal.waitFor(/\S/)
    await terminal.type("PS1='$ '; clear")
  }
  return terminal
}
