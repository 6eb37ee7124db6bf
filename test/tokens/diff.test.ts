// `ftauth token diff` end to end: a sandbox and a production Fluz token from the emulator, saved with
// `-q` into files, compared side by side (human, --json, -q).
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {makeWorld, type World} from '../call/helpers.js'
import {fluzToken, tokenFile} from './helpers.js'
import {runCliInProcess} from '../helpers/cli.js'

runCliInProcess()

// Each test runs several CLI processes against one shared Secret Service: allow for a loaded machine.
vi.setConfig({testTimeout: 180_000, hookTimeout: 120_000})

let world: World
let sandboxToken: string
let productionToken: string
let a: string
let b: string

beforeEach(async () => {
  world = await makeWorld()
  sandboxToken = await fluzToken(world, 'sandbox', 'LIST_OFFERS')
  productionToken = await fluzToken(world, 'production', 'LIST_OFFERS,LIST_PURCHASES')
  a = await tokenFile(world, 'sandbox.jwt', sandboxToken)
  b = await tokenFile(world, 'production.jwt', productionToken)
})
afterEach(() => world.close())

interface DiffJson {
  a: {origin: string; kind: string; lifetimeSeconds: number; environment: {verdict: string}; scopes: string[]}
  b: {origin: string; kind: string; lifetimeSeconds: number; environment: {verdict: string}; scopes: string[]}
  differences: {claim: string; a: unknown; b: unknown}[]
}

describe('ftauth token diff', () => {
  it('shows the two side by side, marking environment, issuer, scopes and lifetime (10m vs 3m) as different', async () => {
    const result = await world.run(['token', 'diff', `@${a}`, `@${b}`], {env: {COLUMNS: '200'}})
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toMatch(new RegExp(`A: @${a}\\s+B: @${b}`))
    const row = (claim: string) => lines.find((line) => line.slice(2).startsWith(`${claim} `)) ?? ''
    expect(row('environment')).toMatch(/^≠ environment\s+sandbox\s+production$/)
    expect(row('iss')).toMatch(new RegExp(`^≠ iss\\s+${world.emulator.url}/fluz/sandbox\\s+${world.emulator.url}/fluz/production$`))
    expect(row('scopes')).toMatch(/^≠ scopes\s+LIST_OFFERS\s+LIST_OFFERS LIST_PURCHASES$/)
    expect(row('lifetime')).toMatch(/^≠ lifetime\s+10m\s+3m$/)
    expect(row('aud')).toMatch(/^ {2}aud\s+fluz-api\s+fluz-api$/) // same: no mark
    expect(row('sub')).toMatch(/^ {2}sub\s/)
    expect(result.stdout).toMatch(/\n\d+ claims differ: environment, iss, scopes, lifetime, /)
    expect(result.stdout + result.stderr).not.toContain(sandboxToken)
    expect(result.stdout + result.stderr).not.toContain(productionToken)
  })

  it('--json has both reports and the differences, and no token', async () => {
    const result = await world.run(['token', 'diff', `@${a}`, `@${b}`, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const document = JSON.parse(result.stdout) as DiffJson
    expect(document.a).toMatchObject({origin: `@${a}`, kind: 'jwt', lifetimeSeconds: 600, environment: {verdict: 'sandbox'}, scopes: ['LIST_OFFERS']})
    expect(document.b).toMatchObject({origin: `@${b}`, kind: 'jwt', lifetimeSeconds: 180, environment: {verdict: 'production'}})
    const byClaim = Object.fromEntries(document.differences.map((difference) => [difference.claim, difference]))
    expect(byClaim.environment).toEqual({claim: 'environment', a: 'sandbox', b: 'production'})
    expect(byClaim.lifetime).toEqual({claim: 'lifetime', a: 600, b: 180})
    expect(byClaim.scopes).toEqual({claim: 'scopes', a: 'LIST_OFFERS', b: 'LIST_OFFERS LIST_PURCHASES'})
    expect(byClaim.iss).toEqual({claim: 'iss', a: `${world.emulator.url}/fluz/sandbox`, b: `${world.emulator.url}/fluz/production`})
    expect(byClaim.env).toEqual({claim: 'env', a: 'sandbox', b: 'production'})
    expect(byClaim).not.toHaveProperty('aud')
    expect(byClaim).not.toHaveProperty('sub')
    expect(document.differences.slice(0, 4).map((difference) => difference.claim)).toEqual(['environment', 'iss', 'scopes', 'lifetime'])
    expect(result.stdout).not.toContain(sandboxToken)
    expect(result.stdout).not.toContain(productionToken)
  })

  it('-q prints the names of the differing claims, one a line', async () => {
    const result = await world.run(['token', 'diff', `@${a}`, `@${b}`, '-q'])
    expect(result.code).toBe(0)
    const names = result.stdout.trim().split('\n')
    expect(names.slice(0, 4)).toEqual(['environment', 'iss', 'scopes', 'lifetime'])
    expect(names).toContain('env')
    expect(names).not.toContain('aud')
  })

  it('takes one token from stdin; a token against itself has no differences', async () => {
    const mixed = await world.run(['token', 'diff', '-', `@${b}`, '--json'], {stdin: sandboxToken})
    expect(mixed.code, mixed.stderr).toBe(0)
    expect((JSON.parse(mixed.stdout) as DiffJson).a.origin).toBe('stdin')

    const same = await world.run(['token', 'diff', `@${a}`, `@${a}`])
    expect(same.code).toBe(0)
    expect(same.stdout).toContain('The tokens carry the same claims.')
    expect(same.stdout).not.toContain('≠')
  })

  it('refuses two stdin tokens and argv tokens (exit 2)', async () => {
    const twice = await world.run(['token', 'diff', '-', '-'], {stdin: sandboxToken})
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain('only one token can come from stdin')
    const argv = await world.run(['token', 'diff', sandboxToken, `@${b}`])
    expect(argv.code).toBe(2)
    expect(argv.stderr).toContain('tokens are not accepted as arguments')
    expect(argv.stderr).not.toContain(sandboxToken)
  })
})
