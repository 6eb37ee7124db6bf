// /__admin: control the emulator over HTTP (faults, clock, request log, issued secrets),
// for clients that run it out of process. These routes are never logged nor faulted.
import * as z from '../core/zod.js'
import type {Clock} from './clock.js'
import type {FaultStore} from './faults.js'
import {json, noContent, readJson, type EmuResponse} from './http.js'
import type {RequestLog} from './request-log.js'
import {route, type Route} from './router.js'
import type {SecretIssuer} from './secrets.js'

export const ADMIN_PREFIX = '/__admin'

const clockBody = z.strictObject({advanceSeconds: z.number()})

function badRequest(message: string): EmuResponse {
  return json(400, {error: 'invalid_request', message})
}

export function adminRoutes(deps: {faults: FaultStore; clock: Clock; log: RequestLog; secrets: SecretIssuer}): Route[] {
  const {faults, clock, log, secrets} = deps
  const clockState = () => json(200, {now: new Date(clock.nowMs()).toISOString(), offsetSeconds: clock.offsetSeconds()})
  return [
    route('GET', `${ADMIN_PREFIX}/faults`, () => json(200, faults.list())),
    route('POST', `${ADMIN_PREFIX}/faults`, (req) => {
      const raw = readJson(req)
      if (!raw.ok) return badRequest(raw.message)
      try {
        return json(201, faults.add(raw.value))
      } catch (err) {
        return badRequest(err instanceof Error ? err.message : String(err))
      }
    }),
    route('DELETE', `${ADMIN_PREFIX}/faults`, () => {
      faults.clear()
      return noContent()
    }),
    route('GET', `${ADMIN_PREFIX}/clock`, clockState),
    route('POST', `${ADMIN_PREFIX}/clock`, (req) => {
      const raw = readJson(req)
      if (!raw.ok) return badRequest(raw.message)
      const body = clockBody.safeParse(raw.value)
      if (!body.success) return badRequest(z.prettifyError(body.error))
      clock.advance(body.data.advanceSeconds)
      return clockState()
    }),
    route('GET', `${ADMIN_PREFIX}/requests`, () => json(200, log.all())),
    route('DELETE', `${ADMIN_PREFIX}/requests`, () => {
      log.clear()
      return noContent()
    }),
    route('GET', `${ADMIN_PREFIX}/secrets`, () => json(200, secrets.all())),
  ]
}
