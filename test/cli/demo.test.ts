import {stat} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {keychainEntries, makeSandbox, runCliInProcess, type Sandbox} from '../helpers/cli.js'

runCliInProcess()

let sandbox: Sandbox
beforeEach(async () => {
  sandbox = await makeSandbox()
})
afterEach(async () => {
  await sandbox.cleanup()
})

describe('ftauth demo', () => {
  it('walks every flow against its own emulator and touches neither config nor keychain', async () => {
    const result = await sandbox.run(['demo', '--json'], {timeoutMs: 60_000})
    expect(result.code).toBe(0)
    const document = JSON.parse(result.stdout) as {ok: boolean; flows: {flow: string; steps: number}[]}
    expect(document.ok).toBe(true)
    expect(document.flows.map((row) => row.flow)).toEqual(['Funtrips headless', 'Funtrips webframe', 'Fluz', 'Shuttle'])
    for (const row of document.flows) expect(row.steps).toBeGreaterThanOrEqual(3)
    expect((await keychainEntries(sandbox.service)).size).toBe(0)
    await expect(stat(join(sandbox.configDir, 'config.json'))).rejects.toThrow(/ENOENT/)
    await expect(stat(join(sandbox.configDir, 'cache.json'))).rejects.toThrow(/ENOENT/)
  })

  it('prints the steps of every flow and a summary table for people', async () => {
    const result = await sandbox.run(['demo'], {timeoutMs: 60_000})
    expect(result.code).toBe(0)
    for (const step of ['Backend bearer', 'Exchange', 'Frame', 'Generate', 'Refresh', 'Consent', 'Call']) expect(result.stderr).toContain(step)
    expect(result.stdout).toMatch(/^flow\s+steps\s+tokens\s+expires$/m)
    expect(result.stdout).toContain('All 4 flows passed')
  })
})
