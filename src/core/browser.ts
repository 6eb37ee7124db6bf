/**
 * Opening a URL in the user's browser: the BROWSER variable first (a command run with the URL as
 * its one argument, as gh and xdg-open do; `%s` in it is replaced instead), else the `open` package
 * when a display is there. Never throws: the caller prints the URL whenever nothing was opened.
 */
import {spawn} from 'node:child_process'

export interface OpenResult {
  opened: boolean
  /** How: "BROWSER=…", "the system browser", or why not. */
  via: string
  problem?: string
}

/** Opens a URL; injectable so tests and the in-process demo can play the browser. */
export type UrlOpener = (url: string) => Promise<OpenResult>

/**
 * The Browser port (deps.browser): flows open URLs through it and never learn how. `wait`: resolve
 * once a BROWSER command exits (a frame opened for the user is loaded before ftauth returns).
 */
export interface Browser {
  open(url: string, options?: {wait?: boolean}): Promise<OpenResult>
}

/** The CLI's browser: BROWSER, else the `open` package when a display is there. */
export function systemBrowser(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Browser {
  return {open: (url, options = {}) => systemOpener(env, platform, {waitForBrowserCommand: options.wait ?? false})(url)}
}

/**
 * False over SSH (SSH_CONNECTION / SSH_TTY) and on Linux/BSD without DISPLAY or WAYLAND_DISPLAY:
 * a browser opened there would appear on no screen the user can see.
 */
export function displayAvailable(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  if (env.SSH_CONNECTION || env.SSH_TTY) return false
  if (platform === 'darwin' || platform === 'win32') return true
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
}

/** The default opener: BROWSER, else `open` when a display is available. */
export function systemOpener(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, options: {waitForBrowserCommand?: boolean} = {}): UrlOpener {
  return async (url) => {
    const browser = env.BROWSER?.trim()
    if (browser) return runBrowserCommand(browser, url, options.waitForBrowserCommand ?? false)
    if (!displayAvailable(env, platform)) {
      return {opened: false, via: 'none', problem: env.SSH_CONNECTION || env.SSH_TTY ? 'this is an SSH session' : 'no display (DISPLAY/WAYLAND_DISPLAY unset)'}
    }
    try {
      const {default: open} = await import('open')
      const child = await open(url)
      child.on('error', () => undefined)
      return {opened: true, via: 'the system browser'}
    } catch (error) {
      return {opened: false, via: 'the system browser', problem: (error as Error).message}
    }
  }
}

/**
 * Runs `$BROWSER <url>` without a shell. Detached, it resolves once the program started (the
 * Shuttle login listens meanwhile); with `wait` it resolves when it exits (a frame opened for the
 * user is then loaded before ftauth returns), its output on stderr so stdout stays clean.
 */
export function runBrowserCommand(command: string, url: string, wait = false): Promise<OpenResult> {
  const words = splitCommand(command)
  const via = `BROWSER=${command}`
  const [program, ...rest] = words
  if (!program) return Promise.resolve({opened: false, via, problem: 'BROWSER is empty'})
  const args = rest.some((word) => word.includes('%s')) ? rest.map((word) => word.replaceAll('%s', url)) : [...rest, url]
  return new Promise((resolve) => {
    const child = spawn(program, args, wait ? {stdio: ['ignore', process.stderr, process.stderr]} : {stdio: 'ignore', detached: true})
    child.once('error', (error) => resolve({opened: false, via, problem: error.message}))
    if (wait) {
      child.once('close', (code, signal) =>
        resolve(code === 0 ? {opened: true, via} : {opened: false, via, problem: `it exited with ${signal ?? `code ${code}`}`}),
      )
      return
    }
    child.once('spawn', () => {
      child.unref()
      resolve({opened: true, via})
    })
  })
}

/** Splits a command line into words: whitespace separates, single and double quotes group, backslash escapes. */
export function splitCommand(command: string): string[] {
  const words: string[] = []
  let current = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let index = 0; index < command.length; index++) {
    const char = command[index] as string
    if (quote) {
      if (char === quote) quote = undefined
      else if (char === '\\' && quote === '"' && index + 1 < command.length) current += command[++index]
      else current += char
    } else if (char === '"' || char === "'") {
      quote = char
      inWord = true
    } else if (char === '\\' && index + 1 < command.length) {
      current += command[++index]
      inWord = true
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current)
      current = ''
      inWord = false
    } else {
      current += char
      inWord = true
    }
  }
  if (inWord) words.push(current)
  return words
}
