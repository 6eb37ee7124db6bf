// Assembles the emulator: keys, clock, state and routes of the three providers, on one node:http server.
import {adminRoutes} from './admin.js'
import {createClock} from './clock.js'
import {createContext} from './context.js'
import {createFaultStore} from './faults.js'
import {fluzRoutes} from './fluz.js'
import {funtripsAuthRoutes} from './funtrips-auth.js'
import {funtripsContentRoutes} from './funtrips-content.js'
import {html, json} from './http.js'
import {indexPage} from './index-page.js'
import {createSigningKeys} from './keys.js'
import {resolveOptions} from './options.js'
import {createRequestLog} from './request-log.js'
import {createRouter, route, type Route} from './router.js'
import {createSecretIssuer} from './secrets.js'
import {startServer} from './server.js'
import {shuttleApiRoutes} from './shuttle-api.js'
import {shuttleRoutes} from './shuttle.js'
import type {Emulator, EmulatorOptions, Fault} from './types.js'

/** Where the JWKS is also published: under each provider's issuer. */
const JWKS_PREFIXES = ['', '/funtrips', '/fluz/sandbox', '/fluz/production', '/shuttle']

export async function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
  const opts = resolveOptions(options)
  const clock = createClock()
  const secrets = createSecretIssuer(opts.secretMarker)
  const keys = createSigningKeys()
  let baseUrl = ''
  const ctx = createContext({options: opts, clock, keys, secrets, baseUrl: () => baseUrl})
  const log = createRequestLog()
  const faults = createFaultStore()

  const shuttle = shuttleRoutes(ctx)
  const admin = adminRoutes({faults, clock, log, secrets})
  const providerRoutes: Route[] = [
    ...JWKS_PREFIXES.map((p) => route('GET', `${p}/.well-known/jwks.json`, async () => json(200, await keys.jwks(), {'Cache-Control': 'public, max-age=300'}))),
    ...funtripsAuthRoutes(ctx),
    ...funtripsContentRoutes(ctx),
    ...fluzRoutes(ctx),
    ...shuttle.routes,
    ...shuttleApiRoutes(ctx, shuttle.state),
  ]
  const home = route('GET', '/', () => html(200, indexPage(baseUrl, [...providerRoutes, ...admin])))

  const server = await startServer(
    {clock, log, faults, app: createRouter([home, ...providerRoutes]), admin: createRouter(admin)},
    {host: opts.host, port: opts.port},
  )
  baseUrl = server.url

  return {
    url: server.url,
    close: () => server.close(),
    requests: () => log.all(),
    clearRequests: () => log.clear(),
    inject: (fault: Fault) => {
      faults.add(fault)
    },
    advanceClock: (seconds: number) => clock.advance(seconds),
    issuedSecrets: () => secrets.all(),
  }
}
