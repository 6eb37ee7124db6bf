// PKCE (RFC 7636), S256 only: `plain` would defeat the point and no provider here offers it.
import { createHash } from 'node:crypto';

/** 43–128 characters of base64url: the syntax of both verifier and S256 challenge. */
const PKCE_SYNTAX = /^[A-Za-z0-9\-._~]{43,128}$/;

export function isValidChallenge(challenge: string): boolean {
  return PKCE_SYNTAX.test(challenge);
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function verifierMatches(verifier: string | undefined, challenge: string): boolean {
  return verifier !== undefined && PKCE_SYNTAX.test(verifier) && s256(verifier) === challenge;
}
