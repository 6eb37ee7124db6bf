import {providerModule} from '../core/provider-module.js'
import type {CacheEntry} from '../core/token-cache.js'
import {formatCountdown} from '../core/time.js'
import {check, type Check} from './check.js'

/** Tokens expiring within this are reported with the expired ones: they will not survive a script run. */
export const EXPIRY_MARGIN_MS = 60_000

/** Stored tokens of the profile (metadata from cache.json only, no keychain read) that are expired or about to be. */
export function checkTokens(entries: readonly CacheEntry[], profile: string, now: Date): Check {
  const title = 'Stored tokens'
  const mine = entries.filter((entry) => entry.profile === profile)
  if (mine.length === 0) return check('tokens', title, 'pass', `no cached tokens for profile ${profile}`)
  const stale = mine.filter((entry) => new Date(entry.expiresAt).getTime() - now.getTime() < EXPIRY_MARGIN_MS)
  if (stale.length === 0) {
    const next = mine.map((entry) => new Date(entry.expiresAt)).sort((a, b) => a.getTime() - b.getTime())[0]!
    return check('tokens', title, 'pass', `${mine.length} cached token${mine.length === 1 ? '' : 's'} valid; the next expires ${formatCountdown(next, now)}`)
  }
  const lines = stale.map((entry) => {
    const at = new Date(entry.expiresAt)
    const when = at.getTime() <= now.getTime() ? `expired ${formatCountdown(at, now)}` : `expires ${formatCountdown(at, now)}`
    return `${entry.provider} ${entry.key} (${entry.env}) ${when}`
  })
  const fixes = [...new Set(stale.map((entry) => renewCommand(entry)))]
  return check('tokens', title, 'warn', lines.join('; '), {fix: `renew with ${fixes.map((command) => `\`${command}\``).join(', ')}`})
}

/** The command that gets a new token of the same kind for the same profile and environment. */
export function renewCommand(entry: CacheEntry): string {
  const suffix = `--env ${entry.env}${entry.profile === 'default' ? '' : ` --profile ${entry.profile}`}`
  return `ftauth ${providerModule(entry.provider).tokens.renewCommand(entry)} ${suffix}`
}
