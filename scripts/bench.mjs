#!/usr/bin/env node
// `npm run bench`: wall time and peak RSS of every row of the speed targets (issue 19), as ratios
// against Node's own start (`node -e 0`) measured in the same rounds. Needs a built dist/ and a
// keychain (npm run bench wraps it in scripts/with-keyring.sh). docs/performance.md quotes its table.
//
//   node scripts/bench.mjs [--rounds N] [--warmup N] [--only row,row] [--json file] [--against DIR]
//
// --against DIR: every ftauth row also runs DIR/bin/run.js (another checkout, built) in the same
// rounds, for a before/after comparison that the machine's load hits alike.
//
// Every round runs each command once in a fresh shuffled order (a slow spell of the machine hits
// all rows alike, and no row always follows the same neighbour). Each run is spawned under GNU time
// (`/usr/bin/time -f %M`), so one run gives both its wall time and its peak RSS.
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {fileURLToPath} from 'node:url'

import {startEmulatorProcess} from './emulator-process.mjs'

const {values: options} = parseArgs({
  options: {
    rounds: {type: 'string', default: process.env.BENCH_RUNS ?? '25'},
    warmup: {type: 'string', default: '3'},
    only: {type: 'string'},
    json: {type: 'string'},
    against: {type: 'string'},
    help: {type: 'boolean', short: 'h'},
  },
})
const ROUNDS = Number(options.rounds)
const WARMUP = Number(options.warmup)
const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const TIME = '/usr/bin/time'
const hasTime = existsSync(TIME) && spawnSync(TIME, ['-f', '%M', 'true'], {encoding: 'utf8'}).status === 0

const ftauth = (...args) => [process.execPath, bin, ...args]
const QUERY = 'query { offers(first: 1) { offers { offerId } } }'

/**
 * The rows of the speed targets (issue 19). `wall`/`rss`: the most the median may be, as a multiple
 * of `node -e 0`'s median in the same rounds. `context` rows are measured for comparison only.
 */
const ROWS = [
  {key: 'node', label: 'node -e 0', argv: [process.execPath, '-e', '0']},
  {key: 'version', label: '--version', argv: ftauth('--version'), wall: 1.3, rss: 1.3},
  {key: 'status', label: 'status', argv: ftauth('status'), wall: 1.5, rss: 1.5},
  {key: 'token', label: 'fluz token -q (cached)', argv: ftauth('fluz', 'token', '-q', '--scopes', 'LIST_OFFERS'), wall: 1.5, rss: 1.5},
  {key: 'call', label: 'call fluz --query (cached token)', argv: ftauth('call', 'fluz', '--query', QUERY), wall: 1.5, rss: 1.5},
  {key: 'inspect', label: 'token inspect fluz (stored)', argv: ftauth('token', 'inspect', 'fluz'), wall: 1.5, rss: 1.5},
  {key: 'config-list', label: 'config list', argv: ftauth('config', 'list'), wall: 1.5, rss: 1.5},
  {key: 'config-get', label: 'config get fluz.userId', argv: ftauth('config', 'get', 'fluz.userId'), wall: 1.5, rss: 1.5},
  {key: 'help', label: '--help', argv: ftauth('--help'), wall: 1.5, rss: 1.5},
  {key: 'token-help', label: 'fluz token --help', argv: ftauth('fluz', 'token', '--help'), wall: 1.5, rss: 1.5},
  {key: 'login-help', label: 'login --help', argv: ftauth('login', '--help'), wall: 1.5, rss: 1.5},
  {key: 'curl', label: '3 × curl (bash), the headless requests', argv: undefined, context: true},
  // --fresh: a new backend bearer each run, so every run makes the same three requests as the curls.
  {
    key: 'headless',
    label: 'session create --headless --exchange --fresh -q',
    argv: ftauth('session', 'create', '--headless', '--exchange', '--fresh', '-q'),
    wall: 2.8,
    rss: 1.5,
  },
]

if (options.help) {
  console.log(
    `usage: node scripts/bench.mjs [--rounds N] [--warmup N] [--only row,row] [--json file] [--against DIR]\nrows: ${ROWS.map((r) => r.key).join(', ')}`,
  )
  process.exit(0)
}
if (!existsSync(join(root, 'dist', 'fast', 'index.js'))) {
  console.error('bench: dist/ is missing — run `npm run build` first')
  process.exit(2)
}
const only = options.only
  ?.split(',')
  .map((key) => key.trim())
  .filter(Boolean)
for (const key of only ?? []) {
  if (!ROWS.some((r) => r.key === key)) {
    console.error(`bench: unknown row ${key} (rows: ${ROWS.map((r) => r.key).join(', ')})`)
    process.exit(2)
  }
}
// node -e 0 is every ratio's floor; the curls are the headless row's second baseline.
const wanted = new Set(only ? ['node', ...only, ...(only.includes('headless') ? ['curl'] : [])] : ROWS.map((r) => r.key))
const rows = ROWS.filter((r) => wanted.has(r.key))
if (options.against) {
  const otherBin = join(options.against, 'bin', 'run.js')
  if (!existsSync(join(options.against, 'dist', 'fast', 'index.js'))) {
    console.error(`bench: ${options.against} has no built dist/`)
    process.exit(2)
  }
  for (const r of [...rows]) {
    if (r.argv?.[1] !== bin) continue
    rows.splice(rows.indexOf(r) + 1, 0, {
      ...r,
      key: `${r.key}@against`,
      label: `  ${r.label} (--against)`,
      argv: [r.argv[0], otherBin, ...r.argv.slice(2)],
      against: r.key,
    })
  }
}

const configDir = mkdtempSync(join(tmpdir(), 'ftauth-bench-'))
const service = `ftauth-bench-${randomBytes(4).toString('hex')}`
const emulator = await startEmulatorProcess(bin)
const env = {
  ...process.env,
  FTAUTH_CONFIG_DIR: configDir,
  FTAUTH_KEYCHAIN_SERVICE: service,
  FTAUTH_LOCAL_URL: emulator.url,
  FTAUTH_ENV: 'local',
  NO_COLOR: '1',
}
delete env.CI
// The caller's own settings (a profile, a fast-path switch, a trace) would change what is measured.
const kept = new Set(['FTAUTH_CONFIG_DIR', 'FTAUTH_KEYCHAIN_SERVICE', 'FTAUTH_LOCAL_URL', 'FTAUTH_ENV', 'FTAUTH_KEYRING_READY', 'FTAUTH_KEYRING_HOME'])
for (const name of Object.keys(env)) if (name.startsWith('FTAUTH_') && !kept.has(name)) delete env[name]

try {
  // The cached rows need a cached Fluz token (its cache entry also feeds `token inspect fluz`).
  once(ftauth('fluz', 'token', '-q', '--scopes', 'LIST_OFFERS'), 'priming the Fluz token cache')
  const curlScript = join(configDir, 'headless.sh')
  writeFileSync(curlScript, headlessCurlScript(emulator.url), {mode: 0o700})
  for (const r of rows) if (r.key === 'curl') r.argv = ['bash', curlScript]

  const samples = Object.fromEntries(rows.map((r) => [r.key, {wall: [], rss: []}]))
  const started = Date.now()
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const r of shuffled(rows)) {
      const {ms, rssKiB} = measure(r)
      if (round >= WARMUP) {
        samples[r.key].wall.push(ms)
        if (rssKiB !== undefined) samples[r.key].rss.push(rssKiB)
      }
    }
    if (process.stderr.isTTY) process.stderr.write(`\rbench: round ${round + 1}/${WARMUP + ROUNDS}`)
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
  const report = summarize(rows, samples)
  console.log(render(report, (Date.now() - started) / 1000))
  if (options.json)
    writeFileSync(
      options.json,
      `${JSON.stringify({node: process.version, platform: process.platform, rounds: ROUNDS, warmup: WARMUP, rows: report}, null, 2)}\n`,
    )
} finally {
  await emulator.stop()
  // The throwaway keychain service's items go with it (no-op under scripts/with-keyring.sh, whose keyring is thrown away anyway).
  spawnSync(
    process.execPath,
    [
      '-e',
      `import('@napi-rs/keyring').then(async ({findCredentialsAsync, AsyncEntry}) => { for (const c of await findCredentialsAsync(${JSON.stringify(service)})) await new AsyncEntry(${JSON.stringify(service)}, c.account, {linux: {store: 'secret-service'}}).deleteCredential() }).catch(() => {})`,
    ],
    {cwd: root},
  )
  rmSync(configDir, {recursive: true, force: true})
}

function once(argv, what) {
  const result = spawnSync(argv[0], argv.slice(1), {env, encoding: 'utf8'})
  if (result.status !== 0) {
    console.error(`bench: ${what} failed (exit ${result.status}): ${result.stderr.trim()}`)
    process.exit(1)
  }
}

/** One run: wall time from here (spawn to exit), peak RSS from GNU time. */
function measure(r) {
  const argv = hasTime ? [TIME, '-f', '%M', ...r.argv] : r.argv
  const started = process.hrtime.bigint()
  const result = spawnSync(argv[0], argv.slice(1), {env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const stderr = result.stderr.toString()
  if (result.status !== 0) {
    console.error(`bench: ${r.label} failed (exit ${result.status}):\n${stderr.trim()}`)
    process.exit(1)
  }
  const rssKiB = hasTime ? Number(stderr.trim().split('\n').pop()) : undefined
  return {ms, rssKiB: Number.isFinite(rssKiB) ? rssKiB : undefined}
}

function shuffled(list) {
  const copy = [...list]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low)
}

function stats(list) {
  const sorted = [...list].sort((a, b) => a - b)
  return {median: quantile(sorted, 0.5), p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75), min: sorted[0], max: sorted.at(-1), n: sorted.length}
}

function summarize(rows, samples) {
  const node = {wall: stats(samples.node.wall), rss: stats(samples.node.rss)}
  const curl = samples.curl ? stats(samples.curl.wall) : undefined
  return rows.map((r) => {
    const wall = stats(samples[r.key].wall)
    const rss = stats(samples[r.key].rss)
    const wallRatio = wall.median / node.wall.median
    const rssRatio = rss.median / node.rss.median
    const verdict = r.wall === undefined ? undefined : wallRatio <= r.wall && (Number.isNaN(rssRatio) || rssRatio <= r.rss) ? 'ok' : 'missed'
    const out = {key: r.key, label: r.label, against: r.against, wall, rss, wallRatio, rssRatio, wallTarget: r.wall, rssTarget: r.rss, verdict}
    // The headless flow can do no better than starting Node and then making the three requests.
    if (r.key === 'headless' && curl) out.nodeCurlRatio = wall.median / (node.wall.median + curl.median)
    return out
  })
}

function render(report, seconds) {
  const ms = (v) => v.toFixed(0)
  const mib = (kib) => (kib / 1024).toFixed(1)
  const lines = [
    `ftauth bench — ${ROUNDS} rounds after ${WARMUP} warm-up, commands shuffled per round (${process.version}, ${process.platform}, ${seconds.toFixed(0)} s)`,
    '',
    '| command | wall median (p25–p75) ms | × node | target | peak RSS median (p25–p75) MiB | × node | target | |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ]
  for (const r of report) {
    const wall = `${ms(r.wall.median)} (${ms(r.wall.p25)}–${ms(r.wall.p75)})`
    const rss = Number.isNaN(r.rss.median) ? 'n/a' : `${mib(r.rss.median)} (${mib(r.rss.p25)}–${mib(r.rss.p75)})`
    const target = (t) => (t === undefined ? '' : `≤ ${t}×`)
    const rssRatio = Number.isNaN(r.rssRatio) ? '' : `${r.rssRatio.toFixed(2)}×`
    const verdict =
      r.verdict === undefined ? '' : r.verdict === 'ok' ? 'ok' : `MISSED${r.wallRatio > r.wallTarget ? ' wall' : ''}${r.rssRatio > r.rssTarget ? ' rss' : ''}`
    lines.push(`| ${r.label} | ${wall} | ${r.wallRatio.toFixed(2)}× | ${target(r.wallTarget)} | ${rss} | ${rssRatio} | ${target(r.rssTarget)} | ${verdict} |`)
  }
  const against = report.filter((r) => r.against)
  if (against.length > 0) {
    lines.push('', `this build against ${options.against} (ratio of medians; < 1 is faster or smaller here):`, '')
    for (const r of against) {
      const mine = report.find((m) => m.key === r.against)
      lines.push(`  ${mine.label.padEnd(50)} wall ${(mine.wall.median / r.wall.median).toFixed(2)}×  rss ${(mine.rss.median / r.rss.median).toFixed(2)}×`)
    }
  }
  const node = report.find((r) => r.key === 'node')
  const headless = report.find((r) => r.key === 'headless')
  lines.push('')
  // A quiet machine shows a narrow node -e 0; a wide one means every ratio above is rough.
  lines.push(
    `machine check: node -e 0 wall p25–p75 ${ms(node.wall.p25)}–${ms(node.wall.p75)} ms (spread ${(((node.wall.p75 - node.wall.p25) / node.wall.median) * 100).toFixed(0)}% of the median), min–max ${ms(node.wall.min)}–${ms(node.wall.max)} ms`,
  )
  if (headless?.nodeCurlRatio !== undefined) lines.push(`headless flow against node -e 0 + 3 × curl: ${headless.nodeCurlRatio.toFixed(2)}×`)
  if (!hasTime) lines.push('peak RSS: not measured (GNU time is not at /usr/bin/time)')
  return lines.join('\n')
}

/** The same three requests as the headless flow, as a shell user would make them with curl. */
function headlessCurlScript(url) {
  return `#!/usr/bin/env bash
set -euo pipefail
base=${url}/funtrips
backend=$(curl -sf -X POST "$base/oauth/token" -d grant_type=client_credentials -d client_id=ft_demo_client -d client_secret=ft_demo_secret_5f2c9a | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
code=$(curl -sf -X POST "$base/v1/session" -H "authorization: Bearer $backend" -H 'content-type: application/json' -d '{"integration":"headless","external_user_id":"demo.user@example.com"}' | sed -E 's/.*"session_code":"([^"]+)".*/\\1/')
curl -sf -X POST "$base/v1/session/token" -d "session_code=$code" -d client_id=ft_demo_client -d client_secret=ft_demo_secret_5f2c9a >/dev/null
`
}
