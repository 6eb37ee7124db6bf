import type {ProviderModule} from '../../core/provider-module.js'
import {FUNTRIPS_ENV_OVERRIDES, FUNTRIPS_SECRET, funtripsProfileSchema, resolveFuntrips, type FuntripsProfile, type FuntripsSettings} from './settings.js'

declare module '../../core/provider-module.js' {
  interface ProviderSettingsMap {
    funtrips: FuntripsSettings
  }
  interface ProviderProfileMap {
    funtrips: FuntripsProfile
  }
}

/** Everything ftauth knows about Funtrips, for core and the generic commands (docs/architecture.md). */
export const funtrips: ProviderModule<'funtrips'> = {
  name: 'funtrips',
  title: 'Funtrips',
  defaultEnv: 'sandbox',
  profileSchema: funtripsProfileSchema,
  identityFields: ['clientId'],
  envOverrides: FUNTRIPS_ENV_OVERRIDES,
  secret: FUNTRIPS_SECRET,
  resolve: resolveFuntrips,
  tokens: {
    source: async (as) => {
      const sources = await import('./token-source.js')
      return as === 'backend' ? sources.funtripsBackendTokenSource : sources.funtripsPublicTokenSource
    },
    hasBackendTokens: true,
    obtainCommand: 'session create --headless --exchange',
    renewCommand: (entry) =>
      // A backend bearer is fetched again by the next command that needs one; --fresh forces it now.
      entry.meta.kind === 'backend' || entry.key.startsWith('backend.') ? 'session create --headless --fresh' : 'session create --headless --exchange',
    issuerWords: ['funtrips', 'queueup'],
  },
  doctor: {
    endpointFields: ['authUrl', 'apiUrl'],
    guessKeys: ['funtrips.stage'],
    missingIdentity: (settings) => (settings.clientId ? undefined : 'no Funtrips client id configured'),
    verifyCredentials: async (deps, secret) => (await import('./doctor.js')).verifyFuntripsCredentials(deps, secret),
  },
}
