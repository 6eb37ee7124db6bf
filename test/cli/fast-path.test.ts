// The fast path (src/fast-path.ts) runs token commands without loading oclif. It must never parse
// argv differently from oclif: whatever it accepts, oclif accepts with the same values, and it
// hands everything else to oclif. Then the same command gives the same output either way.
import {Flags, Parser} from '@oclif/core'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {COMMANDS} from '../../src/cli/registry.js'
import {flagSpecsOf} from '../../src/cli/run.js'
import {parseFastArgv} from '../../src/core/argv.js'
import {BaseCommand, oclifCommand} from '../../src/core/base-command.js'
import type {AnyCommandDefinition} from '../../src/core/command-run.js'
import {GLOBAL_FLAGS, withDefaults, type FlagSpecs} from '../../src/core/flag-spec.js'
import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, type Sandbox} from '../helpers/cli.js'

// Every command of the generated registry, beside the oclif class generated from the same definition.
const DEFINITIONS: AnyCommandDefinition[] = await Promise.all(Object.values(COMMANDS).map((load) => load()))
const COMMAND_CLASSES = DEFINITIONS.map((definition) => [definition, oclifCommand(definition)] as const)
const fluzToken = DEFINITIONS.find((definition) => definition.id === 'fluz:token')!

/** Words argv is made of: every flag of the command in its forms, values of every kind, junk. */
function argvWords(specs: FlagSpecs, argWords: string[] = []): fc.Arbitrary<string[]> {
  const words: string[] = ['--', '-h', '--help', '-x', '--nope', 'extra', '-qq', '--no-quiet', '--json=true', '--quiet=false']
  for (const [name, spec] of Object.entries(specs)) {
    words.push(`--${name}`, `--no-${name}`, `--${name}=`)
    if (spec.char) words.push(`-${spec.char}`)
    if (spec.kind === 'string') for (const option of spec.options ?? ['abc', 'a=b', 'LIST_OFFERS,PURCHASE_GIFTCARD']) words.push(`--${name}=${option}`, option)
    if (spec.kind === 'integer') words.push(`--${name}=5`, '0', '7', '-3', '1.5', '9007199254740993', 'ten', '70000')
  }
  words.push('sandbox', 'production', 'bogus', '-', '--=x', 'GET', '/v1/merchants', 'X-A: b', 'a=1', ...argWords)
  return fc.array(fc.constantFrom(...words), {maxLength: 7})
}

describe('fast-path argv parser against oclif', () => {
  it('covers every command file', () => {
    expect(DEFINITIONS.length).toBeGreaterThanOrEqual(8)
    for (const [id, load] of Object.entries(COMMANDS)) expect(load, id).toBeTypeOf('function')
  })

  for (const [definition, command] of COMMAND_CLASSES) {
    it(`${definition.id}: accepts only what oclif accepts, with the same values`, async () => {
      const specs: FlagSpecs = flagSpecsOf(definition)
      const oclifFlags = definition.globalFlags === false ? command.flags : {...BaseCommand.baseFlags, json: Flags.boolean(), ...command.flags}
      // Words for positional arguments with fixed values (a provider name) and required ones.
      const argSpecs = definition.args ?? {}
      const optionWords = Object.values(argSpecs).flatMap((spec) => [...(spec.options ?? [])])
      const required = Object.values(argSpecs).filter((spec) => spec.required).length
      // Half the lists start with the required arguments, so the flags after them get exercised too.
      const leading = fc.array(fc.constantFrom('fluz', 'a.b', 'extra', ...optionWords), {minLength: required, maxLength: required})
      const words = fc.oneof(
        argvWords(specs, optionWords),
        fc.tuple(leading, argvWords(specs, optionWords)).map(([first, rest]) => [...first, ...rest]),
      )
      let accepted = 0
      await fc.assert(
        fc.asyncProperty(words, async (argv) => {
          const fast = parseFastArgv(argv, specs, argSpecs)
          if (fast === undefined) return
          accepted++
          const parsed = await Parser.parse(argv, {flags: oclifFlags, strict: true, args: command.args})
          expect(fast.flags).toEqual(withDefaults(specs, parsed.flags))
          expect(fast.args).toEqual(Object.fromEntries(Object.entries(parsed.args).filter(([, value]) => value !== undefined)))
        }),
        {numRuns: 400},
      )
      // The property says nothing if the fast path refused everything.
      // (Few argv lists qualify for a command without flags or arguments, fewer with required ones.)
      expect(accepted).toBeGreaterThan(Object.keys(specs).length + Object.keys(argSpecs).length === 0 ? 0 : required ? 25 : 50)
    })
  }

  it('hands help, positional arguments, typos and bad values to oclif', () => {
    const specs: FlagSpecs = {...GLOBAL_FLAGS, ...fluzToken.flags}
    for (const argv of [
      ['--help'],
      ['-h'],
      ['extra'],
      ['--scop', 'x'],
      ['--env', 'staging'],
      ['--timeout', '0'],
      ['--min-ttl', 'x'],
      ['--', '-q'],
      ['--scopes'],
      ['-q', '-q'],
    ]) {
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

  // Each case spawns the CLI several times, half of them loading oclif: slow on a loaded machine.
  it('status --json, a cached fluz token, and their exit codes', {timeout: 120_000}, async () => {
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

  it('runs in-process through runCli(argv, io), with the same output as the built CLI', async () => {
    const {runCli} = await import('../../src/cli/run.js')
    const {PassThrough} = await import('node:stream')
    const capture = () => {
      const chunks: string[] = []
      return {
        write: (chunk: string) => chunks.push(chunk) > 0,
        isTTY: false,
        get text() {
          return chunks.join('')
        },
      }
    }
    const stdout = capture()
    const stderr = capture()
    const stdin = new PassThrough()
    stdin.end()
    const code = await runCli(['status', '-q'], {env: {...sandbox.env}, stdin, stdout, stderr})
    expect({code, stdout: stdout.text, stderr: stderr.text}).toEqual(await sandbox.run(['status', '-q']))
    const bad = capture()
    const usage = await runCli(['session', 'create', '--json'], {env: {...sandbox.env}, stdin, stdout: bad, stderr: capture()})
    expect(usage).toBe(2)
    expect(JSON.parse(bad.text)).toMatchObject({error: {exitCode: 2}})
  })

  it('usage errors: same line, same exit code (2)', {timeout: 120_000}, async () => {
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
