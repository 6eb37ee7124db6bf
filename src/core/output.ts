import {Chalk, type ChalkInstance} from 'chalk'

import type {Step} from './events.js'
import {isJwtShaped, redactKnown} from './redact.js'
import {padVisible, visibleLength, wrapHanging} from './text.js'
import {formatCountdown, formatDuration, formatInstant} from './time.js'

export type OutputMode = 'human' | 'json' | 'quiet'
export type {Step} from './events.js'

export interface WritableLike {
  write(chunk: string): unknown
  isTTY?: boolean
  columns?: number
}

export interface Streams {
  stdout: WritableLike
  stderr: WritableLike
}

/**
 * Text from a provider or a token (error descriptions, claims, response bodies) made safe for a
 * terminal: C0 and C1 control characters (ESC of CSI/OSC sequences, BEL, backspace, CR…) and DEL
 * are shown as \x1b-style escapes, so a hostile server cannot move the cursor, retitle the window,
 * rewrite earlier lines or hide text. Newlines and tabs stay unless `singleLine`.
 */
export function terminalSafe(text: string, options: {singleLine?: boolean} = {}): string {
  // Bidi overrides and isolates (U+202A–202E, U+2066–2069) too: they reorder what follows on screen.
  const control = options.singleLine
    ? /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
    : /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
  return text.replace(control, (char) => {
    const code = char.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

/** Colour only for a terminal, never with NO_COLOR or --no-color (https://no-color.org). */
export function colorEnabled(stream: WritableLike, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  // An explicit flag wins over the environment, as flags do everywhere in ftauth.
  if (flag !== undefined) return flag
  if ('NO_COLOR' in env) return false
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true
  return Boolean(stream.isTTY) && env.TERM !== 'dumb'
}

/**
 * Everything a command prints goes through here: the primary result on stdout (human text, one
 * JSON document, or the bare value for `$(...)`), steps and warnings on stderr.
 */
export class Output {
  readonly steps: Step[] = []
  /** Colours for stdout (result) and stderr (steps, warnings). */
  readonly c: ChalkInstance
  readonly e: ChalkInstance
  /** Every human line fits this many columns ($COLUMNS, the terminal's width, else 80). */
  readonly columns: number
  private readonly warned = new Set<string>()
  /** Secrets of this run: never written to stderr, whatever text carries them. */
  private secrets: ReadonlySet<string> = new Set()

  constructor(
    readonly streams: Streams,
    readonly mode: OutputMode,
    options: {colorOut: boolean; colorErr: boolean; columns?: number},
  ) {
    this.c = new Chalk({level: options.colorOut ? 2 : 0})
    this.e = new Chalk({level: options.colorErr ? 2 : 0})
    // Unset (tests of rendering, not of width): lines are never wrapped.
    this.columns = options.columns ?? Number.POSITIVE_INFINITY
  }

  /** Masks these secrets (the run's live set) in everything written to stderr. */
  useSecrets(secrets: ReadonlySet<string>): void {
    this.secrets = secrets
  }

  get human(): boolean {
    return this.mode === 'human'
  }

  /** Records a step; prints it on stderr for humans. */
  step(step: Step): void {
    this.steps.push(step)
    if (this.mode !== 'human') return
    const e = this.e
    const mark = step.status === 'warn' ? e.yellow('!') : step.status === 'skip' ? e.dim('·') : e.green('✓')
    const tail = [step.request, step.ms === undefined ? undefined : `${step.ms}ms`].filter(Boolean).join(' ')
    this.err(
      wrapHanging(
        `${mark} ${e.bold(terminalSafe(step.title, {singleLine: true}))}  ${terminalSafe(step.outcome, {singleLine: true})}${tail ? `  ${e.dim(terminalSafe(tail, {singleLine: true}))}` : ''}`,
        this.columns,
        4,
      ),
    )
  }

  /** Progress line for humans only (stderr). */
  info(line: string): void {
    if (this.mode === 'human') this.err(line)
  }

  /** Warnings reach stderr in every mode (once per message): they never pollute stdout. */
  warn(line: string): void {
    if (this.warned.has(line)) return
    this.warned.add(line)
    this.err(`${this.e.yellow('warning:')} ${terminalSafe(line, {singleLine: true})}`)
  }

  /**
   * A line on stderr that counts down to `deadline`: on a terminal it rewrites itself every second
   * and vanishes when stopped; elsewhere `render(undefined)` is printed once. Returns the stop.
   */
  countdown(render: (left: string | undefined) => string, deadline: number): () => void {
    if (this.mode !== 'human') return () => undefined
    const stderr = this.streams.stderr
    if (!stderr.isTTY) {
      this.err(render(undefined))
      return () => undefined
    }
    const draw = () => stderr.write(`\r\u001B[2K${render(formatDuration(Math.max(0, deadline - Date.now())))}`)
    draw()
    const timer = setInterval(draw, 1000)
    return () => {
      clearInterval(timer)
      stderr.write('\r\u001B[2K')
    }
  }

  /** Human result line on stdout, printed as given (a token printed with --show must not be broken). */
  print(line = ''): void {
    if (this.mode === 'human') this.streams.stdout.write(`${line}\n`)
  }

  /** Human prose on stdout, wrapped to the terminal with continuation lines indented. */
  printWrapped(line: string, indent = 2, cut = false): void {
    this.print(wrapHanging(line, this.columns, indent, cut))
  }

  /** The bare primary value for -q. */
  quiet(value: string): void {
    if (this.mode === 'quiet') this.streams.stdout.write(`${value}\n`)
  }

  /** stderr never carries a secret: known ones are masked in whatever form they take. */
  err(line: string): void {
    this.streams.stderr.write(`${redactKnown(line, [...this.secrets])}\n`)
  }

  /**
   * "label  value" rows, aligned; a value too long for the line wraps under itself. Labels are
   * sized to content (with `capLabels`, up to a third of the line: a longer one, such as a token's
   * claim name, gets a line of its own). `cut` breaks a word longer than the line (JSON without spaces) instead of keeping it whole.
   */
  table(rows: [string, string][], options: {cut?: boolean; capLabels?: boolean} = {}): void {
    const cap = options.capLabels ? Math.max(8, Math.floor(this.columns / 3)) : Number.POSITIVE_INFINITY
    const width = Math.max(0, ...rows.map(([label]) => visibleLength(label)).filter((length) => length <= cap))
    for (const [label, value] of rows) {
      if (visibleLength(label) > width) {
        this.print(wrapHanging(`  ${this.c.dim(label)}`, this.columns, 4, true))
        this.print(wrapHanging(`${' '.repeat(width + 4)}${value}`, this.columns, width + 4, options.cut))
        continue
      }
      const lead = `  ${this.c.dim(padVisible(label, width))}  `
      this.print(wrapHanging(`${lead}${value}`, this.columns, width + 4, options.cut))
    }
  }

  /**
   * A token for human output: itself only when asked for (--show); otherwise its kind, length and a
   * short prefix, which is enough to tell tokens apart (screens get shared and recorded).
   */
  token(value: string, show: boolean): string {
    if (show) return value
    const jwt = isJwtShaped(value)
    const prefix = value.length > 24 ? value.slice(0, jwt ? 10 : 4) : ''
    const what = jwt ? `JWT, ${value.length} chars, signature hidden` : `${value.length} chars, hidden`
    return `${prefix}… ${this.c.dim(`(${what}; --show prints it)`)}`
  }

  /** Expiry with a colour telling how close it is. */
  expiry(at: Date, now: Date): string {
    const left = at.getTime() - now.getTime()
    const text = `${formatInstant(at)} (${formatCountdown(at, now)})`
    if (left <= 0) return this.c.red(text)
    if (left < 60_000) return this.c.yellow(text)
    return this.c.green(text)
  }

  /** The environment, loud, because sandbox and production tokens are easy to confuse. */
  env(env: string): string {
    if (env === 'production') return this.c.bgRed.white.bold(' PRODUCTION ')
    if (env === 'sandbox') return this.c.bgYellow.black.bold(' SANDBOX ')
    return this.c.bgBlue.white.bold(` ${env.toUpperCase()} `)
  }
}
