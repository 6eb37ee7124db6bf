// A tiny method+path router: patterns like '/funtrips/v1/merchants/:id/products'.
import {json, notFound, type EmuRequest, type EmuResponse} from './http.js'

export type Handler = (req: EmuRequest) => Promise<EmuResponse> | EmuResponse

export interface Route {
  method: string
  path: string
  handler: Handler
}

export function route(method: string, path: string, handler: Handler): Route {
  return {method, path, handler}
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const ps = pattern.split('/')
  const xs = path.split('/')
  if (ps.length !== xs.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i] ?? ''
    const x = xs[i] ?? ''
    if (p.startsWith(':')) {
      if (x === '') return undefined
      try {
        params[p.slice(1)] = decodeURIComponent(x)
      } catch {
        return undefined
      }
    } else if (p !== x) {
      return undefined
    }
  }
  return params
}

export function createRouter(routes: readonly Route[]): Handler {
  return (req) => {
    const allowed: string[] = []
    for (const r of routes) {
      const params = matchPath(r.path, req.path)
      if (!params) continue
      if (r.method === req.method) return r.handler({...req, params})
      allowed.push(r.method)
    }
    if (allowed.length > 0) {
      return json(405, {error: 'method_not_allowed', message: `${req.method} is not allowed on ${req.path}`}, {Allow: [...new Set(allowed)].join(', ')})
    }
    return notFound(req)
  }
}
