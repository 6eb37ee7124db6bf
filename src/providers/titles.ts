import type {ProviderName} from '../core/config.js'

/** A provider's name as people write it. Kept apart so `status` need not load the login flows. */
export function title(provider: ProviderName): string {
  return provider === 'funtrips' ? 'Funtrips' : provider === 'fluz' ? 'Fluz' : 'Shuttle'
}
