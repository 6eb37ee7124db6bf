// Secret canary sweep, second pass: the canary secrets are piped into `ftauth login --…-stdin` and
// live in the keychain. Also: `ftauth demo`, and a check that the leak finder finds leaks.
import {describe, expect, it} from 'vitest'

import {DEMO} from '../../src/emulator/index.js'
import {makeSandbox, runCliInProcess} from '../helpers/cli.js'
import {sweep} from './canary-sweep.js'
import {basicOf, CANARY, inModes, leaksOf, type Allowance, type RecordedRun} from './helpers.js'

runCliInProcess()

describe('canary sweep: secrets in the keychain (login --…-stdin)', {timeout: 120_000}, () => sweep('keychain'))

describe('canary sweep: ftauth demo (its emulator runs in-process, so secrets are found by shape)', () => {
  it('no full JWT, opaque code or refresh token, or demo secret in any output mode', {timeout: 120_000}, async () => {
    const sandbox = await makeSandbox()
    try {
      const runs = await inModes(sandbox, 'demo', ['demo'], {modes: ['json', 'debug']})
      const problems: string[] = []
      for (const run of runs) {
        if (run.result.code !== 0)
          problems.push(`${run.label}: exit ${run.result.code} — ${run.result.stderr.split('\n').find((line) => line.startsWith('error:')) ?? ''}`)
        for (const [stream, text] of [
          ['stdout', run.result.stdout],
          ['stderr', run.result.stderr],
        ] as const) {
          // A JWT keeps header and payload in traces; its signature must be gone.
          if (/eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{20,}/.test(text)) problems.push(`${run.label}: a signed JWT in ${stream}`)
          if (/\b(sc|ac|rt)_[0-9a-f]{32}\b/.test(text)) problems.push(`${run.label}: a whole opaque code or refresh token in ${stream}`)
          for (const secret of [
            DEMO.funtrips.clientSecret,
            DEMO.shuttle.clientSecret,
            DEMO.fluz.apiKey,
            basicOf(DEMO.shuttle.clientId, DEMO.shuttle.clientSecret),
          ]) {
            if (text.includes(secret)) problems.push(`${run.label}: a demo client secret (${secret.slice(0, 6)}…) in ${stream}`)
          }
        }
      }
      expect(problems).toEqual([])
    } finally {
      await sandbox.cleanup()
    }
  })
})

describe('the leak finder itself', () => {
  const secrets = [
    {value: CANARY.shuttleClientSecret, kind: 'client-secret' as const, label: 'canary Shuttle client secret'},
    {value: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLWEtdGVzdC10b2tlbi0wMTIzNDU2Nzg5', kind: 'jwt' as const, label: 'issued jwt'},
  ]
  const run = (stdout: string, stderr: string, allow: Allowance = {}): RecordedRun => ({
    label: 'x',
    args: [],
    result: {code: 0, stdout, stderr},
    allow,
    expectCode: 0,
  })

  it('finds a secret on either stream, a JWT signature alone, a partial secret by its marker, and honours only what was asked for', () => {
    expect(leaksOf(run('', `client_secret=${CANARY.shuttleClientSecret}`), secrets)).toHaveLength(1)
    expect(leaksOf(run(`sig c2lnbmF0dXJlLW9mLWEtdGVzdC10b2tlbi0wMTIzNDU2Nzg5`, ''), secrets)).toEqual([
      'x: issued jwt (jwt, eyJhbG…) in stdout (JWT signature)',
    ])
    // A cut-off head is found (issue 16: by its first 20 characters, before the marker rule).
    expect(leaksOf(run(`${CANARY.shuttleClientSecret.slice(0, 20)}…`, ''), secrets)[0]).toMatch(
      /canary Shuttle client secret .* in stdout \(a part or an encoding of it\)|canary marker in stdout/,
    )
    expect(leaksOf(run(`${CANARY.shuttleClientSecret.slice(0, 15)}…`, ''), secrets)[0]).toContain('canary marker in stdout')
    expect(leaksOf(run(`${secrets[1]!.value}\n`, '', {quietLine: true}), secrets)).toEqual([])
    expect(leaksOf(run(`${secrets[1]!.value}\n`, secrets[1]!.value, {quietLine: true}), secrets)).toHaveLength(1)
    expect(leaksOf(run(`token ${secrets[1]!.value}`, '', {kinds: ['refresh']}), secrets)).toHaveLength(1)
  })
})
