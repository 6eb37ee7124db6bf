import {createRemoteJWKSet, errors, jwtVerify} from 'jose'

import {credentialsRejected, expiredOrUsed, networkError} from '../core/errors.js'

export interface VerifyResult {
  verified: true
  jwksUrl: string
  algorithm: string
}

/**
 * Checks the signature against the issuer's JWKS: `<iss>/.well-known/jwks.json`, then the issuer
 * origin's `/.well-known/jwks.json` (where the emulator and many servers publish it).
 */
export async function verifyAgainstIssuer(token: string, issuer: string | undefined, timeoutMs: number): Promise<VerifyResult> {
  if (!issuer) throw credentialsRejected('the token has no iss claim, so there is no JWKS to verify it against', 'verify it with the provider instead')
  let base: URL
  try {
    base = new URL(issuer)
  } catch {
    throw credentialsRejected(`the issuer ${issuer} is not a URL, so its JWKS cannot be found`, 'verify it with the provider instead')
  }
  const candidates = [...new Set([`${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`, `${base.origin}/.well-known/jwks.json`])]
  let lastError: unknown
  for (const jwksUrl of candidates) {
    try {
      const jwks = createRemoteJWKSet(new URL(jwksUrl), {timeoutDuration: timeoutMs})
      const {protectedHeader} = await jwtVerify(token, jwks, {issuer})
      return {verified: true, jwksUrl, algorithm: protectedHeader.alg}
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw expiredOrUsed(`the signature is valid but the token expired (${jwksUrl})`, 'get a new token')
      if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWTClaimValidationFailed) {
        throw credentialsRejected(`the token does NOT verify against ${jwksUrl}: ${error.message}`, 'the token was altered or issued by someone else')
      }
      if (error instanceof errors.JWKSNoMatchingKey) {
        throw credentialsRejected(`no key in ${jwksUrl} matches the token's kid`, 'the token was issued by another server or its key was rotated')
      }
      lastError = error
    }
  }
  throw networkError(`could not fetch a JWKS for ${issuer} (${(lastError as Error)?.message ?? 'unknown error'})`, 'check that the issuer publishes /.well-known/jwks.json and is reachable', lastError)
}
