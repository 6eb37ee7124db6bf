/**
 * Which proxy carries a request, by the rules of undici's EnvHttpProxyAgent (the dispatcher that
 * sends it, src/core/http.ts): http_proxy/HTTP_PROXY for http, https_proxy/HTTPS_PROXY (else the
 * http one) for https, lower case first; no_proxy/NO_PROXY entries (`*`, host, .domain or
 * *.domain, optional :port) skip it. The agent does not say which it chose, so --trace asks here.
 */
export function proxyFor(url: string, env: NodeJS.ProcessEnv): string | undefined {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return undefined
  }
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY
  const proxy = target.protocol === 'https:' ? (env.https_proxy ?? env.HTTPS_PROXY) || httpProxy : httpProxy
  if (!proxy) return undefined
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase()
  const port = Number.parseInt(target.port, 10) || (target.protocol === 'https:' ? 443 : 80)
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? ''
  if (noProxy === '*') return undefined
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue
    const withPort = /^(.+):(\d+)$/.exec(entry)
    const host = (withPort ? withPort[1]! : entry).replace(/^\*?\./, '').toLowerCase()
    if (withPort && Number(withPort[2]) !== port) continue
    if (hostname === host || hostname.endsWith(`.${host}`)) return undefined
  }
  return proxy
}

/** A proxy URL for traces: any password masked. */
export function maskProxy(proxy: string): string {
  try {
    const url = new URL(proxy)
    if (url.password) url.password = '****'
    return url.toString().replace(/\/$/, '')
  } catch {
    return '<unparsable proxy URL>'
  }
}

/** The variable that names the proxy for one scheme, as undici picks it (lower case first), when set. */
function proxyVariable(env: NodeJS.ProcessEnv, scheme: 'http' | 'https'): {name: string; value: string} | undefined {
  for (const name of [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`]) {
    const value = env[name]
    if (value !== undefined) return value ? {name, value} : undefined
  }
  return undefined
}

/**
 * A proxy variable undici cannot use, named: `HTTP_PROXY=proxy.corp:3128` (no scheme) otherwise ends
 * as "unexpected error: Invalid URL". The value itself is not repeated: it may hold a password.
 */
export function badProxyVariable(env: NodeJS.ProcessEnv): string | undefined {
  for (const scheme of ['http', 'https'] as const) {
    const variable = proxyVariable(env, scheme)
    if (!variable) continue
    let protocol: string
    try {
      protocol = new URL(variable.value).protocol
    } catch {
      return variable.name
    }
    if (!['http:', 'https:', 'socks:', 'socks5:'].includes(protocol)) return variable.name
  }
  return undefined
}
