import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {SealedFile} from '../../src/core/sealed-cache.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftauth-sealed-'))
})
afterEach(() => rm(dir, {recursive: true, force: true}))

const sealed = (credential: string, context = 'funtrips') => new SealedFile(join(dir, 'tokens.sealed'), credential, context, join(dir, 'locks'))

describe('sealed token cache', () => {
  it('round-trips under the same credential; the file is 0600 JSON with no plaintext', async () => {
    await sealed('client-secret-1').set('default:funtrips:token:backend', 'eyJ.the-token.value')
    await sealed('client-secret-1').set('default:funtrips:token:public', 'second-token-value')
    expect(await sealed('client-secret-1').get('default:funtrips:token:backend')).toBe('eyJ.the-token.value')
    expect((await sealed('client-secret-1').accounts()).sort()).toEqual(['default:funtrips:token:backend', 'default:funtrips:token:public'])
    const text = await readFile(join(dir, 'tokens.sealed'), 'utf8')
    expect((await stat(join(dir, 'tokens.sealed'))).mode & 0o777).toBe(0o600)
    for (const plain of ['the-token', 'second-token', 'client-secret-1', 'default:funtrips']) expect(text).not.toContain(plain)
    expect(Object.keys(JSON.parse(text)).sort()).toEqual(['data', 'iv', 'salt', 'tag', 'version'])
  })

  it('a fresh salt and IV on every write', async () => {
    await sealed('k').set('a', '1')
    const first = JSON.parse(await readFile(join(dir, 'tokens.sealed'), 'utf8'))
    await sealed('k').set('a', '1')
    const second = JSON.parse(await readFile(join(dir, 'tokens.sealed'), 'utf8'))
    expect(second.salt).not.toBe(first.salt)
    expect(second.iv).not.toBe(first.iv)
  })

  it('another credential, another provider or tampered bytes read as a miss, and the next write starts over', async () => {
    await sealed('old-secret').set('a', 'token-a')
    expect(await sealed('new-secret').get('a')).toBeNull()
    expect(await sealed('old-secret', 'fluz').get('a')).toBeNull()
    const file = JSON.parse(await readFile(join(dir, 'tokens.sealed'), 'utf8'))
    const data = Buffer.from(file.data, 'base64')
    data[0] = data[0]! ^ 1
    await writeFile(join(dir, 'tokens.sealed'), JSON.stringify({...file, data: data.toString('base64')}))
    expect(await sealed('old-secret').get('a')).toBeNull()
    await sealed('new-secret').set('b', 'token-b')
    expect(await sealed('new-secret').accounts()).toEqual(['b'])
    expect(await sealed('old-secret').get('b')).toBeNull()
  })

  it('delete removes one entry', async () => {
    await sealed('k').set('a', '1')
    await sealed('k').set('b', '2')
    expect(await sealed('k').delete('a')).toBe(true)
    expect(await sealed('k').delete('a')).toBe(false)
    expect(await sealed('k').accounts()).toEqual(['b'])
  })
})
