// Fluz transactional graph: GraphQL over POST, executed by graphql-js against fluz-schema.ts.
//
// Error conventions (following docs.fluz.app/docs/error-codes):
// - API key missing (on a Basic-auth operation) or invalid (on any request) → plain HTTP 401 JSON.
// - Unparseable body or GraphQL syntax error → HTTP 400 with top-level errors[].
// - Validation and variable errors (bad field, enum value, UUID) → HTTP 200 with top-level errors[].
// - Business failures → in-payload `{ success: false, error: { code, message } }`:
//     AUTH-0001 invalid account (unknown userId/accountId/seatId)
//     AUTH-0008 invalid user access (bearer missing/invalid/expired, refresh token unknown/used)
// - A scope the app or the token lacks, or an empty scope list: the docs name no code for it, so it
//   is a plain GraphQL error in errors[] (documented form), never an invented AUTH-* code.
// Inventions beyond the docs (listed in docs/providers.md): refresh-token rotation (fluzRotateRefresh),
// the ScopeType enum and the demo app's grants, the getApplicationScopes answer's name and shape.
import {execute, GraphQLError, parse, validate, type DocumentNode, type ExecutionResult} from 'graphql'
import * as z from '../core/zod.js'
import type {EmulatorContext} from './context.js'
import {DEMO} from '../local-demo/credentials.js'
import {buildFluzSchema, FLUZ_SCOPES, type FluzScope} from './fluz-schema.js'
import {bearerToken, header, json, readJson, type EmuRequest, type EmuResponse} from './http.js'
import {route, type Route} from './router.js'
import type {FluzEnv} from './types.js'

export const FLUZ_AUDIENCE = 'fluz-api'
const TOKEN_TTL: Record<FluzEnv, number> = {sandbox: 600, production: 180}

/** What the demo application holds: everything but the two scopes it was never granted. */
export const APP_SCOPES: readonly FluzScope[] = FLUZ_SCOPES.filter((s) => s !== 'MAKE_WIDTHDRAW' && s !== 'EDIT_VIRTUALCARD')

const OFFERS = [
  {offerId: '1b4e28ba-2fa1-4d3b-9a8e-0c1d2e3f4a5b', merchantName: 'Target', cashbackPercent: 2.5, denominations: [2500, 5000, 10000]},
  {offerId: '2c5f39cb-3ab2-4e4c-8b9f-1d2e3f4a5b6c', merchantName: 'Uber Eats', cashbackPercent: 4, denominations: [1500, 2500]},
  {offerId: '3d6a4adc-4bc3-4f5d-9caf-2e3f4a5b6c7d', merchantName: 'Home Depot', cashbackPercent: 3, denominations: [5000, 10000, 25000]},
]

const PURCHASES = [
  {purchaseId: '4e7b5bed-5cd4-4a6e-8dba-3f4a5b6c7d8e', merchantName: 'Target', amount: 2500, currency: 'USD', purchasedAt: '2025-03-01T12:00:00.000Z'},
  {purchaseId: '5f8c6cfe-6de5-4b7f-9ecb-4a5b6c7d8e9f', merchantName: 'Uber Eats', amount: 1500, currency: 'USD', purchasedAt: '2025-03-04T19:30:00.000Z'},
]

const requestBody = z.object({
  query: z.string().check(z.minLength(1)),
  variables: z.nullish(z.record(z.string(), z.unknown())),
  operationName: z.nullish(z.string()),
})

const generateArgs = z.object({
  userId: z.string(),
  accountId: z.string(),
  scopes: z.array(z.enum(FLUZ_SCOPES)),
  seatId: z.nullish(z.string()),
})
const refreshArgs = z.object({userId: z.string()})
const listArgs = z.object({first: z.nullish(z.int())})

interface FluzError {
  success: false
  error: {code: string; message: string}
}
const fail = (code: string, message: string): FluzError => ({success: false, error: {code, message}})

/** Thrown by Basic-auth resolvers; turned into a plain HTTP 401 after execution. */
class ApiKeyRequired extends Error {}

interface Grant {
  env: FluzEnv
  userId: string
  accountId: string
  seatId: string | undefined
  scopes: FluzScope[]
}

function unauthorized(): EmuResponse {
  return json(
    401,
    {error: 'unauthorized', message: 'Missing or invalid API key: send Authorization: Basic <api_key>'},
    {'WWW-Authenticate': 'Basic realm="fluz"'},
  )
}

export function fluzRoutes(ctx: EmulatorContext): Route[] {
  const schema = buildFluzSchema({scopesField: ctx.options.fluzScopesField, scopesShape: ctx.options.fluzScopesShape})
  const refreshTokens = new Map<string, Grant>()
  const issuer = (env: FluzEnv) => `${ctx.baseUrl()}/fluz/${env}`

  async function issue(grant: Grant, keepRefreshToken?: string) {
    const ttl = ctx.accessTtl(TOKEN_TTL[grant.env])
    const {token} = await ctx.issueJwt({
      issuer: issuer(grant.env),
      audience: FLUZ_AUDIENCE,
      subject: grant.userId,
      ttlSeconds: ttl,
      claims: {
        account_id: grant.accountId,
        ...(grant.seatId === undefined ? {} : {seat_id: grant.seatId}),
        scopes: grant.scopes,
        env: grant.env,
        app_id: 'demo_app',
      },
    })
    const refreshToken = keepRefreshToken ?? ctx.secrets.opaque('rt')
    refreshTokens.set(refreshToken, grant)
    return {success: true, error: null, accessToken: token, token, refreshToken, scopes: grant.scopes, expiresIn: ttl}
  }

  /** A live user access token of this env holding `scope`, or the in-payload error. */
  async function userAccess(env: FluzEnv, bearer: string | undefined, scope: FluzScope): Promise<FluzError | undefined> {
    if (bearer === undefined) return fail('AUTH-0008', 'Invalid user access: send Authorization: Bearer <user access token>')
    const v = await ctx.verifyJwt(bearer, {issuer: issuer(env), audience: FLUZ_AUDIENCE})
    if (!v.ok) {
      return fail('AUTH-0008', v.reason === 'expired' ? 'Invalid user access: token expired, refresh it' : 'Invalid user access')
    }
    const scopes = v.payload.scopes
    if (!Array.isArray(scopes) || !scopes.includes(scope)) throw new GraphQLError(`Scope ${scope} is not granted to this token`)
    return undefined
  }

  function rootValue(env: FluzEnv, hasApiKey: boolean, bearer: string | undefined) {
    const requireApiKey = () => {
      if (!hasApiKey) throw new ApiKeyRequired()
    }
    const limit = (first: number | null | undefined) => {
      if (first !== null && first !== undefined && (first < 1 || first > 100)) throw new GraphQLError('first must be between 1 and 100')
      return first ?? 100
    }
    return {
      marco: () => 'polo',
      [ctx.options.fluzScopesField]: () => {
        requireApiKey()
        return ctx.options.fluzScopesShape === 'objects' ? APP_SCOPES.map((scope) => ({scope, description: `${scope} (demo grant)`})) : APP_SCOPES
      },
      generateUserAccessToken: async (raw: unknown) => {
        requireApiKey()
        const a = generateArgs.parse(raw)
        if (a.userId !== DEMO.fluz.userId || a.accountId !== DEMO.fluz.accountId) {
          return fail('AUTH-0001', 'Invalid account: unknown userId or accountId')
        }
        if (a.seatId != null && a.seatId !== DEMO.fluz.seatId) return fail('AUTH-0001', 'Invalid account: unknown seatId')
        if (a.scopes.length === 0) throw new GraphQLError('At least one scope is required')
        const missing = a.scopes.filter((s) => !APP_SCOPES.includes(s))
        if (missing.length > 0) throw new GraphQLError(`Application scope not granted: ${missing.join(', ')}`)
        const scopes = [...new Set(a.scopes)]
        return issue({env, userId: a.userId, accountId: a.accountId, seatId: a.seatId ?? undefined, scopes})
      },
      refreshUserAccessToken: async (raw: unknown) => {
        requireApiKey()
        const refreshToken = refreshArgs.parse(raw).userId
        const grant = refreshTokens.get(refreshToken)
        if (!grant || grant.env !== env) return fail('AUTH-0008', 'Invalid user access')
        // Rotation (an invention: the docs do not say) makes the refresh token single-use; without
        // it the same refresh token comes back and stays valid.
        if (!ctx.options.fluzRotateRefresh) return issue(grant, refreshToken)
        refreshTokens.delete(refreshToken)
        return issue(grant)
      },
      offers: async (raw: unknown) => {
        const first = limit(listArgs.parse(raw).first)
        const denied = await userAccess(env, bearer, 'LIST_OFFERS')
        return denied ?? {success: true, error: null, totalCount: OFFERS.length, offers: OFFERS.slice(0, first)}
      },
      purchases: async (raw: unknown) => {
        const first = limit(listArgs.parse(raw).first)
        const denied = await userAccess(env, bearer, 'LIST_PURCHASES')
        return denied ?? {success: true, error: null, totalCount: PURCHASES.length, purchases: PURCHASES.slice(0, first)}
      },
    }
  }

  const handle =
    (envOf: () => FluzEnv) =>
    async (req: EmuRequest): Promise<EmuResponse> => {
      const env = envOf()
      const authz = header(req, 'authorization')
      const basic = authz === undefined ? undefined : /^Basic[ ]+(\S+)\s*$/i.exec(authz)?.[1]
      const bearer = bearerToken(req)
      // The API key is compared as sent: Fluz expects the base64 string itself, not re-encoded.
      if (authz !== undefined && bearer === undefined && basic !== ctx.options.secrets.fluzApiKey) return unauthorized()

      const raw = readJson(req)
      if (!raw.ok) return json(400, {errors: [{message: raw.message}]})
      const body = requestBody.safeParse(raw.value)
      if (!body.success) return json(400, {errors: [{message: `Invalid GraphQL request: ${z.prettifyError(body.error)}`}]})

      let document: DocumentNode
      try {
        document = parse(body.data.query)
      } catch (err) {
        if (err instanceof GraphQLError) return json(400, {errors: [err]})
        throw err
      }
      const validationErrors = validate(schema, document)
      if (validationErrors.length > 0) return json(200, {errors: validationErrors})

      const result: ExecutionResult = await execute({
        schema,
        document,
        rootValue: rootValue(env, basic !== undefined, bearer),
        variableValues: body.data.variables ?? undefined,
        operationName: body.data.operationName ?? undefined,
      })
      if (result.errors?.some((e) => e.originalError instanceof ApiKeyRequired)) return unauthorized()
      return json(200, result)
    }

  return [
    route(
      'POST',
      '/fluz/api/v1/graphql',
      handle(() => ctx.options.fluzEnv),
    ),
    route(
      'POST',
      '/fluz/sandbox/api/v1/graphql',
      handle(() => 'sandbox'),
    ),
    route(
      'POST',
      '/fluz/production/api/v1/graphql',
      handle(() => 'production'),
    ),
  ]
}
