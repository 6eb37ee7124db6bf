/**
 * Every `--json` document carries `"schemaVersion": 1` as its first field (src/core/json-document.ts),
 * on success and on error, for every command that takes --json (read from the oclif manifest, so a
 * new command is covered without editing this list).
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {JSON_SCHEMA_VERSION, jsonDocument} from '../../src/core/json-document.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, ROOT, type CliResult, type Sandbox} from '../helpers/cli.js'

interface ManifestCommand {
  id: string
  flags: Record<string, unknown>
}

let emulator: Emulator
let box: Sandbox

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  box = await makeSandbox(emulator.url)
})

afterAll(async () => {
  await box?.cleanup()
  await emulator?.close()
})

function documentOf(result: CliResult): Record<string, unknown> {
  const document = JSON.parse(result.stdout) as Record<string, unknown>
  expect(Object.keys(document)[0], result.stdout).toBe('schemaVersion')
  expect(document.schemaVersion).toBe(JSON_SCHEMA_VERSION)
  return document
}

/** Runs at most `limit` at once: the CLI is spawned for each. */
async function inTurns<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await run(items[index] as T)
    }
  }
  await Promise.all(Array.from({length: limit}, worker))
  return results
}

describe('--json schemaVersion', () => {
  it('puts the version first in an object; anything else goes under result', () => {
    expect(JSON_SCHEMA_VERSION).toBe(1)
    expect(Object.keys(jsonDocument({a: 1, schemaVersionless: true}))).toEqual(['schemaVersion', 'a', 'schemaVersionless'])
    expect(jsonDocument(['x'])).toEqual({schemaVersion: 1, result: ['x']})
    expect(jsonDocument(undefined)).toEqual({schemaVersion: 1, result: null})
  })

  it('every command with --json carries it in its error document', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
    const ids = Object.values(manifest.commands)
      .filter((command) => 'json' in command.flags)
      .map((command) => command.id)
    expect(ids.length).toBeGreaterThanOrEqual(20)
    const results = await inTurns(ids, 4, (id) => box.run([...id.split(':'), '--json', '--no-such-flag'], {timeoutMs: 60_000}))
    results.forEach((result, index) => {
      expect(result.code, `${ids[index]}: ${result.stderr}`).toBe(2)
      expect(documentOf(result).error, ids[index]).toMatchObject({exitCode: 2})
    })
  }, 240_000)

  it('success documents carry it too (fast path and oclif path), and the emulator line', async () => {
    const runs: [string, string[]][] = [
      ['status', ['status', '--json']],
      ['config list', ['config', 'list', '--json']],
      ['session create', ['session', 'create', '--headless', '--json']],
      ['fluz token', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--json']],
      ['call', ['call', '--provider', 'funtrips', '/v1/merchants', '--json']],
    ]
    const results = await inTurns(runs, 3, ([, args]) => box.run(args, {timeoutMs: 60_000}))
    results.forEach((result, index) => {
      expect(result.code, `${runs[index]?.[0]}: ${result.stderr}`).toBe(0)
      documentOf(result)
    })
    // `ftauth emulator --json` serves until stopped: its one line is read, then it is killed.
    const served = await box.run(['emulator', '--port', '0', '--json'], {timeoutMs: 12_000})
    const line = served.stdout.split('\n')[0] ?? ''
    expect(JSON.parse(line)).toMatchObject({schemaVersion: JSON_SCHEMA_VERSION, event: 'listening'})
  }, 240_000)
})
