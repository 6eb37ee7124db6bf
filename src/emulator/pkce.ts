// PKCE (RFC 7636), S256 only: `plain` would defeat the point and no provider here offers it.
import {codeChallengeS256, PKCE_SYNTAX} from '../core/pkce.js'

export function isValidChallenge(challenge: string): boolean {
  return PKCE_SYNTAX.test(challenge)
}

export function verifierMatches(verifier: string | undefined, challenge: string): boolean {
  return verifier !== undefined && PKCE_SYNTAX.test(verifier) && codeChallengeS256(verifier) === challenge
}
