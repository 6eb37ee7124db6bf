// `ftauth call` request building and output, end to end against the emulator: -i, -d (string,
// @file, stdin), -f (query for GET, JSON body otherwise), -H, provider inference from a full URL,
// and the body printed byte-exact on a pipe but pretty and coloured on a terminal.
import {spawn} from 'node:child_process'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterEach, describe, expect, it, vi} from 'vitest'

import {BIN, runCliInProcess} from '../helpers/cli.js'
import {bearerOf, calls, configureFluzScopes, makeWorld, shuttleLogin, storedTokenValue, type World} from './helpers.js'

runCliInProcess()

// Each test runs several CLI processes against one shared Secret Service: allow for a loaded machine.
vi.setConfig({testTimeout: 180_000, hookTimeout: 120_000})

let world: World
afterEach(() => world?.close())

/** Every request except the token flow's: what the call itself sent. */
const apiRequests = (w: World) =>
  w.emulator.requests().filter((request) => !/\/(oauth\/token|v1\/session(\/token)?|token)$/.test(request.path) && !request.path.startsWith('/fluz/'))

describe('request input', () => {
  it('-i prints the status line and the response headers before the body', async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants', '-i'])
    expect(result.code, result.stderr).toBe(0)
    const [head, body] = result.stdout.split('\n\n')
    expect(head?.split('\n')[0]).toBe('HTTP 200')
    expect(head).toMatch(/\ncontent-type: application\/json; charset=utf-8(\n|$)/)
    expect(head).toMatch(/\ncontent-length: \d+(\n|$)/)
    expect(JSON.parse(body ?? '')).toHaveProperty('data')
  })

  it('-d @file sends the file as the body (JSON gets application/json); a missing file is exit 2 with no request', async () => {
    world = await makeWorld()
    const file = join(world.scratch, 'checkout.json')
    const text = '{\n  "product_id": "prd_museum_entry",\n  "quantity": 3\n}\n'
    await writeFile(file, text)
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants/mer_museum/checkouts', '-d', `@${file}`])
    expect(result.code, result.stdout + result.stderr).toBe(0)
    const [sent] = apiRequests(world)
    expect(sent).toMatchObject({method: 'POST', path: '/funtrips/v1/merchants/mer_museum/checkouts', body: text})
    expect(sent?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(result.stdout)).toMatchObject({status: 'pending', quantity: 3, total: {amount: 5250}})

    world.emulator.clearRequests()
    const missing = await world.run(['call', '--provider', 'funtrips', '/v1/merchants/mer_museum/checkouts', '-d', `@${join(world.scratch, 'nope.json')}`])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read the body file')
    expect(world.emulator.requests()).toEqual([])
  })

  it('-d - reads the body from stdin (with a single positional too); a -H content type is kept (not doubled)', async () => {
    world = await makeWorld()
    const text = '{"product_id":"prd_zoo_child","quantity":1}'
    const result = await world.run(
      ['call', '--provider', 'funtrips', '/v1/merchants/mer_zoo/checkouts', '-d', '-', '-H', 'Content-Type: application/vnd.api+json'],
      {stdin: text},
    )
    expect(result.code, result.stdout + result.stderr).toBe(0)
    const [sent] = apiRequests(world)
    expect(sent?.body).toBe(text)
    expect(sent?.headers['content-type']).toBe('application/vnd.api+json')
  })

  it("-H and -f take one value each, so they may come before the path (`-H 'X: y' /v1/…`)", async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '-H', 'X-Trace-Id: t-1', 'GET', '/v1/wallet/me/transactions', '-f', 'limit=1'])
    expect(result.code, result.stderr).toBe(0)
    const [sent] = apiRequests(world)
    expect(sent).toMatchObject({method: 'GET', path: '/funtrips/v1/wallet/me/transactions', query: {limit: '1'}})
    expect(sent?.headers['x-trace-id']).toBe('t-1')
  })

  it('-f becomes the query string for GET (fields alone make the default method POST, as in `gh api`)', async () => {
    world = await makeWorld()
    const result = await world.run(['call', 'GET', '--provider', 'funtrips', '/v1/wallet/me/transactions', '-f', 'limit=2'])
    expect(result.code, result.stderr).toBe(0)
    const [sent] = apiRequests(world)
    expect(sent).toMatchObject({method: 'GET', query: {limit: '2'}, body: ''})
    const page = JSON.parse(result.stdout) as {data: unknown[]; pagination: {limit: number}}
    expect(page.data).toHaveLength(2)
    expect(page.pagination.limit).toBe(2)
  })

  it('-f becomes a JSON body for POST (the default method once there is a body)', async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants/mer_zoo/checkouts', '-f', 'product_id=prd_zoo_adult', '-f', 'quantity=2'])
    expect(result.code, result.stdout + result.stderr).toBe(0)
    const [sent] = apiRequests(world)
    expect(sent?.method).toBe('POST')
    expect(sent?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(sent?.body ?? '')).toEqual({product_id: 'prd_zoo_adult', quantity: 2})
  })

  it('-X sets the method; -H headers are sent', async () => {
    world = await makeWorld()
    const result = await world.run([
      'call',
      '-X',
      'get',
      '--provider',
      'funtrips',
      '/v1/merchants',
      '-H',
      'X-Request-Id: abc-123',
      '-H',
      'Accept:application/json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const [sent] = apiRequests(world)
    expect(sent?.method).toBe('GET')
    expect(sent?.headers['x-request-id']).toBe('abc-123')
    expect(sent?.headers.accept).toBe('application/json')
  })

  it.each([
    [['-H', 'no colon here'], 'bad header'],
    [['-H', ': value'], 'bad header'],
    [['-H', 'Bad Name: x'], 'bad header'],
    [['-H', 'Authorization: Bearer mine'], '-H Authorization is not allowed'],
    [['-f', '=x'], 'bad field'],
    [['-d', 'a', '-f', 'b=c'], '-d and -f cannot be combined'],
  ])('bad input %j is exit 2 with one line and no request at all', async (flags, message) => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants/mer_zoo/checkouts', ...flags])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(world.emulator.requests()).toEqual([])
  })

  it.each([
    [['call', 'BREW', '/v1/merchants'], 'BREW is not an HTTP method'],
    [['call', 'GET'], 'missing the path after GET'],
    [['call', 'GET', '/a', '/b'], 'Unexpected argument'],
    [['call'], 'no path or URL given'],
    [['call', '/v1/merchants'], 'a bare path needs a provider'],
    [['call', 'http://'], 'bad URL'],
  ])('positionals %j are checked before anything is sent (exit 2)', async (args, message) => {
    world = await makeWorld()
    const result = await world.run(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(world.emulator.requests()).toEqual([])
  })

  it('a bare path uses the profile default provider', async () => {
    world = await makeWorld()
    expect((await world.run(['config', 'set', 'defaultProvider', 'funtrips'])).code).toBe(0)
    const result = await world.run(['call', '/v1/merchants'])
    expect(result.code, result.stderr).toBe(0)
    expect(calls(world.emulator).at(-1)).toBe('GET /funtrips/v1/merchants 200')
  })
})

describe('provider inference from a full URL (the emulator serves all three on one host)', () => {
  it('picks Funtrips, Fluz and Shuttle by path and attaches each one its own token', async () => {
    world = await makeWorld()
    await configureFluzScopes(world)
    await shuttleLogin(world)
    const base = world.emulator.url

    const funtrips = await world.run(['call', `${base}/funtrips/v1/merchants`])
    expect(funtrips.code, funtrips.stderr).toBe(0)
    expect(bearerOf(world.emulator.requests().at(-1))).toBe(await storedTokenValue(world, 'funtrips'))

    const shuttle = await world.run(['call', `${base}/shuttle/c/api/payment_links`])
    expect(shuttle.code, shuttle.stderr).toBe(0)
    expect(world.emulator.requests().at(-1)?.path).toBe('/shuttle/c/api/payment_links')
    expect(bearerOf(world.emulator.requests().at(-1))).toBe(await storedTokenValue(world, 'shuttle'))

    const fluz = await world.run(['call', `${base}/fluz/api/v1/graphql`, '--query', 'query { offers(first: 1) { success } }'])
    expect(fluz.code, fluz.stderr).toBe(0)
    expect(bearerOf(world.emulator.requests().at(-1))).toBe(await storedTokenValue(world, 'fluz'))

    // Not the profile's Fluz URL, but under /fluz/ on the shared host: still Fluz.
    const sandbox = await world.run(['call', `${base}/fluz/sandbox/api/v1/graphql`, '--query', 'query { offers(first: 1) { success } }'])
    expect(sandbox.code, sandbox.stderr).toBe(0)
    expect(sandbox.stderr).toMatch(/Token\s+fluz token from the cache/)
    expect(world.emulator.requests().at(-1)?.path).toBe('/fluz/sandbox/api/v1/graphql')
  })

  it('a URL that belongs to no provider is exit 2 with no request', async () => {
    world = await makeWorld()
    const result = await world.run(['call', `${world.emulator.url}/elsewhere/v1/merchants`])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('add --provider')
    expect(world.emulator.requests()).toEqual([])
  })

  it('--provider with a URL on another host is refused (exit 2): the token is never sent off the provider', async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', 'http://127.0.0.2:9/v1/merchants'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('127.0.0.2:9 is not a funtrips origin')
    expect(world.emulator.requests()).toEqual([])
  })
})

/** Runs the CLI under a pseudo-terminal (util-linux `script`), so stdout is a TTY. */
function runOnTerminal(world: World, args: string[]): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ')
  const env: Record<string, string> = {...(process.env as Record<string, string>), ...world.sandbox.env, TERM: 'xterm'}
  delete env.NO_COLOR
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', `${command} 2>/dev/null`, '/dev/null'], {env, stdio: ['ignore', 'pipe', 'inherit']})
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.on('error', reject)
    child.on('close', () => {
      clearTimeout(timer)
      resolve(stdout.replace(/\r\n/g, '\n'))
    })
  })
}

describe('response body output', () => {
  it('is byte-exact when piped', async () => {
    world = await makeWorld()
    const result = await world.run(['call', '--provider', 'funtrips', '/v1/merchants/mer_aquapark/products'])
    expect(result.code, result.stderr).toBe(0)
    const token = await storedTokenValue(world, 'funtrips')
    const direct = await fetch(`${world.emulator.url}/funtrips/v1/merchants/mer_aquapark/products`, {headers: {authorization: `Bearer ${token}`}})
    expect(result.stdout).toBe(await direct.text())
    expect(result.stdout.endsWith('\n')).toBe(false) // nothing added
  })

  it('is pretty-printed and coloured on a terminal; --raw keeps it as received', async () => {
    world = await makeWorld()
    expect((await world.run(['call', '--provider', 'funtrips', '/v1/merchants'])).code).toBe(0)
    const pretty = await runOnTerminal(world, ['call', '--provider', 'funtrips', '/v1/merchants'])
    expect(pretty).toContain('\u001b[') // ANSI colour
    const plain = pretty.replace(/\u001b\[[0-9;]*m/g, '')
    expect(plain).toContain('{\n  "data": [\n    {\n      "id": "mer_aquapark",')
    const token = await storedTokenValue(world, 'funtrips')
    const direct = await (await fetch(`${world.emulator.url}/funtrips/v1/merchants`, {headers: {authorization: `Bearer ${token}`}})).text()
    expect(JSON.parse(plain)).toEqual(JSON.parse(direct))

    const raw = await runOnTerminal(world, ['call', '--provider', 'funtrips', '/v1/merchants', '--raw'])
    expect(raw).toBe(direct)
  })
})
