/**
 * What a flow tells the person running it, as data: flows emit these through `deps.report` and
 * return their result; the CLI layer renders them (src/core/render-events.ts) for a person, or
 * not at all for `--json` and `-q`. A flow never writes to a stream itself.
 */

/** One step of a flow: what was done, what came of it. */
export interface Step {
  title: string
  outcome: string
  /** e.g. "POST /oauth/token 200" */
  request?: string
  ms?: number
  /**
   * How it went, as the person should read it: done (`ok`, the default), done with a caveat or a
   * fallback (`warn`), or not done / nothing needed (`skip`: a reused token, a browser not opened).
   */
  status?: 'ok' | 'warn' | 'skip'
}

export type FlowEvent =
  /** A step finished. Human output: one line on stderr; kept for the demo's count. */
  | ({type: 'step'} & Step)
  /** Progress for a person only (stderr in human mode; dropped for --json and -q). */
  | {type: 'notice'; text: string}
  /** Something the user should know in every mode (stderr, once per text). */
  | {type: 'warn'; text: string}
  /** A URL the user must open to go on: stderr in every mode, `lead` above it. */
  | {type: 'url'; lead: string; url: string}
  /** One --trace line of a request or response (secrets already masked). */
  | {type: 'http'; line: string}
  /**
   * The flow waits until `deadline` (epoch ms) or until `until` aborts. On a terminal a line counting
   * down (`live`, with `{left}` for the time left) that vanishes when the wait ends; elsewhere `once`.
   */
  | {type: 'wait'; once: string; live: string; deadline: number; until: AbortSignal}

/** The port flows report through (deps.report). */
export type Reporter = (event: FlowEvent) => void

/** A reporter that drops everything (flows run for their result only). */
export const silentReporter: Reporter = () => undefined
