// Tokens for the `ftauth token` tests, obtained from the emulator the way a user would get them.
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {expect} from 'vitest'

import {JWT, type World} from '../call/helpers.js'

/** `ftauth fluz token -q` against one of the emulator's Fluz environments; returns the token. */
export async function fluzToken(world: World, env: 'sandbox' | 'production', scopes = 'LIST_OFFERS'): Promise<string> {
  const result = await world.run(['fluz', 'token', '--scopes', scopes, '-q'], {
    env: {FTAUTH_FLUZ_URL: `${world.emulator.url}/fluz/${env}/api/v1/graphql`},
  })
  expect(result.code, result.stderr).toBe(0)
  const token = result.stdout.trim()
  expect(token).toMatch(JWT)
  return token
}

/** Writes a token (with a trailing newline, as `-q > file` leaves it) into the world's scratch dir. */
export async function tokenFile(world: World, name: string, token: string): Promise<string> {
  const path = join(world.scratch, name)
  await writeFile(path, `${token}\n`)
  return path
}

/** The same JWT with one claim changed and the original signature kept. */
export function tamper(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const claims = {...(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>), ...change}
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.')
}
