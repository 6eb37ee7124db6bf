import {createRemoteJWKSet, errors, jwtVerify} from 'jose'

import {ENVIRONMENTS, type EnvName, type ProviderName} from '../core/config.js'
import {PROVIDERS} from '../providers/registry.js'
import type {Deps} from '../core/deps.js'
import {credentialsRejected, expiredOrUsed, networkError, usageError} from '../core/errors.js'
import {resolveProfile} from '../core/profiles.js'

export interface VerifyResult {
  verified: true
  jwksUrl: string
  algorithm: string
  /** The provider environment whose issuer the token names; absent with a pinned --jwks. */
  trustedAs?: {provider: ProviderName; env: EnvName}
}

/**
 * The provider environment (from the built-in hosts, the profile's URLs and FTAUTH_*_URL) whose
 * origin the issuer is on. A token names its own issuer: only an issuer on a host ftauth already
 * sends this provider's credentials to may say where its keys are.
 */
export function knownIssuer(deps: Deps, issuer: string): {provider: ProviderName; env: EnvName} | undefined {
  if (!URL.canParse(issuer)) return undefined
  const parsed = new URL(issuer)
  const segments = (path: string) => path.split('/').filter(Boolean)
  const issuerPath = segments(parsed.pathname)
  let best: {provider: ProviderName; env: EnvName; shared: number} | undefined
  for (const env of ENVIRONMENTS) {
    const resolved = resolveProfile(deps.config, {profileFlag: deps.profile.name, envFlag: env, env: deps.env})
    for (const provider of PROVIDERS) {
      const settings = resolved[provider] as unknown as Record<string, unknown>
      for (const url of ['authUrl', 'apiUrl', 'url'].map((key) => settings[key])) {
        if (typeof url !== 'string' || !URL.canParse(url) || new URL(url).origin !== parsed.origin) continue
        // Providers sharing a host (the emulator) are told apart by the leading path segments they share with the issuer.
        const path = segments(new URL(url).pathname)
        let shared = 0
        while (shared < path.length && path[shared] === issuerPath[shared]) shared++
        if (!best || shared > best.shared) best = {provider, env, shared}
      }
    }
  }
  return best && {provider: best.provider, env: best.env}
}

/**
 * Checks the signature: against `pinnedJwks` when given (--jwks), else against the JWKS of the
 * known provider environment the token's issuer belongs to (`<iss>/.well-known/jwks.json`, then
 * the issuer origin's). An issuer of no known environment is not verified (exit 3): a stranger's
 * token would otherwise bring the stranger's keys along.
 */
export async function verifyToken(
  deps: Deps,
  token: string,
  issuer: string | undefined,
  options: {timeoutMs: number; pinnedJwks?: string | undefined},
): Promise<VerifyResult> {
  if (options.pinnedJwks !== undefined) {
    if (!URL.canParse(options.pinnedJwks) || !/^https?:$/.test(new URL(options.pinnedJwks).protocol)) {
      throw usageError(`--jwks ${options.pinnedJwks} is not an http(s) URL`, 'give the full URL of a JWKS document, e.g. https://issuer/.well-known/jwks.json')
    }
    deps.http.checkTransport(options.pinnedJwks, '--jwks')
    return verifyWith(token, [options.pinnedJwks], issuer, options.timeoutMs, undefined)
  }
  if (!issuer)
    throw credentialsRejected(
      'not verified: the token has no iss claim, so there is no known JWKS to check it against',
      'pin one with --jwks <url>, or verify it with the provider',
    )
  const trustedAs = knownIssuer(deps, issuer)
  if (!trustedAs) {
    throw credentialsRejected(
      `not verified: unknown issuer ${JSON.stringify(issuer.slice(0, 200))} (no provider environment of profile ${deps.profile.name} is on that host)`,
      "pin the issuer's keys with --jwks <url> if you trust it, or set the provider's URL with `ftauth config set`",
    )
  }
  const base = new URL(issuer)
  const candidates = [...new Set([`${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`, `${base.origin}/.well-known/jwks.json`])]
  for (const candidate of candidates) deps.http.checkTransport(candidate, `the JWKS of ${trustedAs.provider} ${trustedAs.env}`)
  return verifyWith(token, candidates, issuer, options.timeoutMs, trustedAs)
}

async function verifyWith(
  token: string,
  candidates: string[],
  issuer: string | undefined,
  timeoutMs: number,
  trustedAs: VerifyResult['trustedAs'],
): Promise<VerifyResult> {
  let lastError: unknown
  for (const jwksUrl of candidates) {
    try {
      const jwks = createRemoteJWKSet(new URL(jwksUrl), {timeoutDuration: timeoutMs})
      const {protectedHeader} = await jwtVerify(token, jwks, issuer ? {issuer} : {})
      return {verified: true, jwksUrl, algorithm: protectedHeader.alg, ...(trustedAs ? {trustedAs} : {})}
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
  throw networkError(
    `could not fetch a JWKS from ${candidates.join(' or ')} (${(lastError as Error)?.message ?? 'unknown error'})`,
    'check that the issuer publishes /.well-known/jwks.json and is reachable',
    lastError,
  )
}
