// The fast path (src/fast-path.ts) runs token commands without loading oclif. It must never parse
// argv differently from oclif: whatever it accepts, oclif accepts with the same values, and it
// hands everything else to oclif. Then the same command gives the same output either way.
import {Flags, Parser, type Interfaces} from '@oclif/core'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import Call from '../../src/commands/call.js'
import FluzRefresh from '../../src/commands/fluz/refresh.js'
import FluzToken from '../../src/commands/fluz/token.js'
import SessionCreate from '../../src/commands/session/create.js'
import SessionExchange from '../../src/commands/session/exchange.js'
import TokenInspect from '../../src/commands/token/inspect.js'
import ShuttleRefresh from '../../src/commands/shuttle/refresh.js'
import Status from '../../src/commands/status.js'
import {parseFastArgv} from '../../src/core/argv.js'
import {BaseCommand} from '../../src/core/base-command.js'
import type {CommandDefinition} from '../../src/core/command-run.js'
import {GLOBAL_FLAGS, withDefaults, type ArgSpecs, type FlagSpecs} from '../../src/core/flag-spec.js'
import {call} from '../../src/definitions/call.js'
import {fluzRefresh, fluzToken} from '../../src/definitions/fluz.js'
import {sessionCreate, sessionExchange} from '../../src/definitions/session.js'
import {tokenInspect} from '../../src/definitions/token.js'
import {shuttleRefresh} from '../../src/definitions/shuttle.js'
import {status} from '../../src/definitions/status.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, type Sandbox} from '../helpers/cli.js'

type AnyDefinition = CommandDefinition<FlagSpecs, ArgSpecs>
const COMMANDS: [AnyDefinition, {flags: Record<string, unknown>; args: Interfaces.ArgInput}][] = [
  [status as AnyDefinition, Status as never],
  [fluzToken as AnyDefinition, FluzToken as never],
  [fluzRefresh as AnyDefinition, FluzRefresh as never],
  [sessionCreate as AnyDefinition, SessionCreate as never],
  [shuttleRefresh as AnyDefinition, ShuttleRefresh as never],
  [sessionExchange as unknown as AnyDefinition, SessionExchange as never],
  [tokenInspect as unknown as AnyDefinition, TokenInspect as never],
  [call as unknown as AnyDefinition, Call as never],
]

/** Words argv is made of: every flag of the command in its forms, values of every kind, junk. */
function argvWords(specs: FlagSpecs): fc.Arbitrary<string[]> {
  const words: string[] = ['--', '-h', '--help', '-x', '--nope', 'extra', '-qq', '--no-quiet', '--json=true', '--quiet=false']
  for (const [name, spec] of Object.entries(specs)) {
    words.push(`--${name}`, `--no-${name}`, `--${name}=`)
    if (spec.char) words.push(`-${spec.char}`)
    if (spec.kind === 'string') for (const option of spec.options ?? ['abc', 'a=b', 'LIST_OFFERS,PURCHASE_GIFTCARD']) words.push(`--${name}=${option}`, option)
    if (spec.kind === 'integer') words.push(`--${name}=5`, '0', '7', '-3', '1.5', '9007199254740993', 'ten')
  }
  words.push('sandbox', 'production', 'bogus', '-', '--=x', 'GET', '/v1/merchants', 'X-A: b', 'a=1')
  return fc.array(fc.constantFrom(...words), {maxLength: 7})
}

describe('fast-path argv parser against oclif', () => {
  for (const [definition, command] of COMMANDS) {
    it(`${definition.id}: accepts only what oclif accepts, with the same values`, async () => {
      const specs: FlagSpecs = {...GLOBAL_FLAGS, json: {kind: 'boolean', description: 'json'}, ...definition.flags}
      const oclifFlags = {...BaseCommand.baseFlags, json: Flags.boolean(), ...command.flags}
      const argNames = Object.keys(definition.args ?? {})
      let accepted = 0
      await fc.assert(
        fc.asyncProperty(argvWords(specs), async (argv) => {
          const fast = parseFastArgv(argv, specs, argNames)
          if (fast === undefined) return
          accepted++
          const parsed = await Parser.parse(argv, {flags: oclifFlags, strict: true, args: command.args})
          expect(fast.flags).toEqual(withDefaults(specs, parsed.flags))
          expect(fast.args).toEqual(Object.fromEntries(Object.entries(parsed.args).filter(([, value]) => value !== undefined)))
        }),
        {numRuns: 400},
      )
      // The property says nothing if the fast path refused everything.
      expect(accepted).toBeGreaterThan(50)
    })
  }

  it('hands help, positional arguments, typos and bad values to oclif', () => {
    const specs: FlagSpecs = {...GLOBAL_FLAGS, ...fluzToken.flags}
    for (const argv of [['--help'], ['-h'], ['extra'], ['--scop', 'x'], ['--env', 'staging'], ['--timeout', '0'], ['--min-ttl', 'x'], ['--', '-q'], ['--scopes'], ['-q', '-q']]) {
      expect(parseFastArgv(argv, specs), argv.join(' ')).toBeUndefined()
    }
    expect(parseFastArgv(['fluz', 'extra'], specs, ['token'])).toBeUndefined()
    expect(parseFastArgv(['-', '--show'], specs, ['token'])).toMatchObject({args: {token: '-'}, flags: {show: true}})
    expect(parseFastArgv(['-q', '--scope', 'A', '--scope=B', '--no-color', '--timeout=3'], specs)?.flags).toMatchObject({
      quiet: true,
      scope: ['A', 'B'],
      color: false,
      timeout: 3,
      'min-ttl': 30,
      fresh: false,
    })
  })
})

describe('fast path and oclif give the same result', () => {
  let emulator: Emulator
  let sandbox: Sandbox
  beforeAll(async () => {
    emulator = await startEmulator({port: 0})
    sandbox = await makeSandbox(emulator.url)
  })
  afterAll(async () => {
    await sandbox.cleanup()
    await emulator.close()
  })
  const both = async (args: string[], env: Record<string, string> = {}) => {
    const fast = await sandbox.run(args, {env})
    const slow = await sandbox.run(args, {env: {...env, FTAUTH_FAST_PATH: '0'}})
    return {fast, slow}
  }

  it('status --json, a cached fluz token, and their exit codes', async () => {
    const first = await sandbox.run(['fluz', 'token', '-q', '--scopes', 'LIST_OFFERS'])
    expect(first.code).toBe(0)
    const token = await both(['fluz', 'token', '-q', '--scopes', 'LIST_OFFERS'])
    expect(token.fast).toEqual({code: 0, stdout: first.stdout, stderr: ''})
    expect(token.slow).toEqual(token.fast)
    const statusRuns = await both(['status', '--json'])
    expect(statusRuns.fast.code).toBe(0)
    // Seconds tick between the two runs; everything else must match.
    const withoutClock = (stdout: string) => JSON.parse(stdout.replace(/"secondsLeft": \d+/g, '"secondsLeft": 0'))
    expect(withoutClock(statusRuns.fast.stdout)).toEqual(withoutClock(statusRuns.slow.stdout))
    const [fluzToken] = withoutClock(statusRuns.fast.stdout).providers[1].tokens
    expect(fluzToken.key).toMatch(/^local:.*:LIST_OFFERS$/)
    // Human output names the token by what is not shown already (here: nothing), not by its key.
    const human = await sandbox.run(['status'], {env: {COLUMNS: '200'}})
    expect(human.stdout).toMatch(/^ {2}token {6}\d{4}-\d\d-\d\dT.* · LIST_OFFERS · refreshable · keychain$/m)
    expect(human.stdout).not.toContain(fluzToken.key)
  })

  it('usage errors: same line, same exit code (2)', async () => {
    for (const [args, env] of [
      [['session', 'create'], {}],
      [['session', 'create', '--headless', '--webframe', '--json'], {}],
      [['status'], {FTAUTH_ENV: 'staging'}],
    ] as [string[], Record<string, string>][]) {
      const {fast, slow} = await both(args, env)
      expect(fast.code, args.join(' ')).toBe(2)
      expect(fast).toEqual(slow)
    }
  })
})
