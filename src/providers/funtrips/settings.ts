import {ENVIRONMENTS, httpUrl, perEnvironment, type EnvName} from '../../core/config.js'
import type {ResolveContext} from '../../core/provider-module.js'
import * as z from '../../core/zod.js'
import {DEMO, emulatorUrls} from '../../local-demo/credentials.js'

/**
 * Built-in hosts per environment. Funtrips documents api.funtrips.io and api.acc.funtrips.io with a
 * {stage} segment; which is which, the stage names, and the auth service sharing the API host are
 * guesses (docs/providers.md), overridable per profile (`urls.<env>`) and by FTAUTH_FUNTRIPS_*_URL.
 */
export const FUNTRIPS_BUILTIN_URLS = {
  sandbox: {authUrl: 'https://api.acc.funtrips.io', apiUrl: 'https://api.acc.funtrips.io', stage: 'acc'},
  production: {authUrl: 'https://api.funtrips.io', apiUrl: 'https://api.funtrips.io', stage: 'prod'},
} as const

export const FUNTRIPS_ENV_OVERRIDES = {
  clientId: 'FTAUTH_FUNTRIPS_CLIENT_ID',
  userId: 'FTAUTH_FUNTRIPS_USER',
  authUrl: 'FTAUTH_FUNTRIPS_AUTH_URL',
  apiUrl: 'FTAUTH_FUNTRIPS_API_URL',
} as const

export const FUNTRIPS_SECRET = {name: 'client_secret', envVar: 'FTAUTH_FUNTRIPS_CLIENT_SECRET', localDemo: DEMO.funtrips.clientSecret} as const

/** The `funtrips` block of a profile in config.json (built when the config is first read). */
export function funtripsProfileSchema() {
  const url = httpUrl()
  /** Per-environment URL overrides, since the docs disagree on hosts and paths. */
  const urls = z.strictObject({
    authUrl: z.optional(url),
    apiUrl: z.optional(url),
    /** Exchange path override: the docs name both /v1/session/token and /v1/oauth/token. */
    exchangePath: z.optional(z.string().check(z.startsWith('/'))),
  })
  const ids = z.strictObject({clientId: z.optional(z.string().check(z.minLength(1)))})
  return z.strictObject({
    env: z.optional(z.enum(ENVIRONMENTS)),
    /** The session's external_user_id (1–128 characters, usually an email), sent with every new session. */
    userId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    /** The `{stage}` path segment after the host (a guess: /acc, /prod); empty for none. */
    stage: z.optional(z.string().check(z.regex(/^[\w.-]{0,64}$/, 'a path segment of letters, digits, . _ - (empty for none)'))),
    campaignId: z.optional(z.string().check(z.minLength(1))),
    ids: z.optional(perEnvironment(ids)),
    urls: z.optional(perEnvironment(urls)),
  })
}
export type FuntripsProfile = z.infer<ReturnType<typeof funtripsProfileSchema>>

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
  /** Parts of the resolved settings that are built-in guesses (docs/providers.md), for status and doctor. */
  guesses: string[]
}

export function resolveFuntrips({env, block, override, localUrl, trimUrl}: ResolveContext<FuntripsProfile>): FuntripsSettings {
  const urls = block?.urls?.[env]
  const ids = block?.ids?.[env]
  const base = env === 'local' ? {authUrl: emulatorUrls(localUrl).funtrips, apiUrl: emulatorUrls(localUrl).funtrips, stage: ''} : FUNTRIPS_BUILTIN_URLS[env]
  const authHost = override('authUrl') || urls?.authUrl
  const apiHost = override('apiUrl') || urls?.apiUrl
  // The built-in stage goes with the built-in hosts only: a configured URL is used as written
  // (older profiles carry the stage in it), unless funtrips.stage is set explicitly.
  const configuredStage = block?.stage
  // The emulator (`local`) serves no stage.
  const stageFor = (configuredHost: string | undefined) => (env === 'local' ? '' : (configuredStage ?? (configuredHost ? '' : base.stage)))
  const withStage = (host: string, stage: string) => `${trimUrl(host)}${stage ? `/${stage}` : ''}`
  const guesses =
    env === 'local'
      ? []
      : [
          ...(apiHost ? [] : [`API host ${base.apiUrl} (which host is ${env})`]),
          ...(authHost ? [] : [`auth host ${base.authUrl} (the diagrams show a separate auth service)`]),
          ...(configuredStage !== undefined || (apiHost && authHost) ? [] : [`stage /${base.stage}`]),
        ]
  return {
    provider: 'funtrips',
    env,
    authUrl: withStage(authHost || base.authUrl, stageFor(authHost)),
    apiUrl: withStage(apiHost || base.apiUrl, stageFor(apiHost)),
    stage: stageFor(apiHost),
    exchangePath: urls?.exchangePath,
    clientId: override('clientId') || ids?.clientId || (env === 'local' ? DEMO.funtrips.clientId : undefined),
    userId: override('userId') || block?.userId || (env === 'local' ? DEMO.funtrips.userId : undefined),
    campaignId: block?.campaignId,
    guesses,
  }
}
