// Public types of the emulator (re-exported by index.ts).

export type FluzEnv = 'sandbox' | 'production'
export type FuntripsExchangePath = 'session' | 'oauth'
export type FuntripsExchangeField = 'session_code' | 'code'

export interface EmulatorOptions {
  /** Interface to listen on. Default '127.0.0.1' (loopback only). */
  host?: string
  /** Port; default 0 (a random free port). The CLI passes 7787. */
  port?: number
  /** Overrides every access-token lifetime (lets tests expire tokens without sleeping). */
  tokenTtlSeconds?: number
  /** Overrides the code lifetimes: Funtrips session code (default 300 s), Shuttle authorization code (default 900 s). */
  codeTtlSeconds?: number
  /** Environment served at /fluz/api/v1/graphql. Default 'sandbox'. */
  fluzEnv?: FluzEnv
  /** Shuttle consent page redirects at once, as if the merchant clicked Approve. */
  autoApprove?: boolean
  /** Embedded in every session code, authorization code and opaque refresh token (secret-leak canaries). */
  secretMarker?: string
  /** Funtrips code-exchange paths that answer; a disabled one returns 404. Default both. */
  funtripsExchangePaths?: FuntripsExchangePath[]
  /**
   * The one body field both exchange paths take for the session code. Default: each path the field
   * its part of the guide names (/v1/session/token session_code, /v1/oauth/token code).
   */
  funtripsExchangeField?: FuntripsExchangeField
  /**
   * Redirects registered for the demo Shuttle client; any other is refused with 400 at /authorize,
   * as Shuttle documents. Default: ftauth's default redirect, http://127.0.0.1:8765/callback.
   */
  shuttleRedirects?: string[]
  /**
   * Accept a registered loopback redirect on any port (RFC 8252 §7.3). Not documented for Shuttle,
   * so off unless asked for.
   */
  shuttleLoopbackAnyPort?: boolean
  /**
   * Fluz rotates the refresh token on every refresh (default true: an invention, the docs do not
   * say); false returns the same refresh token, still valid.
   */
  fluzRotateRefresh?: boolean
  /** Name of the query listing the app's scopes (the docs: getApplicationScopes; some pages getApplicationScope). */
  fluzScopesField?: 'getApplicationScopes' | 'getApplicationScope'
  /** Shape of that list: scope names (default) or objects `{scope, description}` (not documented either way). */
  fluzScopesShape?: 'strings' | 'objects'
  /** Shuttle rotates the refresh token on every refresh (the documented behaviour is no rotation). */
  shuttleRotateRefresh?: boolean
  /** Secrets the demo clients must present instead of the published demo ones (secret-leak canary tests). */
  demoSecrets?: {funtripsClientSecret?: string; fluzApiKey?: string; shuttleClientSecret?: string}
}

export interface LoggedRequest {
  method: string
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  body: string
  /** HTTP status sent; 0 while hanging or when the connection was reset. */
  status: number
  /** Arrival time on the emulator clock. */
  at: string
}

export type FaultKind =
  | '500'
  | '503'
  | '429'
  | 'hang'
  | 'malformed-json'
  | 'wrong-shape'
  | 'reset'
  /** Hostile provider: echo the request's credentials back in many encodings (see echo.ts). */
  | 'echo-oauth'
  | 'echo-graphql'
  | 'echo-text'
  /** A 200 body just over 10 MB. */
  | 'huge-body'

export interface Fault {
  /** Only requests with this method (any when omitted). */
  method?: string
  /** Exact path, or a prefix when it ends with '*'. */
  path: string
  kind: FaultKind
  /** How many matching requests get the fault. Default 1. */
  count?: number
  /** Retry-After seconds for 429/503. */
  retryAfter?: number
  /** For 'hang': delay before the request is served normally. Default: hang until close(). */
  hangMs?: number
}

export interface Emulator {
  /** http://HOST:PORT, no trailing slash. */
  url: string
  /** Frees the port, destroys keep-alive sockets and releases hanging requests. */
  close(): Promise<void>
  requests(): LoggedRequest[]
  clearRequests(): void
  inject(fault: Fault): void
  /** Shifts the emulator clock (token iat/exp, code expiry, Date header). */
  advanceClock(seconds: number): void
  /** Every token, code and refresh token issued so far. */
  issuedSecrets(): string[]
}
