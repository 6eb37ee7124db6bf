import {spawn} from 'node:child_process'

export interface Opened {
  /** What opened it: "$BROWSER (cmd)" or "the default browser". */
  via: string
}

/**
 * Opens a URL for the user. $BROWSER wins, as with gh and xdg-open: a command line (quotes allowed)
 * that gets the URL as its last argument, or in place of `%s`; it runs without a shell, with its
 * output sent to stderr so stdout stays clean, and is waited for. Otherwise the `open` package
 * starts the desktop's default browser.
 */
export async function openInBrowser(url: string, env: NodeJS.ProcessEnv): Promise<Opened> {
  const browser = env.BROWSER?.trim()
  if (browser) {
    const [command, ...args] = splitCommandLine(browser)
    if (!command) throw new Error('BROWSER is empty')
    const argv = args.some((arg) => arg.includes('%s')) ? args.map((arg) => arg.replaceAll('%s', url)) : [...args, url]
    await runToExit(command, argv)
    return {via: `$BROWSER (${command})`}
  }
  const {default: open} = await import('open')
  const child = await open(url)
  // `open` detaches the opener; only a failure to start it (no xdg-open, say) is reported.
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('spawn', () => resolve())
  })
  return {via: 'the default browser'}
}

function runToExit(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: ['ignore', process.stderr, process.stderr]})
    child.once('error', reject)
    child.once('close', (code, signal) => {
      if (code === 0) resolve()
      else reject(new Error(`$BROWSER (${command}) exited with ${signal ?? `code ${code}`}`))
    })
  })
}

/** Splits a command line on whitespace, honouring single and double quotes and backslash escapes. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string
    if (quote) {
      if (char === quote) quote = undefined
      else if (char === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]
      else word += char
    } else if (char === '"' || char === "'") {
      quote = char
      inWord = true
    } else if (char === '\\' && i + 1 < line.length) {
      word += line[++i]
      inWord = true
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += char
      inWord = true
    }
  }
  if (inWord) words.push(word)
  return words
}
