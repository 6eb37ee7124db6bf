import {providerModule, type ProviderName} from '../core/provider-module.js'

/** A provider's name as people write it (its module's title). */
export function title(provider: ProviderName): string {
  return providerModule(provider).title
}
