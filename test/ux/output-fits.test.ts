// What a person sees: human output of status, token inspect, token diff, session create and fluz
// token fits $COLUMNS, prints a short redacted token line, and one duration style everywhere.
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {stripVTControlCharacters} from 'node:util'

import {makeWorld, shuttleLogin, type World} from '../call/helpers.js'
import {runCliInProcess} from '../helpers/cli.js'

runCliInProcess()

vi.setConfig({testTimeout: 180_000, hookTimeout: 180_000})

let world: World
beforeAll(async () => {
  world = await makeWorld()
})
afterAll(() => world?.close())

/** Every line of stdout and stderr, colour codes removed. */
function linesOf(result: {stdout: string; stderr: string}): string[] {
  return stripVTControlCharacters(`${result.stdout}\n${result.stderr}`).split('\n')
}

async function human(args: string[], columns: string | undefined) {
  const result = await world.run(args, {env: {COLUMNS: columns}})
  expect(result.code, result.stderr).toBe(0)
  return result
}

const COMMANDS: [string, string[]][] = [
  ['session create --exchange', ['session', 'create', '--headless', '--exchange']],
  ['session create', ['session', 'create', '--headless']],
  ['fluz token', ['fluz', 'token', '--scopes', 'LIST_OFFERS,PURCHASE_GIFTCARD']],
  ['status', ['status']],
  ['token inspect fluz', ['token', 'inspect', 'fluz']],
  ['token inspect funtrips', ['token', 'inspect', 'funtrips']],
  ['token inspect shuttle', ['token', 'inspect', 'shuttle']],
  ['token diff', ['token', 'diff', 'fluz', 'funtrips']],
]

describe('human output fits the terminal', () => {
  it.each([
    ['100', 100],
    [undefined, 80],
  ] as const)('COLUMNS=%s: every line of every command is at most %i wide', async (columns, width) => {
    await shuttleLogin(world)
    for (const [name, args] of COMMANDS) {
      const result = await human(args, columns)
      const long = linesOf(result).filter((line) => line.length > width)
      expect(long, `${name} at ${width} columns`).toEqual([])
    }
  })

  it('a redacted token is one short line: prefix, kind, length; never the header and payload', async () => {
    const quiet = await world.run(['fluz', 'token', '--scopes', 'LIST_OFFERS,PURCHASE_GIFTCARD', '-q'])
    const token = quiet.stdout.trim()
    const result = await human(['fluz', 'token', '--scopes', 'LIST_OFFERS,PURCHASE_GIFTCARD'], '100')
    const line = result.stdout.split('\n').find((row) => /^\s*token\s/.test(row)) ?? ''
    expect(line).toMatch(new RegExp(`^\\s*token\\s+${token.slice(0, 10)}… \\(JWT, ${token.length} chars, signature hidden; --show prints it\\)$`))
    expect(result.stdout).not.toContain(token.split('.')[1]!.slice(0, 20))
  })

  it('one duration style: no milliseconds in expiries, no rounded "60m"/"1h" beside "59m 59s", lifetimes in diff like inspect', async () => {
    const texts: string[] = []
    for (const [, args] of COMMANDS) {
      const result = await human(args, '100')
      texts.push(result.stdout, result.stderr)
    }
    const all = texts.join('\n')
    expect(all).not.toMatch(/\d{2}:\d{2}:\d{2}\.\d{3}Z/)
    // Each countdown is "in Xh Ym", "in Xm Ys" or "in Xs": a token with 59m 59s left never reads "60m" or "1h".
    expect(all).not.toMatch(/\b60m\b/)
    expect(all).toMatch(/expires in 59m 5\ds|in 59m 5\ds|in 1h\b/)
    const inspect = await human(['token', 'inspect', 'fluz'], '100')
    const lifetime = /lifetime\s+(\S+)/.exec(inspect.stdout)?.[1]
    expect(lifetime).toBe('10m')
    const diff = await human(['token', 'diff', 'fluz', 'funtrips'], '100')
    expect(diff.stdout).toMatch(/≠ lifetime\s+10m\s+1h$/m)
  })

  it('a token with long claims (a scope array, a long claim name, a long header) fits 100 columns in inspect and diff', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const scopes = Array.from({length: 14}, (_, at) => `SCOPE_NUMBER_${at}_OF_A_LONG_LIST`)
    const token = `${part({alg: 'RS256', typ: 'JWT', kid: 'k'.repeat(90)})}.${part({iss: 'https://issuer.example/fluz', scopes, [`custom_claim_${'n'.repeat(90)}`]: 'v'.repeat(150), aud: ['a'.repeat(60), 'b'.repeat(60)], exp: 2_000_000_000})}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`
    const other = join(await mkdtemp(join(tmpdir(), 'ftauth-fits-')), 'other.jwt')
    await writeFile(other, `${part({alg: 'RS256'})}.${part({iss: 'https://other.example', scopes: ['ONE']})}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`)
    for (const args of [
      ['token', 'inspect', '-'],
      ['token', 'diff', '-', `@${other}`],
    ]) {
      const result = await world.run(args, {env: {COLUMNS: '100'}, stdin: token})
      expect(result.code, result.stderr).toBe(0)
      const long = linesOf(result).filter((line) => line.length > 100)
      expect(long, args.join(' ')).toEqual([])
      // Cut, not lost: every scope is still there once the lines are joined.
      const joined = linesOf(result)
        .map((line) => line.trim())
        .join('')
      for (const scope of scopes) expect(joined).toContain(scope)
    }
  })

  it('token diff and status size their columns to content, not to cache keys', async () => {
    const diff = await human(['token', 'diff', 'fluz', 'fluz'], '200')
    const header = diff.stdout.split('\n')[0]!
    expect(header).toMatch(/^\s+A: stored fluz \(local\)\s+B: stored fluz \(local\)$/)
    // Column A is as wide as its widest value (a UUID subject, 36 chars) plus the gap, not 120.
    const aud = diff.stdout.split('\n').find((line) => line.slice(2).startsWith('aud ')) ?? ''
    expect(aud).toMatch(/^ {2}aud\s+fluz-api\s{2,40}fluz-api$/)
    const status = await human(['status'], '200')
    expect(status.stdout).not.toMatch(/no-seat|public\.local\.|oauth\.local/)
  })
})
