/**
 * The longest delay a Node timer can hold (2^31 − 1 ms, about 24.8 days): a longer one fires at
 * once (with a TimeoutOverflowWarning). Every timeout and wait that comes from a flag, a variable or
 * a server goes through this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

export function timerMs(ms: number): number {
  if (!Number.isFinite(ms)) return ms > 0 ? MAX_TIMER_MS : 0
  return Math.min(MAX_TIMER_MS, Math.max(0, Math.round(ms)))
}

/** Human time: ISO plus a countdown ("in 9m 12s", "2m ago"), as every command prints expiries. */
export function formatDuration(ms: number): string {
  const total = Math.round(Math.abs(ms) / 1000)
  const days = Math.floor(total / 86_400)
  const hours = Math.floor((total % 86_400) / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  if (days > 0) return hours ? `${days}d ${hours}h` : `${days}d`
  if (hours > 0) return minutes ? `${hours}h ${minutes}m` : `${hours}h`
  if (minutes > 0) return seconds ? `${minutes}m ${seconds}s` : `${minutes}m`
  return `${seconds}s`
}

export function formatCountdown(target: Date, now: Date): string {
  const delta = target.getTime() - now.getTime()
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(delta)} ago`
}

/** Local wall-clock time of day, used in messages such as "expired at 12:04:11 (2m ago)". */
export function formatClock(date: Date): string {
  return date.toTimeString().slice(0, 8)
}

/** An instant for people: ISO 8601 in UTC to the second (expiries have no use for milliseconds). */
export function formatInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
