import type {ProviderModule} from '../../core/provider-module.js'
import {SHUTTLE_ENV_OVERRIDES, SHUTTLE_SECRET, shuttleProfileSchema, resolveShuttle, type ShuttleProfile, type ShuttleSettings} from './settings.js'

declare module '../../core/provider-module.js' {
  interface ProviderSettingsMap {
    shuttle: ShuttleSettings
  }
  interface ProviderProfileMap {
    shuttle: ShuttleProfile
  }
}

/** Everything ftauth knows about Shuttle, for core and the generic commands (docs/architecture.md). */
export const shuttle: ProviderModule<'shuttle'> = {
  name: 'shuttle',
  title: 'Shuttle',
  // Shuttle advises live; the others start in sandbox.
  defaultEnv: 'production',
  profileSchema: shuttleProfileSchema,
  identityFields: ['clientId'],
  envOverrides: SHUTTLE_ENV_OVERRIDES,
  secret: SHUTTLE_SECRET,
  resolve: resolveShuttle,
  tokens: {
    source: async () => (await import('./token-source.js')).shuttleTokenSource,
    hasBackendTokens: false,
    obtainCommand: 'shuttle login',
    renewCommand: (entry) => (entry.hasRefreshToken ? 'shuttle refresh' : 'shuttle login'),
    issuerWords: ['shuttle'],
  },
  doctor: {
    endpointFields: ['authUrl', 'apiUrl'],
    guessKeys: [],
    missingIdentity: (settings) => (settings.clientId ? undefined : 'no Shuttle client id configured'),
    verifyCredentials: async (deps, secret) => (await import('./doctor.js')).verifyShuttleCredentials(deps, secret),
  },
}
