// Fixed demo credentials and URL layout of the `local` environment: the emulator serves them and
// production code (`--env local`) fills in defaults from them, so neither imports the other. Kept
// free of heavy imports on purpose: `ftauth --env local` imports this module just for defaults.
import {Buffer} from 'node:buffer'

const FLUZ_APP_ID = 'demo_app'
const FLUZ_APP_SECRET = 'demo_app_secret'

export const DEMO = {
  // userId: the session's external_user_id for `--env local` only (the emulator requires one, as Funtrips does).
  funtrips: {clientId: 'ft_demo_client', clientSecret: 'ft_demo_secret_5f2c9a', userId: 'demo.user@example.com'},
  fluz: {
    // Fluz sends the base64 of `app_id:app_secret` as is (`Authorization: Basic <apiKey>`).
    apiKey: Buffer.from(`${FLUZ_APP_ID}:${FLUZ_APP_SECRET}`, 'utf8').toString('base64'),
    userId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
    accountId: 'a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d',
    seatId: '0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a',
  },
  shuttle: {clientId: 'sh_demo_client', clientSecret: 'sh_demo_secret_81d7e3', scope: 'read write'},
} as const

export const DEFAULT_EMULATOR_PORT = 7787

/** The redirect the demo Shuttle client has registered unless told otherwise: ftauth's fixed default. */
export const DEFAULT_SHUTTLE_REDIRECT = 'http://127.0.0.1:8765/callback'

export interface EmulatorUrls {
  funtrips: string
  fluz: string
  fluzSandbox: string
  fluzProduction: string
  shuttleAuth: string
  shuttleApi: string
  jwks: string
  admin: string
}

export function emulatorUrls(baseUrl: string): EmulatorUrls {
  const base = baseUrl.replace(/\/+$/, '')
  return {
    funtrips: `${base}/funtrips`,
    fluz: `${base}/fluz/api/v1/graphql`,
    fluzSandbox: `${base}/fluz/sandbox/api/v1/graphql`,
    fluzProduction: `${base}/fluz/production/api/v1/graphql`,
    shuttleAuth: `${base}/shuttle`,
    shuttleApi: `${base}/shuttle/c/api`,
    jwks: `${base}/.well-known/jwks.json`,
    admin: `${base}/__admin`,
  }
}
