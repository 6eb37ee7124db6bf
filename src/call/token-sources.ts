import type {Deps} from '../core/base-command.js'
import type {ProviderName} from '../core/config.js'
import type {TokenSource} from '../core/token-source.js'

/** Loads only the provider that a call needs. */
export async function tokenSourceFor(provider: ProviderName, as: 'user' | 'backend' = 'user'): Promise<TokenSource> {
  if (provider === 'funtrips') {
    const module = await import('../providers/funtrips/token-source.js')
    return as === 'backend' ? module.funtripsBackendTokenSource : module.funtripsPublicTokenSource
  }
  if (provider === 'fluz') return (await import('../providers/fluz/token-source.js')).fluzTokenSource
  return (await import('../providers/shuttle/token-source.js')).shuttleTokenSource
}

/** Which provider a full URL belongs to, by the hosts configured for the profile. */
export async function providerOfUrl(deps: Deps, url: URL): Promise<ProviderName | undefined> {
  for (const provider of ['funtrips', 'fluz', 'shuttle'] as const) {
    const source = await tokenSourceFor(provider)
    const bases = [source.apiBase(deps), ...source.hosts(deps)]
    if (bases.some((base) => matches(base, url))) return provider
  }
  return undefined
}

function matches(base: string, url: URL): boolean {
  try {
    const parsed = new URL(base.includes('://') ? base : `https://${base}`)
    // Same host; on a shared host (the emulator) the path prefix decides.
    return parsed.host === url.host && (parsed.pathname === '/' || url.pathname.startsWith(firstSegment(parsed.pathname)))
  } catch {
    return false
  }
}

function firstSegment(path: string): string {
  return `/${path.split('/').filter(Boolean)[0] ?? ''}`
}
