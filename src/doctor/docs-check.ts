import {providerModule, type ProviderName} from '../core/provider-module.js'
import type {ResolvedProfile} from '../core/profiles.js'
import type {ServerChoices} from '../core/token-cache.js'
import {check, type Check} from './check.js'

/**
 * Where the settings rest on a guess from the docs, and what the server accepted where the docs
 * contradict themselves. Guesses are a warning (they may be wrong for your account), never a failure.
 */
export function checkDocsGuesses(profile: ResolvedProfile, provider: ProviderName, choices: ServerChoices): Check {
  const {guesses, env} = profile[provider]
  const {title: name, doctor} = providerModule(provider)
  const learned = Object.entries(choices)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key} ${value}`)
  const parts = [
    ...(guesses.length ? [`built-in guesses: ${guesses.join('; ')}`] : []),
    ...(learned.length ? [`the server accepted ${learned.join(', ')}`] : []),
  ]
  const title = `${name} settings from the docs (${env})`
  if (guesses.length === 0) return check(`docs.${provider}`, title, 'pass', parts.join('; ') || 'no built-in guesses in use')
  return check(`docs.${provider}`, title, 'warn', parts.join('; '), {
    fix: `confirm them with ${name} and set what differs with \`ftauth config set ${provider}.urls.${env}.…\`${doctor.guessKeys.map((key) => ` / ${key}`).join('')}`,
  })
}
