// The secret canary sweep (issue 8), shared by canary-env.test.ts and canary-keychain.test.ts:
// every credential is a unique marked canary, the emulator marks its codes and refresh tokens, and
// every command runs in the output modes. No canary, issued token,
// code, refresh token or PKCE verifier may appear in stdout, stderr or any file under the config dir,
// except the one value a command was asked to print (-q of a token or code, --show, --show-refresh).
import {createServer} from 'node:net'

import {afterAll, beforeAll, expect, it} from 'vitest'

import {startEmulator, type Emulator} from '../../src/emulator/index.js'
import {makeSandbox, type RunOptions, type Sandbox} from '../helpers/cli.js'
import {TEST_BROWSER} from '../shuttle/helpers.js'
import {
  ALL_MODES,
  CANARY,
  CANARY_ENV,
  ERROR_MODES,
  fileLeaks,
  inModes,
  knownSecrets,
  MARKER,
  permissionProblems,
  problemsOf,
  WRONG,
  type Allowance,
  type Mode,
  type RecordedRun,
} from './helpers.js'

let emulator: Emulator
/** A loopback port nothing listens on (unreachable-URL error path). */
let deadUrl: string

/** -q of a command whose primary value is a token or code: that one line may be printed. */
const quietOnly = (mode: Mode): Allowance => (mode === 'quiet' ? {quietLine: true} : {})
/** `session create` (without --exchange) exists to hand out its session code: every mode may print it on stdout. */
const sessionCode = (mode: Mode): Allowance => ({quietLine: mode === 'quiet', kinds: ['session-code']})
/** --show / --show-refresh: the shown token (stdout only). */
const shown =
  (kinds: Allowance['kinds']) =>
  (mode: Mode): Allowance => ({quietLine: mode === 'quiet', kinds})

/**
 * `fluz token` / `fluz refresh` exist to hand out the access token, and issue 5 puts it in their
 * --json document; human output shows it only with --show.
 */
const fluzToken =
  (extra: NonNullable<Allowance['kinds']> = []) =>
  (mode: Mode): Allowance => ({
    quietLine: mode === 'quiet',
    kinds: mode === 'json' ? ['jwt', ...extra] : mode === 'human' ? extra : [],
  })

const browserEnv = {BROWSER: TEST_BROWSER}

/**
 * For commands beyond the core token flows: --debug prints everything human output and --trace do
 * (plus stacks on errors), so it stands for all three; --json and -q are separate renderings.
 * The core flows (session create/exchange, fluz token, shuttle login) and the error paths run in
 * every mode regardless.
 */
const SUPERSET: Mode[] = ['json', 'quiet', 'debug']

/**
 * The sweep, once per way of holding the canary secrets. `extra` is added to every run's env (the
 * canary env variables in the first pass, nothing in the keychain pass).
 */
export function sweep(pass: 'env' | 'keychain') {
  beforeAll(async () => {
    emulator = await startEmulator({port: 0, secretMarker: MARKER, demoSecrets: CANARY, autoApprove: true, shuttleLoopbackAnyPort: true})
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    deadUrl = `http://127.0.0.1:${(server.address() as {port: number}).port}`
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  afterAll(async () => {
    await emulator?.close()
  })

  let sandbox: Sandbox
  const extra: Record<string, string> = pass === 'env' ? CANARY_ENV : {}
  const all: RecordedRun[] = []

  const run = async (label: string, args: string[], options: Parameters<typeof inModes>[3] = {}) => {
    const runs = await inModes(sandbox, `${pass}: ${label}`, args, {
      ...options,
      run: (mode) => {
        const own = options.run?.(mode) ?? {}
        return {...own, env: {...extra, ...browserEnv, ...own.env}}
      },
    })
    all.push(...runs)
    return runs
  }
  /** Asserts no leak and the expected exit codes, naming every problem at once. */
  const check = (runs: RecordedRun[]) => expect(problemsOf(runs, knownSecrets(emulator))).toEqual([])
  const once = async (args: string[], options: RunOptions = {}) => {
    const result = await sandbox.run(args, {timeoutMs: 60_000, ...options, env: {...extra, ...browserEnv, ...options.env}})
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0)
    return result
  }

  beforeAll(async () => {
    sandbox = await makeSandbox(emulator.url)
  })
  afterAll(async () => {
    await sandbox?.cleanup()
  })

  if (pass === 'keychain') {
    it('login reads each canary secret from stdin, verifies it, and echoes it nowhere', async () => {
      const runs: RecordedRun[] = []
      // Sequential: each login rewrites config.json.
      for (const mode of SUPERSET) {
        runs.push(
          ...(await run('login funtrips', ['login', 'funtrips', '--client-id', 'ft_demo_client', '--client-secret-stdin'], {
            modes: [mode],
            run: () => ({stdin: CANARY.funtripsClientSecret}),
          })),
        )
        runs.push(...(await run('login fluz', ['login', 'fluz', '--api-key-stdin'], {modes: [mode], run: () => ({stdin: `${CANARY.fluzApiKey}\n`})})))
        runs.push(
          ...(await run('login shuttle', ['login', 'shuttle', '--client-id', 'sh_demo_client', '--client-secret-stdin'], {
            modes: [mode],
            run: () => ({stdin: CANARY.shuttleClientSecret}),
          })),
        )
      }
      check(runs)
    })
  }

  if (pass === 'env') {
    it('session create (headless, webframe, PKCE) prints its session code on stdout only', async () => {
      const runs = [
        ...(await run('session create --headless', ['session', 'create', '--headless'], {allow: sessionCode})),
        ...(await run('session create --webframe', ['session', 'create', '--webframe'], {modes: ['human', 'trace'], allow: sessionCode})),
        ...(await run('session create --headless --pkce', ['session', 'create', '--headless', '--pkce'], {modes: ['json', 'debug'], allow: sessionCode})),
      ]
      check(runs)
    })

    it('session exchange (code on stdin, with and without PKCE) never echoes the code, the verifier or the bearer', async () => {
      const plainCodes = await Promise.all(ALL_MODES.map(() => once(['session', 'create', '--headless', '-q'])))
      const pkceModes: Mode[] = ['trace', 'debug']
      const pkceCodes = await Promise.all(pkceModes.map(() => once(['session', 'create', '--headless', '--pkce', '-q'])))
      const code = (list: typeof plainCodes, mode: Mode) => list[ALL_MODES.indexOf(mode)]!.stdout.trim()
      const runs = [
        ...(await run('session exchange', ['session', 'exchange'], {allow: quietOnly, run: (mode) => ({stdin: code(plainCodes, mode)})})),
        ...(await run('session exchange (pkce code)', ['session', 'exchange'], {
          modes: pkceModes,
          allow: quietOnly,
          run: (mode) => ({stdin: `${pkceCodes[pkceModes.indexOf(mode)]!.stdout.trim()}\n`}),
        })),
      ]
      const showCodes = await Promise.all(['human', 'json'].map(() => once(['session', 'create', '--headless', '-q'])))
      runs.push(
        ...(await run('session exchange --show', ['session', 'exchange', '--show'], {
          modes: ['human', 'json'],
          allow: shown(['jwt']),
          run: (mode) => ({stdin: showCodes[mode === 'human' ? 0 : 1]!.stdout.trim()}),
        })),
      )
      check(runs)
    })

    it('session create --headless --exchange hides the bearer unless -q or --show', async () => {
      const runs = [
        ...(await run('session create --exchange', ['session', 'create', '--headless', '--exchange'], {allow: quietOnly})),
        ...(await run('session create --exchange --pkce --fresh', ['session', 'create', '--headless', '--exchange', '--pkce', '--fresh'], {
          modes: ['trace', 'quiet'],
          allow: quietOnly,
        })),
        ...(await run('session create --exchange --show', ['session', 'create', '--headless', '--exchange', '--show'], {
          modes: ['human', 'json'],
          allow: shown(['jwt']),
        })),
      ]
      check(runs)
    })

    it('fluz token prints the access token only when asked (-q), the refresh token only with --show-refresh', async () => {
      const runs = [
        ...(await run('fluz token', ['fluz', 'token', '--scopes', 'LIST_OFFERS'], {allow: fluzToken()})),
        ...(await run('fluz token --fresh', ['fluz', 'token', '--scopes', 'LIST_OFFERS,PURCHASE_GIFTCARD', '--fresh'], {
          modes: ['trace', 'debug'],
          allow: fluzToken(),
        })),
        ...(await run('fluz token --show-refresh', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--show-refresh'], {
          modes: ['human', 'json'],
          allow: fluzToken(['refresh']),
        })),
        ...(await run('fluz token --show', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--show'], {modes: ['human'], allow: shown(['jwt'])})),
      ]
      check(runs)
    })

    it('fluz refresh and fluz scopes', async () => {
      const runs: RecordedRun[] = []
      // In parallel: the refresh lock makes them spend one refresh token after the other.
      runs.push(...(await run('fluz refresh', ['fluz', 'refresh', '--scopes', 'LIST_OFFERS'], {modes: SUPERSET, allow: fluzToken()})))
      runs.push(
        ...(await run('fluz refresh --show-refresh', ['fluz', 'refresh', '--scopes', 'LIST_OFFERS', '--show-refresh'], {
          modes: ['json'],
          allow: fluzToken(['refresh']),
        })),
      )
      runs.push(...(await run('fluz scopes', ['fluz', 'scopes'], {modes: ['json', 'debug']})))
      check(runs)
    })

    it('shuttle login (browser, PKCE, Basic and body client auth) and shuttle refresh', async () => {
      const runs = [
        ...(await run('shuttle login', ['shuttle', 'login', '--wait', '30', '--port', '0'], {allow: quietOnly})),
        ...(await run('shuttle login --client-auth body --no-pkce', ['shuttle', 'login', '--wait', '30', '--port', '0', '--client-auth', 'body', '--no-pkce'], {
          modes: ['json', 'trace'],
          allow: quietOnly,
        })),
      ]
      runs.push(...(await run('shuttle refresh', ['shuttle', 'refresh'], {modes: SUPERSET, allow: quietOnly})))
      check(runs)
    })

    it('call attaches each provider token without printing it', async () => {
      const runs = [
        ...(await run('call funtrips', ['call', '--provider', 'funtrips', '/v1/merchants'], {modes: ['json', 'debug']})),
        ...(await run('call funtrips --as backend', ['call', '--provider', 'funtrips', '--as', 'backend', '/v1/admin/fulfillments', '-i'], {modes: ['debug']})),
        ...(await run('call shuttle', ['call', '--provider', 'shuttle', '/payment_links', '-i'], {modes: ['json', 'debug']})),
        ...(await run('call fluz --query', ['call', 'fluz', '--query', 'query { marco }'], {modes: ['json', 'debug']})),
      ]
      check(runs)
    })

    it('token inspect / diff print claims, not tokens, unless --show', async () => {
      const runs = [
        ...(await run('token inspect funtrips', ['token', 'inspect', 'funtrips'], {modes: ['json', 'debug']})),
        ...(await run('token inspect fluz', ['token', 'inspect', 'fluz'], {modes: SUPERSET})),
        ...(await run('token inspect shuttle --verify', ['token', 'inspect', 'shuttle', '--verify'], {modes: ['json', 'debug']})),
        ...(await run('token inspect fluz --show', ['token', 'inspect', 'fluz', '--show'], {modes: ['human', 'json', 'quiet'], allow: shown(['jwt'])})),
        ...(await run('token diff fluz shuttle', ['token', 'diff', 'fluz', 'shuttle'], {modes: SUPERSET})),
      ]
      check(runs)
    })

    it('token inspect of a token given by env variable or stdin does not echo it', async () => {
      const token = (await once(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'])).stdout.trim()
      const runs = [
        ...(await run('token inspect env:VAR', ['token', 'inspect', 'env:CANARY_TOKEN'], {
          modes: ['json', 'debug'],
          run: () => ({env: {CANARY_TOKEN: token}}),
        })),
        ...(await run('token inspect -', ['token', 'inspect', '-'], {modes: ['quiet', 'debug'], run: () => ({stdin: token})})),
        ...(await run('token diff env:A -', ['token', 'diff', 'env:CANARY_TOKEN', '-'], {
          modes: ['json', 'debug'],
          run: () => ({env: {CANARY_TOKEN: token}, stdin: token}),
        })),
      ]
      check(runs)
    })

    it('status, config list/get and doctor (with and without --with-credentials)', async () => {
      const runs = [
        ...(await run('status', ['status'], {modes: SUPERSET})),
        ...(await run('config list', ['config', 'list'], {modes: ['json', 'debug']})),
        ...(await run('config get', ['config', 'get', 'funtrips.clientId'], {modes: ['quiet', 'debug']})),
        ...(await run('doctor', ['doctor'], {modes: ['json', 'debug']})),
        ...(await run('doctor --with-credentials', ['doctor', '--with-credentials'], {modes: ['json', 'debug']})),
      ]
      check(runs)
    })
  }

  if (pass === 'env') {
    it('a hostile provider echoing every credential back (encoded, in errors[] and extensions, cut off) is masked in every mode', async () => {
      const runs: RecordedRun[] = []
      const modes: Mode[] = ['human', 'json', 'quiet', 'trace', 'debug']
      // A stored Shuttle token to refresh and a cached Fluz token for `call` (when this test runs alone).
      await once(['shuttle', 'login', '--wait', '30', '-q'])
      await once(['fluz', 'token', '--scopes', 'LIST_OFFERS', '-q'])
      const hostile = (label: string, args: string[], expectCode: number, fault: Parameters<Emulator['inject']>[0]) => {
        emulator.inject({...fault, count: modes.length})
        return run(`hostile ${label}`, args, {modes, expectCode})
      }
      // Client credentials (Basic id:secret) echoed in an OAuth error body.
      runs.push(
        ...(await hostile('funtrips oauth echo', ['session', 'create', '--headless', '--fresh'], 6, {
          method: 'POST',
          path: '/funtrips/oauth/token',
          kind: 'echo-oauth',
        })),
      )
      // The Fluz API key echoed in GraphQL errors[] messages and nested extensions.
      runs.push(
        ...(await hostile('fluz graphql echo', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], 6, {
          method: 'POST',
          path: '/fluz/api/v1/graphql',
          kind: 'echo-graphql',
        })),
      )
      // A text body whose 500-character trace cut falls inside the refresh token.
      runs.push(...(await hostile('shuttle text echo', ['shuttle', 'refresh'], 6, {method: 'POST', path: '/shuttle/token', kind: 'echo-text'})))
      runs.push(...(await hostile('shuttle oauth echo', ['shuttle', 'refresh'], 6, {method: 'POST', path: '/shuttle/token', kind: 'echo-oauth'})))
      // The bearer a call attached, echoed in the errors[] of a 200 answer (the --json error carries the response).
      runs.push(
        ...(await hostile('call fluz graphql echo', ['call', 'fluz', '--query', 'query { marco }'], 6, {
          method: 'POST',
          path: '/fluz/api/v1/graphql',
          kind: 'echo-graphql',
        })),
      )
      check(runs)
      // The echoes were really served and masked (the test would prove nothing otherwise): every trace shows a mask.
      for (const traced of runs.filter((recorded) => recorded.label.endsWith('[trace]'))) expect(traced.result.stderr, traced.label).toContain('<redacted')
    })
  }

  if (pass === 'keychain') {
    it('the commands that read a client secret from the keychain echo it nowhere', async () => {
      const runs = [
        ...(await run('session create --headless --fresh', ['session', 'create', '--headless', '--fresh'], {modes: ['json', 'debug'], allow: sessionCode})),
        ...(await run('session create --exchange --pkce --fresh', ['session', 'create', '--headless', '--exchange', '--pkce', '--fresh'], {
          modes: ['debug'],
          allow: quietOnly,
        })),
        ...(await run('fluz token --fresh', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], {modes: ['debug', 'quiet'], allow: quietOnly})),
        ...(await run('shuttle login', ['shuttle', 'login', '--wait', '30', '--port', '0'], {modes: ['debug', 'quiet'], allow: quietOnly})),
        ...(await run('status', ['status'], {modes: ['json', 'debug']})),
        ...(await run('doctor --with-credentials', ['doctor', '--with-credentials'], {modes: ['json', 'debug']})),
      ]
      runs.push(...(await run('shuttle refresh', ['shuttle', 'refresh'], {modes: ['debug'], allow: quietOnly})))
      check(runs)
    })
  }

  it(
    pass === 'env'
      ? 'error paths in human, --json, --trace and --debug: wrong secret, expired and reused code, bad UUID, unreachable URL, malformed JSON'
      : 'error paths: a wrong secret piped into login',
    async () => {
      const runs: RecordedRun[] = []
      const errors = (label: string, args: string[], expectCode: number, options: Parameters<typeof inModes>[3] = {}) =>
        run(`error ${label}`, args, {modes: ERROR_MODES, expectCode, ...options})

      if (pass === 'keychain') {
        // A wrong secret typed into login: rejected by the verify call, echoed nowhere, stored nowhere.
        for (const mode of ['json', 'debug'] as Mode[]) {
          runs.push(
            ...(await errors('login funtrips wrong secret', ['login', 'funtrips', '--client-id', 'ft_demo_client', '--client-secret-stdin'], 3, {
              modes: [mode],
              run: () => ({stdin: WRONG.funtripsClientSecret}),
            })),
            ...(await errors('login fluz wrong key', ['login', 'fluz', '--api-key-stdin'], 3, {modes: [mode], run: () => ({stdin: WRONG.fluzApiKey})})),
            ...(await errors('login shuttle wrong secret', ['login', 'shuttle', '--client-id', 'sh_demo_client', '--client-secret-stdin'], 3, {
              modes: [mode],
              run: () => ({stdin: WRONG.shuttleClientSecret}),
            })),
          )
        }
        check(runs)
        return
      }

      // Wrong secrets given by env variable.
      runs.push(
        ...(await errors('wrong Funtrips secret', ['session', 'create', '--headless', '--fresh'], 3, {
          run: () => ({env: {FTAUTH_FUNTRIPS_CLIENT_SECRET: WRONG.funtripsClientSecret}}),
        })),
        ...(await errors('wrong Fluz API key', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], 3, {
          run: () => ({env: {FTAUTH_FLUZ_API_KEY: WRONG.fluzApiKey}}),
        })),
        ...(await errors('wrong Shuttle secret', ['shuttle', 'refresh'], 3, {run: () => ({env: {FTAUTH_SHUTTLE_CLIENT_SECRET: WRONG.shuttleClientSecret}})})),
      )

      // Expired codes: made now, spent after the emulator clock moved past their 5-minute lifetime.
      const expiring = await Promise.all(ERROR_MODES.map(() => once(['session', 'create', '--headless', '-q'])))
      emulator.advanceClock(400)
      try {
        runs.push(
          ...(await errors('expired session code', ['session', 'exchange'], 4, {run: (mode) => ({stdin: expiring[ERROR_MODES.indexOf(mode)]!.stdout.trim()})})),
        )
      } finally {
        emulator.advanceClock(-400)
      }

      // A reused code: spent once, then offered again in every mode.
      const reused = (await once(['session', 'create', '--headless', '-q'])).stdout.trim()
      await once(['session', 'exchange'], {stdin: reused})
      runs.push(...(await errors('reused session code', ['session', 'exchange'], 4, {run: () => ({stdin: reused})})))

      runs.push(
        ...(await errors('bad UUID flag', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--account-id', 'not-a-uuid'], 2)),
        ...(await errors('bad UUID env', ['fluz', 'token', '--scopes', 'LIST_OFFERS'], 2, {
          modes: ['json', 'debug'],
          run: () => ({env: {FTAUTH_FLUZ_USER_ID: 'user-42'}}),
        })),
      )

      const unreachable = {run: () => ({env: {FTAUTH_LOCAL_URL: deadUrl}})}
      runs.push(
        ...(await errors('unreachable Funtrips', ['session', 'create', '--headless', '--fresh'], 5, unreachable)),
        ...(await errors('unreachable Fluz', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], 5, unreachable)),
        ...(await errors('unreachable Shuttle', ['shuttle', 'refresh'], 5, unreachable)),
      )

      // Malformed JSON from each token endpoint (one fault per run: token requests are sent once).
      emulator.inject({method: 'POST', path: '/funtrips/oauth/token', kind: 'malformed-json', count: ERROR_MODES.length})
      runs.push(...(await errors('malformed JSON Funtrips', ['session', 'create', '--headless', '--fresh'], 6)))
      emulator.inject({method: 'POST', path: '/fluz/api/v1/graphql', kind: 'malformed-json', count: ERROR_MODES.length})
      runs.push(...(await errors('malformed JSON Fluz', ['fluz', 'token', '--scopes', 'LIST_OFFERS', '--fresh'], 6)))
      emulator.inject({method: 'POST', path: '/shuttle/token', kind: 'malformed-json', count: ERROR_MODES.length})
      runs.push(...(await errors('malformed JSON Shuttle', ['shuttle', 'login', '--wait', '30', '--port', '0'], 6)))
      check(runs)
    },
  )

  if (pass === 'env') {
    it('shuttle revoke', async () => {
      const runs: RecordedRun[] = []
      runs.push(...(await run('shuttle revoke', ['shuttle', 'revoke'], {modes: ['json', 'debug']})))
      runs.push(...(await run('shuttle revoke --refresh', ['shuttle', 'revoke', '--refresh'], {modes: ['trace']})))
      check(runs)
    })
  }

  it('no secret in any file under the config dir, before and after logout', async () => {
    const before = await fileLeaks(sandbox.configDir, knownSecrets(emulator))
    const runs: RecordedRun[] = []
    runs.push(...(await run('logout funtrips', ['logout', 'funtrips'], {modes: ['human']})))
    runs.push(...(await run('logout fluz', ['logout', 'fluz'], {modes: ['json']})))
    runs.push(...(await run('logout shuttle', ['logout', 'shuttle'], {modes: ['trace']})))
    runs.push(...(await run('logout --all', ['logout', '--all'], {modes: ['debug']})))
    runs.push(...(await run('logout --all', ['logout', '--all'], {modes: ['quiet']})))
    const secrets = knownSecrets(emulator)
    expect([...before.map((leak) => `before logout: ${leak}`), ...problemsOf(runs, secrets), ...(await fileLeaks(sandbox.configDir, secrets))]).toEqual([])
  })

  it('a full run of flows leaves every file 0600, every dir 0700, and no temp file or lock behind', async () => {
    expect(all.length).toBeGreaterThan(pass === 'env' ? 100 : 25)
    expect(await permissionProblems(sandbox.configDir)).toEqual([])
  })
}
