import {registerProviders, type ProviderName} from '../core/provider-module.js'
import {fluz} from './fluz/index.js'
import {funtrips} from './funtrips/index.js'
import {shuttle} from './shuttle/index.js'

/**
 * The one list of providers: core iterates it (config schema, settings, secrets, status, doctor)
 * and never names one. Importing this module registers it; the entry points do so first.
 * A new provider is its folder under src/providers/ and one line here.
 */
export const PROVIDER_MODULES = [funtrips, fluz, shuttle] as const

registerProviders(PROVIDER_MODULES)

/** The provider names, for flag and argument choices. */
export const PROVIDERS: readonly ProviderName[] = PROVIDER_MODULES.map((module) => module.name)
