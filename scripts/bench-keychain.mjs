#!/usr/bin/env node
// The keychain, measured (issue 17 part 4, docs/performance.md "Keychain"). Run under a throwaway
// Secret Service, after `npm run build`:
//
//   scripts/with-keyring.sh node scripts/bench-keychain.mjs            (BENCH_RUNS=25 by default)
//
// Part 1 times the keychain reads alone, each variant in a fresh `node` process (as a command pays
// them), rounds interleaved: the production KeychainBackend ("own": the own Secret Service client
// on Linux) against @napi-rs/keyring alone ("binding": the bus probe, then one binding entry per
// item, as KeychainBackend does without the own client), reading one item (a cached token), three
// items (status's three credentials) or one item holding every secret of a profile and environment
// as JSON (the fewer-items layout), and listing the service.
// Part 2 times whole commands (with `--trace` once first, to count the keychain calls), and the
// "no keychain" answer (no D-Bus address; a dead one). BENCH_BEFORE=<another built checkout> adds
// its rows for comparison (the numbers in docs/performance.md compare main before issue 17 part 4,
// where FTAUTH_KEYCHAIN_VIA=binding was patched in for the experiment only: in KeychainBackend's
// directClient(), `|| process.env.FTAUTH_KEYCHAIN_VIA === 'binding'` added to the condition that
// answers undefined, and a stderr line per rawGet/accounts when FTAUTH_KEYCHAIN_COUNT is set).
// Wall time is measured around the process; peak RSS is GNU time's %M of the same run.
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {startEmulatorProcess} from './emulator-process.mjs'

import {build} from 'esbuild'

const RUNS = Number(process.env.BENCH_RUNS ?? 25)
const WARMUP = 2
const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const TIME = '/usr/bin/time'
if (!existsSync(join(root, 'dist', 'ftauth.js'))) fail('dist/ftauth.js is missing: run `npm run build` first')
if (!existsSync(TIME)) fail(`${TIME} (GNU time) is needed for peak RSS`)
if (!process.env.DBUS_SESSION_BUS_ADDRESS) fail('no D-Bus session: run under scripts/with-keyring.sh')

const work = mkdtempSync(join(tmpdir(), 'ftauth-bench-kc-'))
const service = `ftauth-bench-kc-${randomBytes(4).toString('hex')}`
// Inside the repo, so the bundle resolves the binding from node_modules as dist/ does.
const microFile = join(root, 'node_modules', '.cache', `ftauth-bench-keychain-${process.pid}.mjs`)

// A micro program over the production modules, bundled like dist/ (the binding stays external).
await build({
  stdin: {
    contents: `
      import {KeychainBackend} from './src/core/keychain.ts'
      import {probeSessionBus} from './src/core/keychain/dbus.ts'
      const [mode, service, ...accounts] = process.argv.slice(2)
      const options = {linux: {store: 'secret-service'}}
      const binding = async () => {
        const bus = await probeSessionBus(process.env.DBUS_SESSION_BUS_ADDRESS, 10000)
        if (!bus.ok) throw new Error(bus.reason)
        return import('@napi-rs/keyring')
      }
      if (mode === 'seed') {
        const {AsyncEntry} = await import('@napi-rs/keyring')
        for (const [account, value] of Object.entries(JSON.parse(process.env.SEED))) await new AsyncEntry(service, account, options).setPassword(value)
      } else if (mode === 'clear') {
        const {AsyncEntry, findCredentialsAsync} = await import('@napi-rs/keyring')
        for (const {account} of await findCredentialsAsync(service)) await new AsyncEntry(service, account, options).deleteCredential()
      } else if (mode === 'read') {
        const keychain = new KeychainBackend(service, 10000)
        for (const account of accounts) if ((await keychain.get(account)) === null) throw new Error('missing ' + account)
      } else if (mode === 'blob') {
        const keychain = new KeychainBackend(service, 10000)
        const all = JSON.parse(await keychain.get(accounts[0]))
        if (Object.keys(all).length < 2) throw new Error('blob too small')
      } else if (mode === 'list') {
        const keychain = new KeychainBackend(service, 10000)
        if ((await keychain.accounts()).length < 1) throw new Error('nothing listed')
      } else if (mode === 'read-binding') {
        const {AsyncEntry} = await binding()
        for (const account of accounts) if ((await new AsyncEntry(service, account, options).getPassword()) == null) throw new Error('missing ' + account)
      } else if (mode === 'blob-binding') {
        const {AsyncEntry} = await binding()
        const all = JSON.parse(await new AsyncEntry(service, accounts[0], options).getPassword())
        if (Object.keys(all).length < 2) throw new Error('blob too small')
      } else if (mode === 'list-binding') {
        const {findCredentialsAsync} = await binding()
        if ((await findCredentialsAsync(service)).length < 1) throw new Error('nothing listed')
      }
    `,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@napi-rs/keyring'],
  outfile: microFile,
  logLevel: 'error',
})
const microEnv = {...process.env}

// Realistic sizes: a Fluz token entry (JWT access token, refresh token, metadata) is ~900 chars.
const jwt = `eyJhbGciOiJSUzI1NiJ9.${randomBytes(360).toString('base64url')}.${randomBytes(256).toString('base64url')}`.slice(0, 700)
const token = JSON.stringify({
  accessToken: jwt,
  refreshToken: randomBytes(48).toString('hex'),
  expiresAt: new Date(Date.now() + 3.6e6).toISOString(),
  obtainedAt: new Date().toISOString(),
  env: 'sandbox',
  scopes: ['LIST_OFFERS'],
  meta: {},
}).slice(0, 990)
const items = {
  'p:fluz:token:k1': token,
  'p:fluz:sandbox.api_key': randomBytes(24).toString('hex'),
  'p:funtrips:sandbox.client_secret': randomBytes(24).toString('hex'),
  'p:shuttle:sandbox.client_secret': randomBytes(24).toString('hex'),
}
// The fewer-items layout: one item per profile and environment with all of its secrets.
const blob = {'p:sandbox': JSON.stringify(items)}
const credentials = ['p:fluz:sandbox.api_key', 'p:funtrips:sandbox.client_secret', 'p:shuttle:sandbox.client_secret']

const configDir = mkdtempSync(join(tmpdir(), 'ftauth-bench-kc-config-'))
const cliService = `${service}-cli`
const cliServices = []
const pick = (env) => ({FTAUTH_CONFIG_DIR: env.FTAUTH_CONFIG_DIR, FTAUTH_KEYCHAIN_SERVICE: env.FTAUTH_KEYCHAIN_SERVICE})
let emulator
try {
  must(spawnSync(process.execPath, [microFile, 'seed', service], {env: {...microEnv, SEED: JSON.stringify({...items, ...blob})}, encoding: 'utf8'}), 'seeding')

  const node = (...args) => ({argv: [process.execPath, ...args], env: microEnv})
  const microRun = (...args) => ({argv: [process.execPath, microFile, ...args], env: microEnv})
  const part1 = measure({
    'node -e 0': node('-e', '0'),
    'own: read 1 item (cached token)': microRun('read', service, 'p:fluz:token:k1'),
    'binding: read 1 item (cached token)': microRun('read-binding', service, 'p:fluz:token:k1'),
    'own: read 3 items (status credentials)': microRun('read', service, ...credentials),
    'binding: read 3 items (status credentials)': microRun('read-binding', service, ...credentials),
    'own: read 1 JSON item with all 4 secrets': microRun('blob', service, 'p:sandbox'),
    'binding: read 1 JSON item with all 4 secrets': microRun('blob-binding', service, 'p:sandbox'),
    'own: list the service': microRun('list', service),
    'binding: list the service': microRun('list-binding', service),
  })
  print('Keychain reads alone, each in a fresh node process', part1)

  emulator = await startEmulatorProcess(bin)
  const cliEnv = {
    ...process.env,
    FTAUTH_CONFIG_DIR: configDir,
    FTAUTH_KEYCHAIN_SERVICE: cliService,
    FTAUTH_LOCAL_URL: emulator.url,
    FTAUTH_ENV: 'local',
    NO_COLOR: '1',
  }
  delete cliEnv.CI
  const before = process.env.BENCH_BEFORE
  const checkouts = {'': bin, ...(before ? {'before, ': join(before, 'bin', 'run.js')} : {})}
  const noBus = {...cliEnv}
  delete noBus.DBUS_SESSION_BUS_ADDRESS
  const variants = {'node -e 0': {argv: [process.execPath, '-e', '0'], env: cliEnv}}
  for (const [tag, entry] of Object.entries(checkouts)) {
    const ftauth = (...args) => [process.execPath, entry, ...args]
    const cached = ftauth('fluz', 'token', '-q', '--scopes', 'LIST_OFFERS')
    // Each checkout primes its own cache: the chunk layout of the stored token is part of what is measured.
    const env = {...cliEnv, FTAUTH_CONFIG_DIR: mkdtempSync(join(configDir, 'c-')), FTAUTH_KEYCHAIN_SERVICE: `${cliService}-${tag ? 'before' : 'now'}`}
    cliServices.push(env.FTAUTH_KEYCHAIN_SERVICE)
    must(spawnSync(cached[0], cached.slice(1), {env, encoding: 'utf8'}), 'priming the Fluz token cache')
    for (const [name, argv] of [
      ['status', ftauth('status')],
      ['fluz token -q (cached)', cached],
    ]) {
      // --trace names every keychain call (FTAUTH_KEYCHAIN_COUNT: the counter patched into the "before" checkout).
      const counted = spawnSync(argv[0], [...argv.slice(1), '--trace'], {env: {...env, FTAUTH_KEYCHAIN_COUNT: '1'}, encoding: 'utf8'})
      const lines = counted.stderr.split('\n').filter((line) => /^keychain(-count)?: (read|list) /.test(line))
      console.log(
        `${tag || 'now, '}keychain calls of \`ftauth ${name}\`: ${lines.filter((l) => / read /.test(l)).length} reads, ${lines.filter((l) => / list /.test(l)).length} listings`,
      )
    }
    variants[`${tag}status`] = {argv: ftauth('status'), env}
    variants[`${tag}fluz token -q (cached)`] = {argv: cached, env}
    if (tag) {
      variants[`${tag}status, binding only`] = {argv: ftauth('status'), env: {...env, FTAUTH_KEYCHAIN_VIA: 'binding'}}
      variants[`${tag}fluz token -q (cached), binding only`] = {argv: cached, env: {...env, FTAUTH_KEYCHAIN_VIA: 'binding'}}
    }
    variants[`${tag}status, no D-Bus address`] = {argv: ftauth('status'), env: {...noBus, ...pick(env)}}
    variants[`${tag}status, dead D-Bus address`] = {argv: ftauth('status'), env: {...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(work, 'no-bus')}`}}
  }
  const part2 = measure(variants)
  print('Whole commands (local emulator, demo credentials, one cached Fluz token)', part2)
} finally {
  await emulator?.stop()
  spawnSync(process.execPath, [microFile, 'clear', service], {env: microEnv})
  for (const name of cliServices) spawnSync(process.execPath, [microFile, 'clear', name], {env: microEnv})
  rmSync(microFile, {force: true})
  rmSync(work, {recursive: true, force: true})
  rmSync(configDir, {recursive: true, force: true})
}

/** Interleaved rounds: every variant once per round, so a busy spell of the machine hits all alike. */
function measure(variants) {
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, {ms: [], kib: []}]))
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (const [name, {argv, env}] of Object.entries(variants)) {
      const started = process.hrtime.bigint()
      const result = spawnSync(TIME, ['-f', 'peak-rss:%M', ...argv], {env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe']})
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const rss = /peak-rss:(\d+)/.exec(result.stderr)
      if (!rss || (result.status !== 0 && !name.includes('D-Bus'))) fail(`${name} failed (exit ${result.status}): ${result.stderr.slice(0, 500)}`)
      if (round >= WARMUP) {
        samples[name].ms.push(ms)
        samples[name].kib.push(Number(rss[1]))
      }
    }
  }
  return samples
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

function print(title, samples) {
  const stats = Object.fromEntries(
    Object.entries(samples).map(([name, {ms, kib}]) => {
      ms.sort((a, b) => a - b)
      kib.sort((a, b) => a - b)
      return [name, {median: quantile(ms, 0.5), p25: quantile(ms, 0.25), p75: quantile(ms, 0.75), rss: quantile(kib, 0.5) / 1024}]
    }),
  )
  const floor = stats['node -e 0']
  const lines = [`\n${title} — ${RUNS} interleaved rounds after ${WARMUP} warm-up (${process.version}, ${process.platform})`, '']
  lines.push('| variant | median | p25–p75 | × node -e 0 | peak RSS | × node -e 0 |', '|---|---:|---:|---:|---:|---:|')
  for (const [name, s] of Object.entries(stats)) {
    lines.push(
      `| ${name} | ${s.median.toFixed(1)} ms | ${s.p25.toFixed(1)}–${s.p75.toFixed(1)} | ${(s.median / floor.median).toFixed(2)}× | ${s.rss.toFixed(1)} MiB | ${(s.rss / floor.rss).toFixed(2)}× |`,
    )
  }
  console.log(lines.join('\n'))
}

function must(result, what) {
  if (result.status !== 0) fail(`${what} failed (exit ${result.status}): ${result.stderr}`)
}

function fail(message) {
  console.error(`bench-keychain: ${message}`)
  process.exit(1)
}
