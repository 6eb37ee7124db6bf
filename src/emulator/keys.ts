// One RS256 signing key per emulator run (generated at start-up, never written to disk),
// published as a JWKS so clients can verify tokens exactly as against the real providers.
// RSA key generation takes 0.1–0.6 s on a small machine, so it runs in the background while
// the server starts listening; signing, verifying and the JWKS wait for it.
import {randomUUID} from 'node:crypto'
import {calculateJwkThumbprint, createLocalJWKSet, errors, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet, type JWTPayload} from 'jose'

export interface SignSpec {
  issuer: string
  audience: string
  subject: string
  nowSeconds: number
  ttlSeconds: number
  claims: Record<string, unknown>
}

export interface SignedToken {
  token: string
  jti: string
  iat: number
  exp: number
}

export type VerifyResult = {ok: true; payload: JWTPayload & Record<string, unknown>} | {ok: false; reason: 'expired' | 'invalid'}

export interface SigningKeys {
  /** Resolves once the key exists (rejects if generation failed). */
  ready(): Promise<void>
  jwks(): Promise<JSONWebKeySet>
  sign(spec: SignSpec): Promise<SignedToken>
  verify(token: string, expected: {issuer: string; audience: string; nowMs: number}): Promise<VerifyResult>
}

async function generate() {
  const {privateKey, publicKey} = await generateKeyPair('RS256', {extractable: true})
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const jwks: JSONWebKeySet = {keys: [{...publicJwk, kid, alg: 'RS256', use: 'sig'}]}
  return {privateKey, kid, jwks, keySet: createLocalJWKSet(jwks)}
}

export function createSigningKeys(): SigningKeys {
  const key = generate()
  // Observed by ready()/sign()/verify(); this only keeps an early failure from being "unhandled".
  key.catch(() => undefined)

  return {
    ready: async () => {
      await key
    },
    jwks: async () => (await key).jwks,
    async sign(spec) {
      const {privateKey, kid} = await key
      const jti = randomUUID()
      const iat = spec.nowSeconds
      const exp = iat + spec.ttlSeconds
      const token = await new SignJWT({...spec.claims})
        .setProtectedHeader({alg: 'RS256', typ: 'JWT', kid})
        .setIssuer(spec.issuer)
        .setAudience(spec.audience)
        .setSubject(spec.subject)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(privateKey)
      return {token, jti, iat, exp}
    },
    async verify(token, expected) {
      const {keySet} = await key
      try {
        const {payload} = await jwtVerify(token, keySet, {
          issuer: expected.issuer,
          audience: expected.audience,
          algorithms: ['RS256'],
          currentDate: new Date(expected.nowMs),
        })
        return {ok: true, payload: payload as JWTPayload & Record<string, unknown>}
      } catch (err) {
        return {ok: false, reason: err instanceof errors.JWTExpired ? 'expired' : 'invalid'}
      }
    },
  }
}
