// What every provider module shares: options, clock, signing keys, the secret registry and
// the emulator's own base URL (known only once the server listens, hence a getter).
import type {Clock} from './clock.js'
import type {SigningKeys, SignSpec, SignedToken, VerifyResult} from './keys.js'
import type {ResolvedOptions} from './options.js'
import type {SecretIssuer} from './secrets.js'

export interface EmulatorContext {
  readonly options: ResolvedOptions
  readonly clock: Clock
  readonly keys: SigningKeys
  readonly secrets: SecretIssuer
  baseUrl(): string
  /** Signs a JWT at the emulator clock and records it as an issued secret. */
  issueJwt(spec: Omit<SignSpec, 'nowSeconds'>): Promise<SignedToken>
  verifyJwt(token: string, expected: {issuer: string; audience: string}): Promise<VerifyResult>
  /** The access-token lifetime to use: the tokenTtlSeconds override, else the provider's default. */
  accessTtl(defaultSeconds: number): number
  /** The code lifetime to use: the codeTtlSeconds override, else the provider's default. */
  codeTtl(defaultSeconds: number): number
}

export function createContext(parts: {
  options: ResolvedOptions
  clock: Clock
  keys: SigningKeys
  secrets: SecretIssuer
  baseUrl: () => string
}): EmulatorContext {
  const {options, clock, keys, secrets} = parts
  return {
    options,
    clock,
    keys,
    secrets,
    baseUrl: parts.baseUrl,
    async issueJwt(spec) {
      const signed = await keys.sign({...spec, nowSeconds: clock.nowSeconds()})
      secrets.record(signed.token)
      return signed
    },
    verifyJwt: (token, expected) => keys.verify(token, {...expected, nowMs: clock.nowMs()}),
    accessTtl: (d) => options.tokenTtlSeconds ?? d,
    codeTtl: (d) => options.codeTtlSeconds ?? d,
  }
}
