import type {ProviderName, EnvName} from '../core/config.js'
import {FtauthError} from '../core/errors.js'
import type {HttpClient} from '../core/http.js'
import type {Setting} from '../core/config-keys.js'
import {title as providerTitle} from '../providers/titles.js'
import {check, errorMessage, type Check} from './check.js'

export interface Endpoint {
  /** The config key holding this URL, e.g. fluz.urls.sandbox.url. */
  key: string
  url: string
  /** Where the URL came from (env variable, profile, built-in or emulator default), for the fix. */
  source?: Pick<Setting, 'source' | 'origin'> | undefined
}

/** When a server answered and what its Date header said, for the clock check. */
export interface ClockSample {
  provider: ProviderName
  url: string
  serverDate: Date
  /** Local time halfway through the request: the best guess of when the server wrote its Date. */
  localDate: Date
}

export interface ReachabilityResult {
  check: Check
  samples: ClockSample[]
}

/**
 * Each URL resolves and answers HTTP. Any status counts as reachable (a GraphQL endpoint answers
 * GET with 4xx); no credentials are sent.
 */
export async function checkReachable(
  http: HttpClient,
  provider: ProviderName,
  env: EnvName,
  endpoints: Endpoint[],
  now: () => Date,
): Promise<ReachabilityResult> {
  const unique = endpoints.filter((endpoint, i) => endpoints.findIndex((other) => other.url === endpoint.url) === i)
  const results = await Promise.all(unique.map((endpoint) => probe(http, endpoint, now)))
  const title = `${providerTitle(provider)} reachable (${env})`
  const samples = results.flatMap((result) => (result.sample ? [{...result.sample, provider}] : []))
  const failed = results.filter((result) => result.error !== undefined)
  const ms = Math.max(0, ...results.map((result) => result.ms))
  const detail = results.map((result) => result.line).join('; ')
  if (failed.length === 0) return {check: check(`reach.${provider}`, title, 'pass', detail, {ms}), samples}
  const network = failed.every((result) => /connection refused/.test(errorMessage(result.error)))
    ? 'nothing listens there'
    : 'check the network (proxy, VPN, DNS)'
  const fixes = [...new Set(failed.map((result) => fixFor(result.endpoint, env)))]
  return {check: check(`reach.${provider}`, title, 'fail', detail, {fix: [network, ...fixes].join('; '), ms}), samples}
}

interface Probe {
  endpoint: Endpoint
  line: string
  ms: number
  error?: FtauthError | Error
  sample?: Omit<ClockSample, 'provider'>
}

async function probe(http: HttpClient, endpoint: Endpoint, now: () => Date): Promise<Probe> {
  const before = now().getTime()
  try {
    // Not retried: one answer is enough to know the host is there.
    const response = await http.request({method: 'GET', url: endpoint.url, idempotent: false})
    const localDate = new Date(before + response.ms / 2)
    return {
      endpoint,
      line: `GET ${endpoint.url} → HTTP ${response.status}`,
      ms: response.ms,
      ...(response.serverDate ? {sample: {url: endpoint.url, serverDate: response.serverDate, localDate}} : {}),
    }
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error))
    // ftauth's network errors already name the endpoint ("cannot connect to http://…").
    const line = error instanceof FtauthError ? failure.message : `GET ${endpoint.url} failed: ${failure.message}`
    return {endpoint, line, ms: now().getTime() - before, error: failure}
  }
}

function fixFor(endpoint: Endpoint, env: EnvName): string {
  const {key, source} = endpoint
  if (source?.source === 'env' && source.origin && source.origin !== 'FTAUTH_LOCAL_URL') {
    return `${key} comes from ${source.origin}: correct or unset that variable`
  }
  if (source?.source === 'profile') {
    return `${key} is set in the profile: correct it with \`ftauth config set ${key} <url>\`, or go back to the default with \`ftauth config unset ${key}\``
  }
  if (env === 'local') return 'start the emulator (`ftauth emulator`) and point FTAUTH_LOCAL_URL at it'
  return `if your partner host differs from the built-in one, set it with \`ftauth config set ${key} <url>\``
}
