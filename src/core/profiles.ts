import {PROFILE_NAME, PROFILE_NAME_RULE, type Config, type EnvName, type Profile, type ProviderName} from './config.js'
import {DEFAULT_ENV} from './config-migration.js'
import {usageError} from './errors.js'
import {redactUserinfo} from './redact.js'
import {DEFAULT_EMULATOR_PORT, DEMO, emulatorUrls} from '../local-demo/credentials.js'

/**
 * Built-in hosts per environment. Hosts marked [guess] in ../shared/docs/PROVIDERS.md are
 * overridable per profile (`urls.<env>`) and by FTAUTH_*_URL variables.
 */
const BUILTIN = {
  funtrips: {
    // Funtrips documents api.funtrips.io and api.acc.funtrips.io with a {stage} segment; which is
    // which, the stage names, and the auth service sharing the API host are guesses.
    sandbox: {authUrl: 'https://api.acc.funtrips.io', apiUrl: 'https://api.acc.funtrips.io', stage: 'acc'},
    production: {authUrl: 'https://api.funtrips.io', apiUrl: 'https://api.funtrips.io', stage: 'prod'},
  },
  fluz: {
    sandbox: {url: 'https://transactional-graph.staging.fluzapp.com/api/v1/graphql'},
    production: {url: 'https://transactional-graph.fluzapp.com/api/v1/graphql'},
  },
  shuttle: {
    // The sandbox OAuth host is a guess (merchant.shuttlestaging.com); live is documented.
    sandbox: {authUrl: 'https://merchant.shuttlestaging.com', apiUrl: 'https://app.shuttlestaging.com/c/api'},
    production: {authUrl: 'https://merchant.shuttleglobal.com', apiUrl: 'https://app.shuttleglobal.com/c/api'},
  },
} as const


export const DEFAULT_LOCAL_URL = `http://127.0.0.1:${DEFAULT_EMULATOR_PORT}`

export interface FuntripsSettings {
  provider: 'funtrips'
  env: EnvName
  /** Base of /oauth/token: the auth host plus the stage. */
  authUrl: string
  /** Base of /v1/…: the API host plus the stage. */
  apiUrl: string
  /** The `{stage}` segment in both URLs ('' = none). */
  stage: string
  /** undefined = the prose path first, the diagram path when the server says the route is unknown. */
  exchangePath: string | undefined
  clientId: string | undefined
  /** The session's external_user_id: FTAUTH_FUNTRIPS_USER > profile funtrips.userId > demo user (local only). */
  userId: string | undefined
  campaignId: string | undefined
  /** Parts of the resolved settings that are built-in guesses (PROVIDERS.md [guess]), for status and doctor. */
  guesses: string[]
}
export interface FluzSettings {
  provider: 'fluz'
  env: EnvName
  url: string
  userId: string | undefined
  accountId: string | undefined
  seatId: string | undefined
  scopes: string[] | undefined
  guesses: string[]
}
export interface ShuttleSettings {
  provider: 'shuttle'
  env: EnvName
  authUrl: string
  apiUrl: string
  clientId: string | undefined
  redirectUri: string | undefined
  scope: string | undefined
  guesses: string[]
}
export interface ResolvedProfile {
  name: string
  profile: Profile
  localUrl: string
  funtrips: FuntripsSettings
  fluz: FluzSettings
  shuttle: ShuttleSettings
}

export interface ResolveOptions {
  profileFlag?: string | undefined
  envFlag?: EnvName | undefined
  env: NodeJS.ProcessEnv
}

/**
 * A resolved URL: no trailing slash, and a password in it (`https://user:pass@host`) masked. ftauth
 * never sends URL credentials (requests go to origin and path), so the mask changes no request and
 * keeps the password out of every line that shows a URL.
 */
const trimSlash = (value: string): string => redactUserinfo(value).replace(/\/+$/, '')

/**
 * Environment variables that override a resolved provider setting, keyed `<provider>.<field>`
 * (URL ones act on the provider's resolved environment). `ftauth config list` shows them as sources.
 */
export const ENV_OVERRIDES = {
  'funtrips.clientId': 'FTAUTH_FUNTRIPS_CLIENT_ID',
  'funtrips.userId': 'FTAUTH_FUNTRIPS_USER',
  'funtrips.authUrl': 'FTAUTH_FUNTRIPS_AUTH_URL',
  'funtrips.apiUrl': 'FTAUTH_FUNTRIPS_API_URL',
  'fluz.url': 'FTAUTH_FLUZ_URL',
  'fluz.userId': 'FTAUTH_FLUZ_USER_ID',
  'fluz.accountId': 'FTAUTH_FLUZ_ACCOUNT_ID',
  'shuttle.clientId': 'FTAUTH_SHUTTLE_CLIENT_ID',
  'shuttle.authUrl': 'FTAUTH_SHUTTLE_AUTH_URL',
  'shuttle.apiUrl': 'FTAUTH_SHUTTLE_API_URL',
} as const satisfies Record<string, string>

/** The URL-valued FTAUTH_* variables that are set, as [variable, value] pairs. */
export function envUrlOverrides(env: NodeJS.ProcessEnv): [string, string][] {
  const variables = [...Object.entries(ENV_OVERRIDES).filter(([key]) => /url$/i.test(key)).map(([, variable]) => variable), 'FTAUTH_LOCAL_URL']
  return variables.flatMap((variable) => (env[variable] ? [[variable, env[variable]] as [string, string]] : []))
}

/** Precedence everywhere: flag > environment variable > profile > built-in default for the environment. */
export function resolveProfile(config: Config, options: ResolveOptions): ResolvedProfile {
  const {env} = options
  const override = (key: keyof typeof ENV_OVERRIDES): string | undefined => {
    const variable = ENV_OVERRIDES[key]
    const value = env[variable] || undefined
    // URLs from the profile are checked by its schema; these are checked here, once for every use.
    if (value !== undefined && /url$/i.test(key)) checkUrl(variable, value)
    return value
  }
  const name = options.profileFlag || env.FTAUTH_PROFILE || 'default'
  checkProfileName(name, options.profileFlag ? '--profile' : 'FTAUTH_PROFILE')
  const profile = config.profiles[name] ?? {}
  if (env.FTAUTH_LOCAL_URL) checkUrl('FTAUTH_LOCAL_URL', env.FTAUTH_LOCAL_URL)
  const localUrl = trimSlash(env.FTAUTH_LOCAL_URL || DEFAULT_LOCAL_URL)
  const local = emulatorUrls(localUrl)
  // An empty FTAUTH_ENV is unset, as for every other variable here.
  const envVar = (env.FTAUTH_ENV || undefined) as EnvName | undefined
  const envFor = (provider: ProviderName): EnvName =>
    options.envFlag ?? envVar ?? profile[provider]?.env ?? profile.env ?? DEFAULT_ENV[provider]

  const funtripsEnv = envFor('funtrips')
  const funtripsUrls = profile.funtrips?.urls?.[funtripsEnv]
  const funtripsIds = profile.funtrips?.ids?.[funtripsEnv]
  const funtripsBase = funtripsEnv === 'local' ? {authUrl: local.funtrips, apiUrl: local.funtrips, stage: ''} : BUILTIN.funtrips[funtripsEnv]
  const funtripsAuthHost = override('funtrips.authUrl') || funtripsUrls?.authUrl
  const funtripsApiHost = override('funtrips.apiUrl') || funtripsUrls?.apiUrl
  // The built-in stage goes with the built-in hosts only: a configured URL is used as written
  // (older profiles carry the stage in it), unless funtrips.stage is set explicitly.
  const configuredStage = profile.funtrips?.stage
  // The emulator (`local`) serves no stage.
  const stageFor = (configuredHost: string | undefined) => (funtripsEnv === 'local' ? '' : (configuredStage ?? (configuredHost ? '' : funtripsBase.stage)))
  const withStage = (host: string, stage: string) => `${trimSlash(host)}${stage ? `/${stage}` : ''}`
  const funtripsGuesses =
    funtripsEnv === 'local'
      ? []
      : [
          ...(funtripsApiHost ? [] : [`API host ${funtripsBase.apiUrl} (which host is ${funtripsEnv})`]),
          ...(funtripsAuthHost ? [] : [`auth host ${funtripsBase.authUrl} (the diagrams show a separate auth service)`]),
          ...(configuredStage !== undefined || (funtripsApiHost && funtripsAuthHost) ? [] : [`stage /${funtripsBase.stage}`]),
        ]
  const fluzEnv = envFor('fluz')
  const fluzIds = profile.fluz?.ids?.[fluzEnv]
  const fluzBase = fluzEnv === 'local' ? {url: local.fluz} : BUILTIN.fluz[fluzEnv]
  const shuttleEnv = envFor('shuttle')
  const shuttleBase =
    shuttleEnv === 'local' ? {authUrl: local.shuttleAuth, apiUrl: local.shuttleApi} : BUILTIN.shuttle[shuttleEnv]
  const shuttleUrls = profile.shuttle?.urls?.[shuttleEnv]
  const shuttleIds = profile.shuttle?.ids?.[shuttleEnv]
  const shuttleAuthUrl = override('shuttle.authUrl') || shuttleUrls?.authUrl

  return {
    name,
    profile,
    localUrl,
    funtrips: {
      provider: 'funtrips',
      env: funtripsEnv,
      authUrl: withStage(funtripsAuthHost || funtripsBase.authUrl, stageFor(funtripsAuthHost)),
      apiUrl: withStage(funtripsApiHost || funtripsBase.apiUrl, stageFor(funtripsApiHost)),
      stage: stageFor(funtripsApiHost),
      exchangePath: funtripsUrls?.exchangePath,
      clientId: override('funtrips.clientId') || funtripsIds?.clientId || (funtripsEnv === 'local' ? DEMO.funtrips.clientId : undefined),
      userId: override('funtrips.userId') || profile.funtrips?.userId || (funtripsEnv === 'local' ? DEMO.funtrips.userId : undefined),
      campaignId: profile.funtrips?.campaignId,
      guesses: funtripsGuesses,
    },
    fluz: {
      provider: 'fluz',
      env: fluzEnv,
      url: trimSlash(override('fluz.url') || profile.fluz?.urls?.[fluzEnv]?.url || fluzBase.url),
      userId: override('fluz.userId') || fluzIds?.userId || (fluzEnv === 'local' ? DEMO.fluz.userId : undefined),
      accountId: override('fluz.accountId') || fluzIds?.accountId || (fluzEnv === 'local' ? DEMO.fluz.accountId : undefined),
      seatId: fluzIds?.seatId,
      scopes: profile.fluz?.scopes,
      guesses: [],
    },
    shuttle: {
      provider: 'shuttle',
      env: shuttleEnv,
      authUrl: trimSlash(shuttleAuthUrl || shuttleBase.authUrl),
      apiUrl: trimSlash(override('shuttle.apiUrl') || shuttleUrls?.apiUrl || shuttleBase.apiUrl),
      clientId: override('shuttle.clientId') || shuttleIds?.clientId || (shuttleEnv === 'local' ? DEMO.shuttle.clientId : undefined),
      redirectUri: profile.shuttle?.redirectUri,
      scope: profile.shuttle?.scope,
      guesses: shuttleEnv === 'sandbox' && !shuttleAuthUrl ? [`sandbox OAuth host ${shuttleBase.authUrl}`] : [],
    },
  }
}

/** Environment variables holding secrets; they override the store and are never written anywhere. */
export const SECRET_ENV_VARS = {
  funtrips: {client_secret: 'FTAUTH_FUNTRIPS_CLIENT_SECRET'},
  fluz: {api_key: 'FTAUTH_FLUZ_API_KEY'},
  shuttle: {client_secret: 'FTAUTH_SHUTTLE_CLIENT_SECRET'},
} as const

/**
 * The secret a provider runs with when it does not come from a store: its FTAUTH_* variable, or in
 * `local` the emulator's public demo secret. Keys the sealed token cache when there is no keychain.
 */
export function environmentCredential(provider: ProviderName, env: NodeJS.ProcessEnv, providerEnv: EnvName): string | undefined {
  const [name, variable] = Object.entries(SECRET_ENV_VARS[provider])[0]!
  return env[variable] || (providerEnv === 'local' ? demoSecret(provider, name) : undefined)
}

/** The emulator's fixed demo secrets, used only for the `local` environment when nothing else is set. */
export function demoSecret(provider: ProviderName, name: string): string | undefined {
  if (provider === 'funtrips' && name === 'client_secret') return DEMO.funtrips.clientSecret
  if (provider === 'fluz' && name === 'api_key') return DEMO.fluz.apiKey
  if (provider === 'shuttle' && name === 'client_secret') return DEMO.shuttle.clientSecret
  return undefined
}

/** Exit 2 for a profile name outside the one alphabet (`a:b`, `../x`), before anything is read or stored. */
export function checkProfileName(name: string, source: string): void {
  if (PROFILE_NAME.test(name)) return
  throw usageError(`invalid profile name ${JSON.stringify(name.slice(0, 80))} (from ${source})`, `${PROFILE_NAME_RULE}, e.g. staging or dev-2; nothing was written`)
}

function checkUrl(variable: string, value: string): void {
  if (!/^https?:$/.test(URL.canParse(value) ? new URL(value).protocol : '')) {
    throw usageError(`${variable} is not an http(s) URL`, `set it to e.g. https://host/path, or unset it`)
  }
}
