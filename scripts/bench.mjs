#!/usr/bin/env node
// `npm run bench`: start-up and flow speed as ratios against Node's own floor, on this machine, in
// one run (median of RUNS after WARMUP, commands interleaved). Prints a table; docs/performance.md quotes it.
// Needs a built dist/ and a keychain (npm run bench wraps it in scripts/with-keyring.sh).
import {spawn, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const RUNS = Number(process.env.BENCH_RUNS ?? 25)
const WARMUP = 3
const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
if (!existsSync(join(root, 'dist', 'ftauth.js'))) {
  console.error('bench: dist/ftauth.js is missing — run `npm run build` first')
  process.exit(2)
}

const configDir = mkdtempSync(join(tmpdir(), 'ftauth-bench-'))
const service = `ftauth-bench-${randomBytes(4).toString('hex')}`
const emulator = await startEmulator()
const env = {
  ...process.env,
  FTAUTH_CONFIG_DIR: configDir,
  FTAUTH_KEYCHAIN_SERVICE: service,
  FTAUTH_LOCAL_URL: emulator.url,
  FTAUTH_ENV: 'local',
  NO_COLOR: '1',
}
delete env.CI

try {
  const ftauth = (...args) => [process.execPath, bin, ...args]
  run(ftauth('fluz', 'token', '-q', '--scopes', 'LIST_OFFERS'), 'prime the Fluz token cache')
  const curlScript = join(configDir, 'headless.sh')
  writeFileSync(curlScript, headlessCurlScript(emulator.url), {mode: 0o700})

  // Interleaved: every round runs each command once, so a slow spell of the machine hits all of
  // them alike instead of skewing whichever ran then.
  const measured = medians({
    node: [process.execPath, '-e', '0'],
    version: ftauth('--version'),
    status: ftauth('status'),
    cached: ftauth('fluz', 'token', '-q', '--scopes', 'LIST_OFFERS'),
    curl: ['bash', curlScript],
    headless: ftauth('session', 'create', '--headless', '--exchange', '--fresh', '-q'),
  })
  const {node: floor, curl} = measured
  const rows = [
    row('node -e 0', floor, floor),
    row('ftauth --version', measured.version, floor, 1.8),
    row('ftauth status', measured.status, floor, 1.8),
    row('ftauth fluz token -q (cached)', measured.cached, floor, 2.0),
    row('headless flow: 3 × curl (bash)', curl, curl),
    row('ftauth session create --headless --exchange --fresh -q', measured.headless, curl, 1.3, 'curl'),
    // Context for the row above: no Node program can beat starting Node and then doing the work.
    row('  the same, against node -e 0 + 3 × curl', measured.headless, floor + curl, undefined, 'node + curl'),
  ]
  const nodeRss = peakRss([process.execPath, '-e', '0'])
  const cachedRss = peakRss(ftauth('fluz', 'token', '-q', '--scopes', 'LIST_OFFERS'))
  printTable(rows, nodeRss, cachedRss)
} finally {
  await emulator.stop()
  spawnSync(process.execPath, ['-e', `import('@napi-rs/keyring').then(async ({findCredentialsAsync, AsyncEntry}) => { for (const c of await findCredentialsAsync(${JSON.stringify(service)})) await new AsyncEntry(${JSON.stringify(service)}, c.account, {linux: {store: 'secret-service'}}).deleteCredential() }).catch(() => {})`], {cwd: root})
  rmSync(configDir, {recursive: true, force: true})
}

function run(argv, what) {
  const result = spawnSync(argv[0], argv.slice(1), {env, encoding: 'utf8'})
  if (result.status !== 0) {
    console.error(`bench: ${what} failed (exit ${result.status}): ${result.stderr.trim()}`)
    process.exit(1)
  }
  return result.stdout
}

function medians(commands) {
  const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]))
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (const [name, argv] of Object.entries(commands)) {
      const started = process.hrtime.bigint()
      const result = spawnSync(argv[0], argv.slice(1), {env, stdio: ['ignore', 'ignore', 'pipe']})
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      if (result.status !== 0) {
        console.error(`bench: ${argv.slice(1).join(' ')} failed: ${result.stderr}`)
        process.exit(1)
      }
      if (round >= WARMUP) times[name].push(ms)
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, list]) => {
      list.sort((a, b) => a - b)
      return [name, list[Math.floor(list.length / 2)]]
    }),
  )
}

/** Peak RSS in KiB via GNU time when present (it sees the whole process, start to end). */
function peakRss(argv) {
  if (!existsSync('/usr/bin/time')) return undefined
  const samples = []
  for (let i = 0; i < 5; i++) {
    const result = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], {env, encoding: 'utf8'})
    samples.push(Number(result.stderr.trim().split('\n').pop()))
  }
  return samples.sort((a, b) => a - b)[2]
}

function row(name, ms, baseline, target, baselineName = 'node -e 0') {
  return {name, ms, baseline, ratio: ms / baseline, target, baselineName}
}

function printTable(rows, nodeRss, cachedRss) {
  const lines = [`ftauth bench — ${RUNS} runs, median, after ${WARMUP} warm-up runs (${process.version}, ${process.platform})`, '']
  lines.push(`| measurement | median | ratio | target | |`, `|---|---:|---:|---:|---|`)
  for (const r of rows) {
    const verdict = r.target === undefined ? '' : r.ratio <= r.target ? 'ok' : 'MISSED'
    const ratio = r.ms === r.baseline ? '1.00×' : `${r.ratio.toFixed(2)}× ${r.baselineName}`
    lines.push(`| ${r.name} | ${r.ms.toFixed(1)} ms | ${ratio} | ${r.target === undefined ? '' : `≤ ${r.target}×`} | ${verdict} |`)
  }
  if (nodeRss && cachedRss) {
    const ratio = cachedRss / nodeRss
    lines.push(`| peak RSS: node -e 0 | ${(nodeRss / 1024).toFixed(1)} MiB | 1.00× | | |`)
    lines.push(`| peak RSS: ftauth fluz token -q (cached) | ${(cachedRss / 1024).toFixed(1)} MiB | ${ratio.toFixed(2)}× node -e 0 | ≤ 1.5× | ${ratio <= 1.5 ? 'ok' : 'MISSED'} |`)
  }
  console.log(lines.join('\n'))
}

/** The same three requests as the headless flow, as a shell user would make them with curl. */
function headlessCurlScript(url) {
  return `#!/usr/bin/env bash
set -euo pipefail
base=${url}/funtrips
backend=$(curl -sf -X POST "$base/oauth/token" -d grant_type=client_credentials -d client_id=ft_demo_client -d client_secret=ft_demo_secret_5f2c9a | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
code=$(curl -sf -X POST "$base/v1/session" -H "authorization: Bearer $backend" -H 'content-type: application/json' -d '{"integration":"headless"}' | sed -E 's/.*"session_code":"([^"]+)".*/\\1/')
curl -sf -X POST "$base/v1/session/token" -d "code=$code" -d client_id=ft_demo_client -d client_secret=ft_demo_secret_5f2c9a >/dev/null
`
}

/** The emulator as its own process, exactly as a user starts it. */
function startEmulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'emulator', '--port', '0', '--json'], {stdio: ['ignore', 'pipe', 'inherit']})
    let buffer = ''
    child.stdout.on('data', (chunk) => {
      buffer += chunk
      const line = buffer.split('\n')[0]
      if (buffer.includes('\n')) {
        const {url} = JSON.parse(line)
        resolve({url, stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGINT')))})
      }
    })
    child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)))
  })
}
