// Shuttle merchant API with a bearer: payment links. The token names the instance, so there
// is no /instances/{id} in the path; each instance has its own in-memory store.
import * as z from '../core/zod.js'
import type {EmulatorContext} from './context.js'
import {json, noContent, readJson, type EmuRequest, type EmuResponse} from './http.js'
import {route, type Route} from './router.js'
import {randomId} from './secrets.js'
import {SHUTTLE_PREFIX, type ShuttleAccess, type ShuttleState} from './shuttle-state.js'

interface PaymentLink {
  id: string
  amount: number
  currency: string
  description: string | null
  reference: string | null
  status: 'active' | 'inactive'
  created_at: string
  updated_at: string
}

const linkFields = {
  amount: z.int().check(z.positive(), z.lte(1_000_000_000)),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. GBP')),
  description: z.nullable(z.string().check(z.maxLength(500))),
  reference: z.nullable(z.string().check(z.maxLength(100))),
}
const createBody = z.strictObject({
  amount: linkFields.amount,
  currency: linkFields.currency,
  description: z.optional(linkFields.description),
  reference: z.optional(linkFields.reference),
})
const updateBody = z
  .partial(z.strictObject({...linkFields, status: z.enum(['active', 'inactive'])}))
  .check(z.refine((b) => Object.keys(b).length > 0, 'at least one field is required'))

function seed(): Map<string, PaymentLink> {
  const at = '2025-01-15T10:00:00.000Z'
  const links: PaymentLink[] = [
    {
      id: 'pl_seed_deposit',
      amount: 50000,
      currency: 'GBP',
      description: 'Deposit – Villa Aurora',
      reference: 'BK-1041',
      status: 'active',
      created_at: at,
      updated_at: at,
    },
    {
      id: 'pl_seed_balance',
      amount: 125000,
      currency: 'GBP',
      description: 'Balance – Booking 1042',
      reference: 'BK-1042',
      status: 'inactive',
      created_at: at,
      updated_at: at,
    },
  ]
  return new Map(links.map((l) => [l.id, l]))
}

function invalidBody(error: z.core.$ZodError): EmuResponse {
  return json(400, {
    error: 'invalid_request',
    message: z.prettifyError(error),
    issues: error.issues.map((i) => ({field: i.path.join('.'), message: i.message})),
  })
}

export function shuttleApiRoutes(ctx: EmulatorContext, state: ShuttleState): Route[] {
  const stores = new Map<string, Map<string, PaymentLink>>()
  const storeOf = (instanceId: string) => {
    let s = stores.get(instanceId)
    if (!s) {
      s = seed()
      stores.set(instanceId, s)
    }
    return s
  }
  const now = () => new Date(ctx.clock.nowMs()).toISOString()

  /** Bearer + scope check; `read` for GET, `write` for changes. */
  const guarded =
    (scope: 'read' | 'write', fn: (req: EmuRequest, store: Map<string, PaymentLink>, access: ShuttleAccess) => EmuResponse) =>
    async (req: EmuRequest): Promise<EmuResponse> => {
      const check = await state.checkBearer(ctx, req)
      if (!check.ok) {
        return json(
          401,
          {error: 'invalid_token', error_description: check.reason},
          {
            'WWW-Authenticate': `Bearer realm="shuttle", error="invalid_token", error_description="${check.reason}"`,
          },
        )
      }
      if (!check.access.scopes.includes(scope)) {
        return json(
          403,
          {error: 'insufficient_scope', error_description: `This call needs the "${scope}" scope`},
          {
            'WWW-Authenticate': `Bearer realm="shuttle", error="insufficient_scope", scope="${scope}"`,
          },
        )
      }
      return fn(req, storeOf(check.access.instanceId), check.access)
    }

  const withLink =
    (fn: (req: EmuRequest, store: Map<string, PaymentLink>, link: PaymentLink) => EmuResponse) =>
    (req: EmuRequest, store: Map<string, PaymentLink>): EmuResponse => {
      const link = store.get(req.params.id ?? '')
      if (!link) return json(404, {error: 'not_found', message: `No payment link "${req.params.id ?? ''}"`})
      return fn(req, store, link)
    }

  const base = `${SHUTTLE_PREFIX}/c/api/payment_links`
  return [
    route(
      'GET',
      base,
      guarded('read', (_req, store) => json(200, {data: [...store.values()]})),
    ),
    route(
      'POST',
      base,
      guarded('write', (req, store) => {
        const raw = readJson(req)
        if (!raw.ok) return json(400, {error: 'invalid_request', message: raw.message})
        const body = createBody.safeParse(raw.value)
        if (!body.success) return invalidBody(body.error)
        const at = now()
        const link: PaymentLink = {
          id: randomId('pl'),
          amount: body.data.amount,
          currency: body.data.currency,
          description: body.data.description ?? null,
          reference: body.data.reference ?? null,
          status: 'active',
          created_at: at,
          updated_at: at,
        }
        store.set(link.id, link)
        return json(201, link, {Location: `${ctx.baseUrl()}${base}/${link.id}`})
      }),
    ),
    route(
      'GET',
      `${base}/:id`,
      guarded(
        'read',
        withLink((_req, _store, link) => json(200, link)),
      ),
    ),
    route(
      'PUT',
      `${base}/:id`,
      guarded(
        'write',
        withLink((req, store, link) => {
          const raw = readJson(req)
          if (!raw.ok) return json(400, {error: 'invalid_request', message: raw.message})
          const body = updateBody.safeParse(raw.value)
          if (!body.success) return invalidBody(body.error)
          const changes = Object.fromEntries(Object.entries(body.data).filter(([, v]) => v !== undefined)) as Partial<PaymentLink>
          const updated: PaymentLink = {...link, ...changes, updated_at: now()}
          store.set(link.id, updated)
          return json(200, updated)
        }),
      ),
    ),
    route(
      'DELETE',
      `${base}/:id`,
      guarded(
        'write',
        withLink((_req, store, link) => {
          store.delete(link.id)
          return noContent()
        }),
      ),
    ),
  ]
}
