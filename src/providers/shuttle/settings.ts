import {ENVIRONMENTS, httpUrl, perEnvironment, type EnvName} from '../../core/config.js'
import type {ResolveContext} from '../../core/provider-module.js'
import * as z from '../../core/zod.js'
import {DEMO, emulatorUrls} from '../../local-demo/credentials.js'

/** Built-in hosts per environment: live is documented, the sandbox OAuth host is a guess. */
export const SHUTTLE_BUILTIN_URLS = {
  sandbox: {authUrl: 'https://merchant.shuttlestaging.com', apiUrl: 'https://app.shuttlestaging.com/c/api'},
  production: {authUrl: 'https://merchant.shuttleglobal.com', apiUrl: 'https://app.shuttleglobal.com/c/api'},
} as const

export const SHUTTLE_ENV_OVERRIDES = {
  clientId: 'FTAUTH_SHUTTLE_CLIENT_ID',
  authUrl: 'FTAUTH_SHUTTLE_AUTH_URL',
  apiUrl: 'FTAUTH_SHUTTLE_API_URL',
} as const

export const SHUTTLE_SECRET = {name: 'client_secret', envVar: 'FTAUTH_SHUTTLE_CLIENT_SECRET', localDemo: DEMO.shuttle.clientSecret} as const

/** The `shuttle` block of a profile in config.json (built when the config is first read). */
export function shuttleProfileSchema() {
  const url = httpUrl()
  /** Shuttle has separate sandbox and live clients: identities belong to an environment. */
  const ids = z.strictObject({clientId: z.optional(z.string().check(z.minLength(1)))})
  return z.strictObject({
    env: z.optional(z.enum(ENVIRONMENTS)),
    redirectUri: z.optional(url),
    scope: z.optional(z.string()),
    ids: z.optional(perEnvironment(ids)),
    urls: z.optional(perEnvironment(z.strictObject({authUrl: z.optional(url), apiUrl: z.optional(url)}))),
  })
}
export type ShuttleProfile = z.infer<ReturnType<typeof shuttleProfileSchema>>

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

export function resolveShuttle({env, block, override, localUrl, trimUrl}: ResolveContext<ShuttleProfile>): ShuttleSettings {
  const base = env === 'local' ? {authUrl: emulatorUrls(localUrl).shuttleAuth, apiUrl: emulatorUrls(localUrl).shuttleApi} : SHUTTLE_BUILTIN_URLS[env]
  const urls = block?.urls?.[env]
  const ids = block?.ids?.[env]
  const authUrl = override('authUrl') || urls?.authUrl
  return {
    provider: 'shuttle',
    env,
    authUrl: trimUrl(authUrl || base.authUrl),
    apiUrl: trimUrl(override('apiUrl') || urls?.apiUrl || base.apiUrl),
    clientId: override('clientId') || ids?.clientId || (env === 'local' ? DEMO.shuttle.clientId : undefined),
    redirectUri: block?.redirectUri,
    scope: block?.scope,
    guesses: env === 'sandbox' && !authUrl ? [`sandbox OAuth host ${base.authUrl}`] : [],
  }
}
