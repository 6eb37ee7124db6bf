import type {Deps} from '../core/deps.js'
import type {ProviderName} from '../core/config.js'
import {PROVIDERS} from '../providers/registry.js'
import {providerModule} from '../core/provider-module.js'
import type {TokenSource} from '../core/token-source.js'

/** Loads only the provider that a call needs (its module's token source). */
export function tokenSourceFor(provider: ProviderName, as: 'user' | 'backend' = 'user'): Promise<TokenSource> {
  return providerModule(provider).tokens.source(as)
}

/**
 * Which provider a full URL belongs to. A configured base URL that prefixes the URL wins (longest
 * first, so providers sharing one host — the emulator — are told apart by path); a bare host
 * match comes second; on a host several providers share, the first path segment of their bases
 * decides (the emulator's /fluz/sandbox/… is Fluz even when the profile points at /fluz/api/…).
 */
export async function providerOfUrl(deps: Deps, url: URL): Promise<ProviderName | undefined> {
  const prefixes: {provider: ProviderName; prefix: string}[] = []
  const hosts: {provider: ProviderName; host: string; segment: string}[] = []
  for (const provider of PROVIDERS) {
    const source = await tokenSourceFor(provider)
    for (const base of [source.apiBase(deps), ...source.hosts(deps)]) {
      const parsed = parseBase(base)
      if (!parsed) continue
      if (parsed.pathname.length > 1) prefixes.push({provider, prefix: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`})
      hosts.push({provider, host: parsed.host, segment: firstSegment(parsed.pathname)})
    }
  }
  const target = `${url.origin}${url.pathname}`
  const byPrefix = prefixes.filter(({prefix}) => target === prefix || target.startsWith(`${prefix}/`)).sort((a, b) => b.prefix.length - a.prefix.length)[0]
  if (byPrefix) return byPrefix.provider
  const onHost = hosts.filter(({host}) => host === url.host)
  const byHost = new Set(onHost.map(({provider}) => provider))
  if (byHost.size <= 1) return [...byHost][0]
  const segment = firstSegment(url.pathname)
  const bySegment = new Set(onHost.filter((entry) => segment && entry.segment === segment).map(({provider}) => provider))
  return bySegment.size === 1 ? [...bySegment][0] : undefined
}

function firstSegment(pathname: string): string {
  return pathname.split('/').find(Boolean) ?? ''
}

/** A base URL or a bare host (`api.example.com`) as a URL; undefined when it is neither. */
export function parseBase(base: string): URL | undefined {
  try {
    return new URL(base.includes('://') ? base : `https://${base}`)
  } catch {
    return undefined
  }
}
