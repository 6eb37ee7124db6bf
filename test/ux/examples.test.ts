// Examples that run: every `ftauth …` line in the sh code blocks of the README and of docs/*.md, and
// in each command's --help examples (read from the current docs and oclif manifests) runs against the emulator, in order,
// in one throwaway config dir and keychain service — or is listed below with the reason it cannot.
import {execFile} from 'node:child_process'
import {mkdir, readdir, readFile, symlink} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {DEMO} from '../../src/emulator/index.js'
import {makeWorld, type World} from '../call/helpers.js'
import {BIN, ROOT} from '../helpers/cli.js'
import {TEST_BROWSER} from '../shuttle/helpers.js'

vi.setConfig({testTimeout: 120_000, hookTimeout: 180_000})

/** An example line and where it was found. */
interface Example {
  line: string
  source: string
}

/** Runs `ftauth` as a command (not part of another word such as ./ftauth-*.tgz). */
const RUNS_FTAUTH = /(^|[|;&(]\s*|\$\(\s*|^(\w+=\S*\s+)+)ftauth(\s|$)/

/** A page's sh blocks outside the generated command reference (that is the --help text, below). */
function readmeExamples(readme: string, page = 'README'): Example[] {
  const examples: Example[] = []
  const outsideReference = readme.replace(/<!-- commands -->[\s\S]*<!-- commandsstop -->/, '')
  let section = ''
  let inBlock = false
  for (const raw of outsideReference.split('\n')) {
    if (raw.startsWith('#')) section = raw.replace(/^#+\s*/, '')
    if (raw.startsWith('```')) {
      inBlock = !inBlock && raw.trim() === '```sh'
      continue
    }
    if (!inBlock) continue
    const line = raw.replace(/\s{2,}#.*$/, '').trim()
    if (RUNS_FTAUTH.test(line)) examples.push({line, source: `${page}: ${section}`})
  }
  return examples
}

/** Each command's examples as `--help` prints them, from our manifest and the plugins' own. */
async function helpExamples(): Promise<Example[]> {
  const manifests = [join(ROOT, 'oclif.manifest.json'), join(ROOT, 'node_modules', '@oclif', 'plugin-autocomplete', 'oclif.manifest.json')]
  const examples: Example[] = []
  for (const path of manifests) {
    const manifest = JSON.parse(await readFile(path, 'utf8')) as {commands: Record<string, {examples?: (string | {command: string})[]}>}
    for (const [id, command] of Object.entries(manifest.commands)) {
      for (const example of command.examples ?? []) {
        const text = typeof example === 'string' ? example : example.command
        const line = text
          .replaceAll('<%= config.bin %>', 'ftauth')
          .replace(/^\$\s+/, '')
          .trim()
        if (RUNS_FTAUTH.test(line)) examples.push({line, source: `ftauth ${id.replaceAll(':', ' ')} --help`})
      }
    }
  }
  return examples
}

/**
 * Lines that cannot run against the emulator here, each with the reason. Keyed by the exact line;
 * a line listed here that no longer appears anywhere fails the test, so the list stays honest.
 */
const CANNOT_RUN: Record<string, string> = {
  'ftauth login funtrips': 'prompts for the client id and secret: the terminal test (test/ux/terminal.test.ts) types them',
  'ftauth emulator': 'listens on the fixed port 7787, which parallel test runs may hold; `ftauth emulator --port 0 --json` runs instead',
  'ftauth emulator --token-ttl 30 --code-ttl 10 --auto-approve': 'listens on the fixed port 7787 (see above)',
  'ftauth shuttle login --no-browser': 'waits for a person to open the printed URL (the browser test covers the consent page)',
  'ftauth shuttle login --no-browser --wait 600': 'waits for a person to open the printed URL (the browser test covers the consent page)',
  'BROWSER=firefox ftauth shuttle login --client-auth body': 'needs Firefox; the same login with the stand-in browser runs as `ftauth shuttle login`',
  'ftauth shuttle login --redirect-uri http://127.0.0.1:8765/callback --scope "read write"':
    'listens on the fixed port 8765, which parallel test runs may hold',
  'ftauth shuttle login':
    'listens on the fixed port 8765 of the default redirect, which parallel test runs may hold; the same login with --port 0 runs before the examples',
  'ftauth emulator --shuttle-redirect http://127.0.0.1:9000/callback --shuttle-redirect https://partner.example/cb':
    'listens on the fixed port 7787 (see above)',
}

/** Placeholders in the docs (ellipses, made-up ids) and what stands for them here. */
const PLACEHOLDERS: [string | RegExp, string][] = [
  [/6f1[ce]…/g, DEMO.fluz.userId],
  [/(a3b4|0c9d)…/g, DEMO.fluz.accountId],
  [/sc_8f4f(…|[0-9a-f]{28})/g, '$(ftauth session create --headless -q)'],
  [/--client-id my-client/g, `--client-id ${DEMO.funtrips.clientId}`],
  [/--client-id sh_123/g, `--client-id ${DEMO.shuttle.clientId}`],
  [/\/checkouts\/ch_1\//g, '/checkouts/$CHECKOUT/'],
  // A payment link the emulator seeds.
  [/\/payment_links\/pl_1\b/g, '/payment_links/pl_seed_deposit'],
  [/ …$/g, ' -sf "$FTAUTH_SHUTTLE_API_URL/payment_links"'],
]

/**
 * What a user would have done before a line (earlier examples may have logged out or revoked):
 * the variables it uses, and the stored tokens it reads.
 */
const PRECONDITIONS: [RegExp, string][] = [
  [/\$TOKEN\b/, 'export TOKEN=$(ftauth fluz token -q)'],
  [/env:NEW_TOKEN\b/, 'export NEW_TOKEN=$(ftauth fluz token -q)'],
  [/\$CODE\b/, 'export CODE=$(ftauth session create --headless -q) VERIFIER=unused-without-pkce'],
  [
    /\$CHECKOUT\b/,
    `export CHECKOUT=$(ftauth call POST --provider funtrips /v1/merchants/mer_zoo/checkouts -d '{"product_id":"prd_zoo_adult","quantity":1}' | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).id)')`,
  ],
  [/fluz:sandbox/, 'ftauth fluz token --env sandbox -q >/dev/null'],
  [/fluz:production/, 'ftauth fluz token --env production -q >/dev/null'],
  [/fluz refresh|token inspect fluz/, 'ftauth fluz token -q >/dev/null'],
  [
    /shuttle (refresh|revoke)|inspect shuttle|--provider shuttle/,
    'ftauth shuttle refresh -q >/dev/null 2>&1 || ftauth shuttle login --wait 60 --port 0 >/dev/null 2>&1',
  ],
]

/** Long-running commands: they pass once they print their first line (then they are stopped). */
const SERVES = new Set(['ftauth emulator --port 0 --json'])

let world: World
let scratch: string
let shellEnv: Record<string, string>

beforeAll(async () => {
  world = await makeWorld()
  scratch = world.scratch
  const bin = join(scratch, 'bin')
  await mkdir(bin)
  await symlink(BIN, join(bin, 'ftauth'))
  const url = world.emulator.url
  shellEnv = {
    ...world.sandbox.env,
    PATH: `${bin}:${process.env.PATH}`,
    XDG_CACHE_HOME: join(scratch, 'cache'),
    BROWSER: TEST_BROWSER,
    // Every environment (sandbox and production too) points at the emulator with its demo credentials.
    FTAUTH_FUNTRIPS_AUTH_URL: `${url}/funtrips`,
    FTAUTH_FUNTRIPS_API_URL: `${url}/funtrips`,
    FTAUTH_FLUZ_URL: `${url}/fluz/api/v1/graphql`,
    FTAUTH_SHUTTLE_AUTH_URL: `${url}/shuttle`,
    FTAUTH_SHUTTLE_API_URL: `${url}/shuttle/c/api`,
    FTAUTH_FUNTRIPS_CLIENT_ID: DEMO.funtrips.clientId,
    FTAUTH_FUNTRIPS_CLIENT_SECRET: DEMO.funtrips.clientSecret,
    FTAUTH_FLUZ_API_KEY: DEMO.fluz.apiKey,
    FTAUTH_FLUZ_USER_ID: DEMO.fluz.userId,
    FTAUTH_FLUZ_ACCOUNT_ID: DEMO.fluz.accountId,
    FTAUTH_SHUTTLE_CLIENT_ID: DEMO.shuttle.clientId,
    FTAUTH_SHUTTLE_CLIENT_SECRET: DEMO.shuttle.clientSecret,
    // What the examples' variables hold.
    FT_SECRET: DEMO.funtrips.clientSecret,
    SECRET: DEMO.funtrips.clientSecret,
    FLUZ_KEY: DEMO.fluz.apiKey,
    SH_SECRET: DEMO.shuttle.clientSecret,
  }
  // What a user would have done before these examples: tokens of each provider (Fluz in both environments).
  for (const line of [
    'ftauth config set fluz.scopes LIST_OFFERS',
    'ftauth session create --headless --exchange -q',
    'ftauth fluz token --env sandbox -q',
    'ftauth fluz token --env production -q',
    // A random port (the emulator accepts any loopback port here): 8765, the default, may be held by a parallel run.
    'ftauth shuttle login --wait 60 --port 0',
    'ftauth fluz token -q > old.jwt',
  ]) {
    const result = await shell(line)
    expect(result.code, `${line}\n${result.stderr}`).toBe(0)
  }
})
afterAll(() => world?.close())

/** Runs one line in bash, in the scratch dir, as a user would type it. */
function shell(line: string, options: {serves?: boolean} = {}): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const prelude = ['set -o pipefail', ...PRECONDITIONS.filter(([pattern]) => pattern.test(line)).map(([, setup]) => setup)].join('\n')
    const child = execFile(
      'bash',
      ['--norc', '--noprofile', '-c', `${prelude}\n${line}`],
      {cwd: scratch, env: {...process.env, ...shellEnv}, timeout: options.serves ? 0 : 90_000},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({code: options.serves && stdout.length > 0 ? 0 : code, stdout, stderr})
      },
    )
    if (options.serves) {
      child.stdout?.once('data', () => setTimeout(() => child.kill('SIGINT'), 200))
    }
  })
}

/** The README's examples, then those of the pages in docs/ (docs/commands/ is the --help text, run below). */
async function docsExamples(): Promise<Example[]> {
  const examples = readmeExamples(await readFile(join(ROOT, 'README.md'), 'utf8'))
  const pages = (await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).sort()
  for (const page of pages) examples.push(...readmeExamples(await readFile(join(ROOT, 'docs', page), 'utf8'), `docs/${page}`))
  return examples
}

const readme = await docsExamples()
const help = await helpExamples()

describe('examples that run', () => {
  it('finds the examples (README and --help) and every listed exception is still an example', () => {
    expect(readme.length).toBeGreaterThan(30)
    expect(help.length).toBeGreaterThan(30)
    const lines = new Set([...readme, ...help].map((example) => example.line))
    for (const listed of Object.keys(CANNOT_RUN)) expect(lines, listed).toContain(listed)
  })

  it.each([...readme, ...help].filter((example) => !(example.line in CANNOT_RUN)).map((example) => [example.source, example.line] as const))(
    '%s: %s',
    async (_source, line) => {
      let runnable = line
      for (const [placeholder, value] of PLACEHOLDERS) runnable = runnable.replace(placeholder, value)
      const result = await shell(runnable, {serves: SERVES.has(line)})
      expect(result.code, `${runnable}\n${result.stderr}`).toBe(0)
    },
  )
})
