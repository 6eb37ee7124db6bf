/** One line of `ftauth doctor`: what was checked, how it went, and what to run when it failed. */
export type CheckStatus = 'pass' | 'warn' | 'fail'

export interface Check {
  id: string
  title: string
  status: CheckStatus
  detail: string
  fix?: string
  ms?: number
}

export interface DoctorReport {
  /** False when any check failed; warnings still count as ok. */
  ok: boolean
  checks: Check[]
}

export function check(id: string, title: string, status: CheckStatus, detail: string, extra: {fix?: string | undefined; ms?: number | undefined} = {}): Check {
  return {
    id,
    title,
    status,
    detail,
    ...(extra.fix === undefined ? {} : {fix: extra.fix}),
    ...(extra.ms === undefined ? {} : {ms: extra.ms}),
  }
}

export function reportOf(checks: Check[]): DoctorReport {
  return {ok: checks.every((item) => item.status !== 'fail'), checks}
}

/** Runs a step and measures it in whole milliseconds. */
export async function timed<T>(run: () => Promise<T>): Promise<{value: T; ms: number}> {
  const started = performance.now()
  const value = await run()
  return {value, ms: Math.round(performance.now() - started)}
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
