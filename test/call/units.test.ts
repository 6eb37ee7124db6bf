// The pure pieces of `ftauth call`: positionals, -H, -f, -d, URL resolution, body rendering, and
// which provider a full URL belongs to (with real profile resolution, no network).
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'

import type {Deps} from '../../src/core/deps.js'
import {configSchema} from '../../src/core/config.js'
import {FtauthError} from '../../src/core/errors.js'
import {resolveProfile} from '../../src/core/profiles.js'
import {renderBody} from '../../src/call/render.js'
import {parseField, parseHeader, parsePositionals, readBody, resolveTarget} from '../../src/call/request-input.js'
import {fieldValue} from '../../src/call/run-call.js'
import {providerOfUrl} from '../../src/call/token-sources.js'

function usage(run: () => unknown): FtauthError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(FtauthError)
    expect((error as FtauthError).exitCode).toBe(2)
    return error as FtauthError
  }
  throw new Error('expected a usage error')
}

describe('parsePositionals', () => {
  it('reads [METHOD] <path-or-url> and the `call fluz` shorthand', () => {
    expect(parsePositionals(['/v1/merchants'])).toEqual({method: undefined, target: '/v1/merchants', provider: undefined})
    expect(parsePositionals(['post', '/v1/x'])).toEqual({method: 'POST', target: '/v1/x', provider: undefined})
    expect(parsePositionals(['fluz'])).toEqual({method: undefined, target: undefined, provider: 'fluz'})
    expect(parsePositionals([])).toEqual({method: undefined, target: undefined, provider: undefined})
  })

  it('refuses a lone method, an unknown method and extra words', () => {
    expect(usage(() => parsePositionals(['DELETE'])).message).toBe('missing the path after DELETE')
    expect(usage(() => parsePositionals(['FETCH', '/x'])).message).toBe('FETCH is not an HTTP method')
    expect(usage(() => parsePositionals(['GET', '/x', '/y'])).message).toContain('too many arguments')
  })
})

describe('parseHeader', () => {
  it('splits at the first colon and trims', () => {
    expect(parseHeader('X-Trace:  a:b ')).toEqual(['X-Trace', 'a:b'])
    expect(parseHeader('Accept:application/json')).toEqual(['Accept', 'application/json'])
    expect(parseHeader('X-Empty:')).toEqual(['X-Empty', ''])
  })

  it('refuses what an HTTP server would: no colon, empty or bad name', () => {
    for (const bad of ['nocolon', ': v', 'Two Words: v', 'Bad(Name): v']) expect(usage(() => parseHeader(bad)).message).toContain('bad header')
  })
})

describe('parseField and fieldValue', () => {
  it('splits at the first = (values may hold =)', () => {
    expect(parseField('q=a=b')).toEqual(['q', 'a=b'])
    expect(parseField('empty=')).toEqual(['empty', ''])
    expect(usage(() => parseField('=v')).message).toContain('bad field')
    expect(usage(() => parseField('novalue')).message).toContain('bad field')
  })

  it('sends numbers, true, false and null as JSON; anything else as a string', () => {
    expect(fieldValue('1000')).toBe(1000)
    expect(fieldValue('-2.5')).toBe(-2.5)
    expect(fieldValue('true')).toBe(true)
    expect(fieldValue('false')).toBe(false)
    expect(fieldValue('null')).toBeNull()
    for (const text of ['007', '1e3', 'BK-1041', 'True', '', ' 1', '0x10', '1.']) expect(fieldValue(text)).toBe(text)
  })
})

describe('readBody', () => {
  it('takes a literal, or @file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftauth-body-'))
    try {
      await writeFile(join(dir, 'b.json'), 'é {"a":1}\n')
      expect(await readBody('plain')).toBe('plain')
      expect(await readBody(`@${join(dir, 'b.json')}`)).toBe('é {"a":1}\n')
      await expect(readBody(`@${join(dir, 'missing')}`)).rejects.toThrow('cannot read the body file')
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

describe('resolveTarget', () => {
  it('joins a path to the API base with one slash, and keeps a full URL', () => {
    expect(resolveTarget('/v1/merchants', 'https://api.acc.funtrips.io/acc/').toString()).toBe('https://api.acc.funtrips.io/acc/v1/merchants')
    expect(resolveTarget('v1/merchants?x=1', 'https://api.acc.funtrips.io/acc').toString()).toBe('https://api.acc.funtrips.io/acc/v1/merchants?x=1')
    expect(resolveTarget('HTTPS://other.example/a', 'https://api.acc.funtrips.io/acc').toString()).toBe('https://other.example/a')
    expect(usage(() => resolveTarget('http://', 'https://x')).message).toContain('bad URL')
  })
})

describe('renderBody', () => {
  const plain = new Chalk({level: 0})
  const colour = new Chalk({level: 2})
  const json = Buffer.from('{"a":[1,true,null],"b":"x"}')

  it('returns the very bytes when not pretty (piped or --raw)', () => {
    expect(renderBody(json, 'application/json', {pretty: false, color: colour})).toBe(json)
    const binary = Buffer.from([0xff, 0x00, 0x7f])
    expect(renderBody(binary, 'application/octet-stream', {pretty: false, color: colour})).toBe(binary)
  })

  it('pretty-prints JSON on a terminal, in colour when colour is on', () => {
    expect(renderBody(json, 'application/json', {pretty: true, color: plain})).toBe('{\n  "a": [\n    1,\n    true,\n    null\n  ],\n  "b": "x"\n}\n')
    const coloured = renderBody(json, 'application/json; charset=utf-8', {pretty: true, color: colour}) as string
    expect(coloured).toContain('\u001b[')
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderBody(json, 'application/json', {pretty: true, color: plain}))
  })

  it('prints text (and JSON-looking text that is not JSON) as it is, ending in a newline', () => {
    expect(renderBody(Buffer.from('<h1>hi</h1>'), 'text/html', {pretty: true, color: plain})).toBe('<h1>hi</h1>\n')
    expect(renderBody(Buffer.from('{not json'), 'application/json', {pretty: true, color: plain})).toBe('{not json\n')
    expect(renderBody(Buffer.from(''), 'application/json', {pretty: true, color: plain})).toBe('')
  })
})

describe('providerOfUrl', () => {
  const depsFor = (env: Record<string, string>): Deps => {
    const config = configSchema().parse({version: 1, profiles: {default: {}}})
    return {profile: resolveProfile(config, {env}), env} as unknown as Deps
  }

  it('tells the providers apart by path on the emulator, where they share one host', async () => {
    const deps = depsFor({FTAUTH_ENV: 'local', FTAUTH_LOCAL_URL: 'http://127.0.0.1:7787'})
    const of = (url: string) => providerOfUrl(deps, new URL(url))
    expect(await of('http://127.0.0.1:7787/funtrips/v1/merchants')).toBe('funtrips')
    expect(await of('http://127.0.0.1:7787/fluz/api/v1/graphql')).toBe('fluz')
    expect(await of('http://127.0.0.1:7787/fluz/production/api/v1/graphql')).toBe('fluz')
    expect(await of('http://127.0.0.1:7787/shuttle/c/api/payment_links')).toBe('shuttle')
    expect(await of('http://127.0.0.1:7787/shuttle/token')).toBe('shuttle')
    expect(await of('http://127.0.0.1:7787/other')).toBeUndefined()
    expect(await of('http://127.0.0.1:9999/funtrips/v1/merchants')).toBeUndefined()
  })

  it('uses the configured hosts of the real environments', async () => {
    const deps = depsFor({FTAUTH_ENV: 'sandbox'})
    const of = (url: string) => providerOfUrl(deps, new URL(url))
    expect(await of('https://api.acc.funtrips.io/acc/v1/merchants')).toBe('funtrips')
    expect(await of('https://transactional-graph.staging.fluzapp.com/api/v1/graphql')).toBe('fluz')
    expect(await of('https://app.shuttlestaging.com/c/api/payment_links')).toBe('shuttle')
    expect(await of('https://api.funtrips.io/prod/v1/merchants')).toBeUndefined() // production host, sandbox profile
  })
})
