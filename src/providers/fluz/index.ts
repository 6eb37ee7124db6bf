import type {ProviderModule} from '../../core/provider-module.js'
import {FLUZ_ENV_OVERRIDES, FLUZ_SECRET, fluzProfileSchema, resolveFluz, type FluzProfile, type FluzSettings} from './settings.js'

declare module '../../core/provider-module.js' {
  interface ProviderSettingsMap {
    fluz: FluzSettings
  }
  interface ProviderProfileMap {
    fluz: FluzProfile
  }
}

/** Everything ftauth knows about Fluz, for core and the generic commands (docs/architecture.md). */
export const fluz: ProviderModule<'fluz'> = {
  name: 'fluz',
  title: 'Fluz',
  defaultEnv: 'sandbox',
  profileSchema: fluzProfileSchema,
  identityFields: ['userId', 'accountId', 'seatId'],
  envOverrides: FLUZ_ENV_OVERRIDES,
  secret: FLUZ_SECRET,
  resolve: resolveFluz,
  tokens: {
    source: async () => (await import('./token-source.js')).fluzTokenSource,
    hasBackendTokens: false,
    obtainCommand: 'fluz token',
    renewCommand: () => 'fluz token',
    issuerWords: ['fluz'],
  },
  doctor: {
    endpointFields: ['url'],
    guessKeys: [],
    missingIdentity: (settings) => (settings.userId && settings.accountId ? undefined : 'no Fluz user id and account id configured'),
    verifyCredentials: async (deps, secret) => (await import('./doctor.js')).verifyFluzCredentials(deps, secret),
  },
}
