import {createHash, randomBytes} from 'node:crypto'

/** RFC 7636 §4.1: verifier and challenge are 43–128 characters of this alphabet. */
export const PKCE_SYNTAX = /^[A-Za-z0-9\-._~]{43,128}$/

export interface PkcePair {
  verifier: string
  challenge: string
  method: 'S256'
}

/** RFC 7636 §4.1: 32 random octets, base64url → a 43-character verifier. */
export function generateCodeVerifier(): string {
  return randomBytes(32).toString('base64url')
}

/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
export function codeChallengeS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

export function createPkcePair(): PkcePair {
  const verifier = generateCodeVerifier()
  return {verifier, challenge: codeChallengeS256(verifier), method: 'S256'}
}
