import {usageError, type FtauthError} from './errors.js'

/**
 * Credentials and tokens never travel in cleartext beyond this machine: plain http is for
 * loopback (the emulator, tests) only, unless --allow-http says otherwise for a lab setup.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true
  if (/^::ffff:127\./.test(host)) return true
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** True when `url` is plain http to a host other than this machine. */
export function isCleartextRemote(url: string | URL): boolean {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url
    return parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)
  } catch {
    return false
  }
}

export interface TransportPolicy {
  /** --allow-http: plain http to other hosts is sent, with a warning each time. */
  allowHttp: boolean
  warn: (line: string) => void
}

/** The usage error (exit 2) for a cleartext URL, naming where it came from. */
export function cleartextError(url: string | URL, source: string): FtauthError {
  const parsed = typeof url === 'string' ? new URL(url) : url
  return usageError(
    `${source} uses plain http to ${parsed.host}: credentials and tokens would travel unencrypted`,
    `use https://${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}, or pass --allow-http for a lab setup you trust`,
  )
}

/** Refuses (exit 2) or, with --allow-http, loudly allows a cleartext URL; https and loopback pass silently. */
export function checkTransport(url: string | URL, source: string, policy: TransportPolicy): void {
  if (!isCleartextRemote(url)) return
  if (!policy.allowHttp) throw cleartextError(url, source)
  const parsed = typeof url === 'string' ? new URL(url) : url
  policy.warn(`--allow-http: sending to ${parsed.host} over plain http; credentials and tokens can be read on the network`)
}
