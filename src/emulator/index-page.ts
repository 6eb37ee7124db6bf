// The HTML index at `/`, generated from the route table so it cannot drift from what is served.
import {emulatorUrls} from '../local-demo/credentials.js'
import {escapeHtml, page} from './html.js'

export interface RouteSummary {
  method: string
  path: string
}

export function indexPage(baseUrl: string, routes: readonly RouteSummary[]): string {
  const methodsByPath = new Map<string, string[]>()
  for (const r of routes) methodsByPath.set(r.path, [...(methodsByPath.get(r.path) ?? []), r.method])
  const rows = [...methodsByPath]
    .map(([path, methods]) => `<tr><td><code>${escapeHtml(methods.join(' '))}</code></td><td><code>${escapeHtml(path)}</code></td></tr>`)
    .join('\n')
  const body =
    `<p>Local emulator of the Funtrips, Fluz and Shuttle APIs for ftauth (<code>--env local</code>). ` +
    `Tokens are signed with an RS256 key made at start-up: <a href="${escapeHtml(emulatorUrls(baseUrl).jwks)}">JWKS</a>.</p>` +
    `<table><thead><tr><th>Method</th><th>Path</th></tr></thead><tbody>\n${rows}\n</tbody></table>`
  return page('ftauth emulator', body)
}
