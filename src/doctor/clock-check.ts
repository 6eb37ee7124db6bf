import {formatDuration} from '../core/time.js'
import {title as providerTitle} from '../providers/titles.js'
import {check, type Check} from './check.js'
import type {Platform} from './platform.js'
import type {ClockSample} from './reachability-check.js'

/** Beyond this, token lifetimes computed from local time are visibly wrong. */
export const CLOCK_TOLERANCE_SECONDS = 30

/** Server clock minus local clock, per provider (the largest offset among its URLs), in whole seconds. */
export function clockOffsets(samples: ClockSample[]): Map<ClockSample['provider'], number> {
  const offsets = new Map<ClockSample['provider'], number>()
  for (const sample of samples) {
    const seconds = Math.round((sample.serverDate.getTime() - sample.localDate.getTime()) / 1000)
    const previous = offsets.get(sample.provider)
    if (previous === undefined || Math.abs(seconds) > Math.abs(previous)) offsets.set(sample.provider, seconds)
  }
  return offsets
}

/** Compares the local clock with each reachable provider's Date header (1 s resolution). */
export function checkClock(samples: ClockSample[], platform: Platform): Check {
  const title = 'Clock'
  const offsets = clockOffsets(samples)
  if (offsets.size === 0) {
    return check('clock', title, 'warn', 'not measured: no provider answered with a Date header', {
      fix: 'fix the reachability checks above, then run `ftauth doctor` again',
    })
  }
  const parts = [...offsets].map(([provider, seconds]) => `${providerTitle(provider)} ${signed(seconds)}`)
  const skewed = [...offsets].filter(([, seconds]) => Math.abs(seconds) > CLOCK_TOLERANCE_SECONDS)
  if (skewed.length === 0) {
    return check('clock', title, 'pass', `local clock agrees with the providers within ${CLOCK_TOLERANCE_SECONDS}s (${parts.join(', ')})`)
  }
  const [provider, seconds] = skewed.reduce((worst, next) => (Math.abs(next[1]) > Math.abs(worst[1]) ? next : worst))
  const direction = seconds > 0 ? 'behind' : 'ahead of'
  if (skewed.length < offsets.size) {
    // Other providers agree with the local clock, so the odd one out is the server.
    return check(
      'clock',
      title,
      'warn',
      `${providerTitle(provider)}'s clock differs from yours by ${signed(seconds)} while the others agree with yours (${parts.join(', ')})`,
      {
        fix: `nothing to fix locally if your clock is right; ftauth corrects ${providerTitle(provider)} token expiries with its Date header. Otherwise: ${clockFix(platform)}`,
      },
    )
  }
  return check(
    'clock',
    title,
    'warn',
    `local clock is ${formatDuration(Math.abs(seconds) * 1000)} ${direction} ${providerTitle(provider)} (offset ${signed(seconds)}; ${parts.join(', ')}): token expiries shown may be off by that much`,
    {fix: clockFix(platform)},
  )
}

function signed(seconds: number): string {
  return `${seconds >= 0 ? '+' : '-'}${Math.abs(seconds)}s`
}

export function clockFix(platform: Platform): string {
  if (platform.wsl) return "WSL's clock drifts after the host sleeps: run `sudo hwclock -s` (or `wsl --shutdown` from Windows and reopen)"
  if (platform.os === 'linux') return 'turn on network time: `sudo timedatectl set-ntp true`'
  if (platform.os === 'darwin') return 'sync the clock: `sudo sntp -sS time.apple.com` (or enable "Set time automatically")'
  if (platform.os === 'win32') return 'sync the clock: `w32tm /resync` in an administrator shell'
  return 'sync the system clock with network time (NTP)'
}
