// Funtrips content and commerce API called with the public bearer (plus one backend-bearer
// admin endpoint). State is in memory, per emulator; checkouts belong to the bearer's subject.
import {Buffer} from 'node:buffer'
import * as z from '../core/zod.js'
import type {EmulatorContext} from './context.js'
import {FUNTRIPS_PREFIX, PROBLEM, badRequest, notFoundProblem, requireBearer, type FuntripsClaims} from './funtrips-common.js'
import {MERCHANTS, PRODUCTS, WALLET_BALANCE, WALLET_TRANSACTIONS} from './funtrips-data.js'
import {json, readJson, type EmuRequest, type EmuResponse} from './http.js'
import {route, type Route} from './router.js'
import {randomId} from './secrets.js'

/** Polls answered 202 before a checkout is fulfilled. */
const PENDING_POLLS = 2

interface Ticket {
  id: string
  product_id: string
  barcode: string
}

interface Checkout {
  id: string
  owner: string
  merchant_id: string
  product_id: string
  quantity: number
  total: {amount: number; currency: string}
  status: 'pending' | 'fulfilled'
  created_at: string
  polls: number
  tickets: Ticket[]
  fulfilled_at: string | undefined
}

const checkoutBody = z.object({
  product_id: z.string().check(z.minLength(1)),
  quantity: z._default(z.int().check(z.gte(1), z.lte(10)), 1),
})

const transactionsQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  next_token: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]+$/))),
})

function validationProblem(error: z.core.$ZodError): EmuResponse {
  return badRequest(PROBLEM.validation, 'Validation failed', z.prettifyError(error), {
    errors: error.issues.map((i) => ({field: i.path.join('.'), message: i.message})),
  })
}

function publicCheckout(c: Checkout) {
  return {
    id: c.id,
    status: c.status,
    merchant_id: c.merchant_id,
    product_id: c.product_id,
    quantity: c.quantity,
    total: c.total,
    created_at: c.created_at,
  }
}

function fulfillment(c: Checkout) {
  return {checkout_id: c.id, status: 'fulfilled' as const, merchant_id: c.merchant_id, fulfilled_at: c.fulfilled_at, tickets: c.tickets}
}

export function funtripsContentRoutes(ctx: EmulatorContext): Route[] {
  const checkouts = new Map<string, Checkout>()
  const now = () => new Date(ctx.clock.nowMs()).toISOString()

  /** Wraps a handler that needs a public bearer. */
  const withPublic =
    (fn: (req: EmuRequest, claims: FuntripsClaims) => EmuResponse) =>
    async (req: EmuRequest): Promise<EmuResponse> => {
      const auth = await requireBearer(ctx, req, 'public')
      return auth.ok ? fn(req, auth.claims) : auth.response
    }

  const merchantOr404 = (id: string | undefined) => MERCHANTS.find((m) => m.id === id)

  function createCheckout(req: EmuRequest, claims: FuntripsClaims): EmuResponse {
    const merchant = merchantOr404(req.params.merchant)
    if (!merchant) return notFoundProblem(`Unknown merchant "${req.params.merchant ?? ''}"`)
    const raw = readJson(req)
    if (!raw.ok) return badRequest(PROBLEM.invalidRequest, 'Invalid request body', raw.message)
    const body = checkoutBody.safeParse(raw.value)
    if (!body.success) return validationProblem(body.error)
    const product = PRODUCTS.find((p) => p.id === body.data.product_id && p.merchant_id === merchant.id)
    if (!product) {
      return badRequest(PROBLEM.validation, 'Validation failed', `Product "${body.data.product_id}" is not sold by ${merchant.id}`, {
        errors: [{field: 'product_id', message: 'unknown product for this merchant'}],
      })
    }
    const c: Checkout = {
      id: randomId('chk'),
      owner: claims.sub,
      merchant_id: merchant.id,
      product_id: product.id,
      quantity: body.data.quantity,
      total: {amount: product.price.amount * body.data.quantity, currency: product.price.currency},
      status: 'pending',
      created_at: now(),
      polls: 0,
      tickets: [],
      fulfilled_at: undefined,
    }
    checkouts.set(c.id, c)
    return json(201, publicCheckout(c), {Location: `${ctx.baseUrl()}${FUNTRIPS_PREFIX}/v1/checkouts/${c.id}/fulfillment`})
  }

  function pollFulfillment(req: EmuRequest, claims: FuntripsClaims): EmuResponse {
    const c = checkouts.get(req.params.id ?? '')
    if (!c || c.owner !== claims.sub) return notFoundProblem(`Unknown checkout "${req.params.id ?? ''}"`)
    if (c.status === 'pending') {
      c.polls += 1
      if (c.polls <= PENDING_POLLS) return json(202, {checkout_id: c.id, status: 'pending'}, {'Retry-After': '1'})
      c.status = 'fulfilled'
      c.fulfilled_at = now()
      c.tickets = Array.from({length: c.quantity}, () => ({
        id: randomId('tkt'),
        product_id: c.product_id,
        barcode: randomId('QU', 6).toUpperCase(),
      }))
    }
    return json(200, fulfillment(c))
  }

  function transactions(req: EmuRequest): EmuResponse {
    const q = transactionsQuery.safeParse({
      limit: req.query.get('limit') ?? undefined,
      next_token: req.query.get('next_token') ?? undefined,
    })
    if (!q.success) return validationProblem(q.error)
    // next_token is an opaque cursor: base64url of the offset.
    const offset = q.data.next_token === undefined ? 0 : Number(Buffer.from(q.data.next_token, 'base64url').toString('utf8'))
    if (!Number.isInteger(offset) || offset < 0 || offset > WALLET_TRANSACTIONS.length) {
      return badRequest(PROBLEM.validation, 'Validation failed', 'next_token is not a valid cursor', {
        errors: [{field: 'next_token', message: 'invalid cursor'}],
      })
    }
    const end = offset + q.data.limit
    const next = end < WALLET_TRANSACTIONS.length ? Buffer.from(String(end), 'utf8').toString('base64url') : null
    return json(200, {data: WALLET_TRANSACTIONS.slice(offset, end), pagination: {limit: q.data.limit, next_token: next}})
  }

  const v1 = `${FUNTRIPS_PREFIX}/v1`
  return [
    route(
      'GET',
      `${v1}/merchants`,
      withPublic(() => json(200, {data: MERCHANTS})),
    ),
    route(
      'GET',
      `${v1}/merchants/:merchant/products`,
      withPublic((req) => {
        const merchant = merchantOr404(req.params.merchant)
        if (!merchant) return notFoundProblem(`Unknown merchant "${req.params.merchant ?? ''}"`)
        return json(200, {data: PRODUCTS.filter((p) => p.merchant_id === merchant.id)})
      }),
    ),
    route('POST', `${v1}/merchants/:merchant/checkouts`, withPublic(createCheckout)),
    route('GET', `${v1}/checkouts/:id/fulfillment`, withPublic(pollFulfillment)),
    route(
      'GET',
      `${v1}/me/fulfillments`,
      withPublic((_req, claims) =>
        json(200, {data: [...checkouts.values()].filter((c) => c.owner === claims.sub && c.status === 'fulfilled').map(fulfillment)}),
      ),
    ),
    route(
      'GET',
      `${v1}/wallet/me/balance`,
      withPublic(() => json(200, {balance: WALLET_BALANCE, updated_at: now()})),
    ),
    route('GET', `${v1}/wallet/me/transactions`, withPublic(transactions)),
    route('GET', `${v1}/admin/fulfillments`, async (req) => {
      const auth = await requireBearer(ctx, req, 'backend', 'admin:read')
      if (!auth.ok) return auth.response
      const all = [...checkouts.values()].filter((c) => c.status === 'fulfilled')
      return json(200, {data: all.map((c) => ({...fulfillment(c), user: c.owner}))})
    }),
  ]
}
