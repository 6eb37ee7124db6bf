// Validates EmulatorOptions once, at start-up, and fills in the defaults.
import * as z from '../core/zod.js'
import {DEFAULT_SHUTTLE_REDIRECT, DEMO} from '../local-demo/credentials.js'
import type {EmulatorOptions, FluzEnv, FuntripsExchangeField, FuntripsExchangePath} from './types.js'

const optionsSchema = z.strictObject({
  host: z.optional(z.string().check(z.minLength(1))),
  port: z.optional(z.int().check(z.gte(0), z.lte(65535))),
  tokenTtlSeconds: z.optional(z.int().check(z.positive())),
  codeTtlSeconds: z.optional(z.int().check(z.positive())),
  fluzEnv: z.optional(z.enum(['sandbox', 'production'])),
  autoApprove: z.optional(z.boolean()),
  // Restricted so a marker can sit inside codes and URLs without escaping.
  secretMarker: z.optional(z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and dashes only'))),
  funtripsExchangePaths: z.optional(z.array(z.enum(['session', 'oauth']))),
  funtripsExchangeField: z.optional(z.enum(['session_code', 'code'])),
  shuttleRotateRefresh: z.optional(z.boolean()),
  fluzRotateRefresh: z.optional(z.boolean()),
  fluzScopesField: z.optional(z.enum(['getApplicationScopes', 'getApplicationScope'])),
  fluzScopesShape: z.optional(z.enum(['strings', 'objects'])),
  shuttleRedirects: z.optional(z.array(z.url())),
  shuttleLoopbackAnyPort: z.optional(z.boolean()),
  demoSecrets: z.optional(
    z.strictObject({
      funtripsClientSecret: z.optional(z.string().check(z.minLength(1))),
      fluzApiKey: z.optional(z.string().check(z.minLength(1))),
      shuttleClientSecret: z.optional(z.string().check(z.minLength(1))),
    }),
  ),
})

export interface ResolvedOptions {
  host: string
  port: number
  tokenTtlSeconds: number | undefined
  codeTtlSeconds: number | undefined
  fluzEnv: FluzEnv
  autoApprove: boolean
  secretMarker: string | undefined
  funtripsExchangePaths: ReadonlySet<FuntripsExchangePath>
  funtripsExchangeField: FuntripsExchangeField | undefined
  shuttleRotateRefresh: boolean
  fluzRotateRefresh: boolean
  fluzScopesField: 'getApplicationScopes' | 'getApplicationScope'
  fluzScopesShape: 'strings' | 'objects'
  shuttleRedirects: readonly string[]
  shuttleLoopbackAnyPort: boolean
  /** What the demo clients authenticate with (the published demo secrets unless overridden). */
  secrets: {funtripsClientSecret: string; fluzApiKey: string; shuttleClientSecret: string}
}

export function resolveOptions(input: EmulatorOptions = {}): ResolvedOptions {
  const parsed = optionsSchema.safeParse(input)
  if (!parsed.success) {
    throw new TypeError(`Invalid emulator options: ${z.prettifyError(parsed.error)}`)
  }
  const o = parsed.data
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    tokenTtlSeconds: o.tokenTtlSeconds,
    codeTtlSeconds: o.codeTtlSeconds,
    fluzEnv: o.fluzEnv ?? 'sandbox',
    autoApprove: o.autoApprove ?? false,
    secretMarker: o.secretMarker,
    funtripsExchangePaths: new Set(o.funtripsExchangePaths ?? ['session', 'oauth']),
    funtripsExchangeField: o.funtripsExchangeField,
    shuttleRotateRefresh: o.shuttleRotateRefresh ?? false,
    fluzRotateRefresh: o.fluzRotateRefresh ?? true,
    fluzScopesField: o.fluzScopesField ?? 'getApplicationScopes',
    fluzScopesShape: o.fluzScopesShape ?? 'strings',
    shuttleRedirects: o.shuttleRedirects ?? [DEFAULT_SHUTTLE_REDIRECT],
    shuttleLoopbackAnyPort: o.shuttleLoopbackAnyPort ?? false,
    secrets: {
      funtripsClientSecret: o.demoSecrets?.funtripsClientSecret ?? DEMO.funtrips.clientSecret,
      fluzApiKey: o.demoSecrets?.fluzApiKey ?? DEMO.fluz.apiKey,
      shuttleClientSecret: o.demoSecrets?.shuttleClientSecret ?? DEMO.shuttle.clientSecret,
    },
  }
}
