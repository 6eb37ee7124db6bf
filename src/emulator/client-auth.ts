// OAuth client authentication shared by Funtrips and Shuttle: HTTP Basic or body
// client_id/client_secret; Basic wins when both are sent (as Shuttle documents).
import {createHash, timingSafeEqual} from 'node:crypto'
import {basicCredentials, type EmuRequest} from './http.js'

export type ClientAuthResult = {ok: true; clientId: string; via: 'basic' | 'body'} | {ok: false; detail: string; via: 'basic' | 'body' | 'none'}

function sameSecret(a: string, b: string): boolean {
  // Hash first so lengths match and comparison time does not depend on the secret.
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb)
}

export function authenticateClient(req: EmuRequest, params: Record<string, string>, clients: ReadonlyMap<string, string>): ClientAuthResult {
  const basic = basicCredentials(req)
  if (basic === 'malformed') return {ok: false, via: 'basic', detail: 'Malformed HTTP Basic credentials'}
  const sent = basic
    ? {...basic, via: 'basic' as const}
    : params.client_id !== undefined
      ? {clientId: params.client_id, clientSecret: params.client_secret, via: 'body' as const}
      : undefined
  if (sent === undefined) return {ok: false, via: 'none', detail: 'Client authentication required (HTTP Basic or client_id/client_secret)'}
  const {clientId, clientSecret, via} = sent
  if (clientSecret === undefined) return {ok: false, via, detail: 'client_secret is required'}
  const expected = clients.get(clientId)
  if (expected === undefined || !sameSecret(clientSecret, expected)) {
    return {ok: false, via, detail: 'Unknown client or wrong client secret'}
  }
  return {ok: true, clientId, via}
}
