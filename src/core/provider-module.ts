import type {EnvName} from './config.js'
import type {Deps} from './deps.js'
import type {CacheEntry} from './token-cache.js'
import type {TokenSource} from './token-source.js'
import type * as z from './zod.js'

/**
 * What each provider module adds about itself, by declaration merging in its own folder
 * (`declare module '../../core/provider-module.js'`): its name, the settings it resolves to, and
 * the shape of its block in a profile. Core reads these maps and never names a provider.
 */
// biome-ignore lint/suspicious/noEmptyInterface: an interface, empty here, so that each provider module can merge its entry into it
export interface ProviderSettingsMap {}
// biome-ignore lint/suspicious/noEmptyInterface: as above
export interface ProviderProfileMap {}

/** The name of a registered provider (the key of its config block, keychain accounts and cache entries). */
export type ProviderName = keyof ProviderSettingsMap & keyof ProviderProfileMap & string

/** What every provider's resolved settings carry. */
export interface BaseSettings {
  provider: ProviderName
  env: EnvName
  /** Parts of the resolved settings that are built-in guesses from the docs, for status and doctor. */
  guesses: string[]
}

/** What every provider's profile block carries: its own environment, and identities per environment. */
export interface BaseProfileBlock {
  env?: EnvName | undefined
  ids?: Partial<Record<EnvName, Record<string, unknown> | undefined>> | undefined
}

/** A secret the provider keeps in the store (`<profile>:<provider>:<env>.<name>`). */
export interface SecretSpec {
  /** The keychain name, e.g. client_secret. */
  name: string
  /** The FTAUTH_* variable that overrides the store (never written anywhere). */
  envVar: string
  /** The public demo value the `local` environment runs with when nothing else is set. */
  localDemo: string
}

/** What a provider's `resolve` gets: everything already chosen by the one precedence rule of core. */
export interface ResolveContext<Block> {
  /** The environment this provider runs in: --env > FTAUTH_ENV > its block > the profile > its default. */
  env: EnvName
  /** The profile's block of this provider (undefined when the profile has none). */
  block: Block | undefined
  /** The value of an FTAUTH_* override of `<provider>.<field>` (its `envOverrides`), URLs already checked. */
  override(field: string): string | undefined
  /** The emulator's base URL for the `local` environment (FTAUTH_LOCAL_URL or the default). */
  localUrl: string
  /** A URL as shown and used: no trailing slash, a password in it masked. */
  trimUrl(url: string): string
}

/**
 * Everything one provider declares about itself; `src/providers/<name>/index.ts` exports one and
 * `src/providers/registry.ts` lists them. Flows (login checks, token sources) load lazily so that
 * declaring a provider costs a command nothing it does not use.
 */
export interface ProviderModule<N extends ProviderName = ProviderName> {
  readonly name: N
  /** The name as people write it (capitalised, as in the provider's docs). */
  readonly title: string
  /** The environment used when nothing chooses one. */
  readonly defaultEnv: EnvName
  /** The zod schema of `profiles.<profile>.<name>` in config.json; built when first asked for. */
  profileSchema(): z.ZodMiniType
  /** Identity fields kept per environment under `<name>.ids.<env>` (the short form `<name>.<field>` addresses the active one). */
  readonly identityFields: readonly string[]
  /** FTAUTH_* variables that override a resolved setting, field → variable (`config list` names them as sources). */
  readonly envOverrides: Readonly<Record<string, string>>
  /** The secret `ftauth login` stores (one per provider today). */
  readonly secret: SecretSpec
  /** The settings for this run: flag > environment variable > profile > built-in default for the environment. */
  resolve(context: ResolveContext<ProviderProfileMap[N]>): ProviderSettingsMap[N]
  /** Its tokens, for `ftauth call`, `token inspect`/`diff` and the hints that name a command. */
  readonly tokens: TokenDeclarations
  /** What `ftauth doctor` checks of it. */
  readonly doctor: DoctorDeclarations<N>
}

export interface TokenDeclarations {
  /** Loads the token source `ftauth call` (and a stored token reference) uses; `backend` where the provider has a second kind. */
  source(as: 'user' | 'backend'): Promise<TokenSource>
  /** Whether `--as backend` means something for this provider. */
  readonly hasBackendTokens: boolean
  /** The command (after `ftauth `) that gets a token of this provider. */
  readonly obtainCommand: string
  /** The command (after `ftauth `) that renews this cached token. */
  renewCommand(entry: CacheEntry): string
  /** Lower-case words in a token's issuer that name this provider (`token inspect` of a bare token). */
  readonly issuerWords: readonly string[]
}

export interface DoctorDeclarations<N extends ProviderName = ProviderName> {
  /** The settings fields holding the URLs it calls (checked for reachability; `<name>.urls.<env>.<field>` in the config). */
  readonly endpointFields: readonly string[]
  /** Config keys besides `<name>.urls.<env>.…` that correct a built-in guess (named in the fix). */
  readonly guessKeys: readonly string[]
  /** Why its credentials cannot be checked (an id missing), or undefined when they can. */
  missingIdentity(settings: ProviderSettingsMap[N]): string | undefined
  /** One real call with the configured credentials (nothing stored); resolves to what it proved. */
  verifyCredentials(deps: Deps, secret: string): Promise<string>
}

/** A credential check that ran but proved nothing either way: a warning, not a failure. */
export class NotVerified extends Error {
  constructor(
    message: string,
    /** What shows whether the credentials work instead. */
    readonly fix: string,
  ) {
    super(message)
  }
}

// ---------------------------------------------------------------------------------------------
// The registry: the entry points register `src/providers/registry.ts` once; core asks it.

let registered: readonly ProviderModule[] | undefined

/** Called once by src/providers/registry.ts (the one list of providers). */
export function registerProviders(modules: readonly ProviderModule[]): void {
  registered = modules
}

/** Every registered provider, in the registry's order (the order of status and doctor). */
export function providerModules(): readonly ProviderModule[] {
  if (!registered) throw new Error('no providers registered: import src/providers/registry.js first')
  return registered
}

export function providerModule<N extends ProviderName>(name: N): ProviderModule<N> {
  const found = providerModules().find((module) => module.name === name)
  if (!found) throw new Error(`unknown provider ${String(name)}`)
  return found as unknown as ProviderModule<N>
}

export function providerNames(): ProviderName[] {
  return providerModules().map((module) => module.name)
}

export function isProviderName(name: unknown): name is ProviderName {
  return typeof name === 'string' && providerModules().some((module) => module.name === name)
}
