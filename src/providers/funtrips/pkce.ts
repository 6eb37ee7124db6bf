import {createHash} from 'node:crypto'
import * as z from '../../core/zod.js'

import type {Deps} from '../../core/deps.js'
import type {EnvName} from '../../core/config.js'

const StoredVerifier = z.object({verifier: z.string().check(z.minLength(43), z.maxLength(128)), codeExpiresAt: z.iso.datetime()})

const PREFIX = 'pkce.'

/**
 * Keychain entry name for the verifier of one session code. Entry names are listed in the clear
 * (keychain browsers, `ftauth status`), so they carry a hash of the code, never the code itself.
 */
function verifierName(env: EnvName, code: string): string {
  return `${PREFIX}${env}.${createHash('sha256').update(code).digest('hex').slice(0, 32)}`
}

/** Keeps the verifier for `ftauth session exchange`; verifiers of expired codes are pruned first. */
export async function storeVerifier(deps: Deps, env: EnvName, code: string, verifier: string, codeExpiresAt: Date): Promise<void> {
  await pruneVerifiers(deps)
  await deps.store.set('funtrips', verifierName(env, code), JSON.stringify({verifier, codeExpiresAt: codeExpiresAt.toISOString()}))
}

export async function findVerifier(deps: Deps, env: EnvName, code: string): Promise<string | undefined> {
  const raw = await deps.store.get('funtrips', verifierName(env, code))
  const parsed = raw === null ? undefined : StoredVerifier.safeParse(parseJson(raw))
  if (!parsed?.success) return undefined
  deps.secrets.add(parsed.data.verifier)
  return parsed.data.verifier
}

/** Once the code is spent (or rejected as expired or used) its verifier is worthless: remove it. */
export async function forgetVerifier(deps: Deps, env: EnvName, code: string): Promise<void> {
  await deps.store.delete('funtrips', verifierName(env, code))
}

/** Drops verifiers of codes that expired more than a day ago (codes live minutes; never exchanged ones pile up otherwise). */
async function pruneVerifiers(deps: Deps): Promise<void> {
  const prefix = deps.store.account('funtrips', PREFIX)
  const cutoff = deps.now().getTime() - 86_400_000
  for (const account of await deps.store.accounts('funtrips')) {
    if (!account.startsWith(prefix)) continue
    const name = account.slice(deps.store.account('funtrips', '').length)
    const parsed = StoredVerifier.safeParse(parseJson((await deps.store.get('funtrips', name)) ?? ''))
    if (!parsed.success || new Date(parsed.data.codeExpiresAt).getTime() < cutoff) await deps.store.delete('funtrips', name)
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
