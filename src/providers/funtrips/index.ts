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
}
