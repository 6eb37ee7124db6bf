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
