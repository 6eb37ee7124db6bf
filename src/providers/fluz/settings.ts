import {ENVIRONMENTS, httpUrl, perEnvironment, type EnvName} from '../../core/config.js'
import type {ResolveContext} from '../../core/provider-module.js'
import * as z from '../../core/zod.js'
import {DEMO, emulatorUrls} from '../../local-demo/credentials.js'

/** The documented GraphQL endpoints per environment. */
export const FLUZ_BUILTIN_URLS = {
  sandbox: {url: 'https://transactional-graph.staging.fluzapp.com/api/v1/graphql'},
  production: {url: 'https://transactional-graph.fluzapp.com/api/v1/graphql'},
} as const

export const FLUZ_ENV_OVERRIDES = {
  url: 'FTAUTH_FLUZ_URL',
  userId: 'FTAUTH_FLUZ_USER_ID',
  accountId: 'FTAUTH_FLUZ_ACCOUNT_ID',
} as const

export const FLUZ_SECRET = {name: 'api_key', envVar: 'FTAUTH_FLUZ_API_KEY', localDemo: DEMO.fluz.apiKey} as const

/** The `fluz` block of a profile in config.json (built when the config is first read). */
export function fluzProfileSchema() {
  const url = httpUrl()
  const uuid = z.uuid()
  /** Fluz documents separate test users: identities belong to an environment. */
  const ids = z.strictObject({userId: z.optional(uuid), accountId: z.optional(uuid), seatId: z.optional(uuid)})
  return z.strictObject({
    env: z.optional(z.enum(ENVIRONMENTS)),
    scopes: z.optional(z.array(z.string().check(z.minLength(1)))),
    ids: z.optional(perEnvironment(ids)),
    urls: z.optional(perEnvironment(z.strictObject({url: z.optional(url)}))),
  })
}
export type FluzProfile = z.infer<ReturnType<typeof fluzProfileSchema>>

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

export function resolveFluz({env, block, override, localUrl, trimUrl}: ResolveContext<FluzProfile>): FluzSettings {
  const ids = block?.ids?.[env]
  const base = env === 'local' ? {url: emulatorUrls(localUrl).fluz} : FLUZ_BUILTIN_URLS[env]
  return {
    provider: 'fluz',
    env,
    url: trimUrl(override('url') || block?.urls?.[env]?.url || base.url),
    userId: override('userId') || ids?.userId || (env === 'local' ? DEMO.fluz.userId : undefined),
    accountId: override('accountId') || ids?.accountId || (env === 'local' ? DEMO.fluz.accountId : undefined),
    seatId: ids?.seatId,
    scopes: block?.scopes,
    guesses: [],
  }
}
