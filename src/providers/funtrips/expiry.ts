import type {HttpResponse} from '../../core/http.js'
import {SKEW_THRESHOLD_MS} from '../../core/jwt.js'
import {formatDuration} from '../../core/time.js'

/** A cached bearer is reused only while it has at least this long left, so it cannot expire mid-request. */
export const REUSE_MARGIN_MS = 60_000

export function isUsable(token: {expiresAt: string}, now: Date): boolean {
  return new Date(token.expiresAt).getTime() - now.getTime() > REUSE_MARGIN_MS
}

/** "expires in 59m 59s" / "expired 2m ago", in the one duration style every command uses. */
export function expiresIn(at: Date, now: Date): string {
  const ms = at.getTime() - now.getTime()
  if (ms <= 0) return `expired ${formatDuration(ms)} ago`
  return `expires in ${formatDuration(ms)}`
}

/**
 * An instant stated by the server (code_expires_at, expired_at) in OUR clock: when the server's Date
 * header disagrees with our clock by more than the skew threshold, the server's "how long from now"
 * is trusted rather than its absolute time (as core/jwt.ts does for `exp`).
 */
export function serverInstantToLocal(instant: Date, response: Pick<HttpResponse, 'serverDate'>, receivedAt: Date): Date {
  const serverNow = response.serverDate
  if (!serverNow) return instant
  const skewMs = serverNow.getTime() - receivedAt.getTime()
  if (Math.abs(skewMs) <= SKEW_THRESHOLD_MS) return instant
  return new Date(instant.getTime() - skewMs)
}
