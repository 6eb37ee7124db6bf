// Shared pieces of the security sweeps: canary secrets, a run recorder that knows which secret a
// command was asked to print, a leak finder, and a walk of the config dir.
import {randomBytes} from 'node:crypto'
import {lstat, readdir, readFile} from 'node:fs/promises'
import {join, relative} from 'node:path'

import {echoedForms} from '../../src/emulator/echo.js'
import type {Emulator, LoggedRequest} from '../../src/emulator/index.js'
import type {CliResult, RunOptions, Sandbox} from '../helpers/cli.js'

/** Embedded by the emulator in every code and opaque refresh token, and by us in every canary secret. */
export const MARKER = 'CANARYxyz'

const tag = () => randomBytes(6).toString('hex')

/** The secrets the demo clients must present: each one unique and marked, so a partial leak shows too. */
export const CANARY = {
  funtripsClientSecret: `ftsec-${MARKER}-funtrips-client-secret-${tag()}`,
  fluzApiKey: `fzkey-${MARKER}-fluz-api-key-${tag()}`,
  shuttleClientSecret: `shsec-${MARKER}-shuttle-client-secret-${tag()}`,
}

/** Secrets the server rejects (error paths): they must not be echoed either. */
export const WRONG = {
  funtripsClientSecret: `wrong-${MARKER}-funtrips-${tag()}`,
  fluzApiKey: `wrong-${MARKER}-fluz-${tag()}`,
  shuttleClientSecret: `wrong-${MARKER}-shuttle-${tag()}`,
}

export const DEMO_CLIENT_IDS = {funtrips: 'ft_demo_client', shuttle: 'sh_demo_client'}

/** The env variables that carry the canary secrets (the first pass of the sweep). */
export const CANARY_ENV = {
  FTAUTH_FUNTRIPS_CLIENT_SECRET: CANARY.funtripsClientSecret,
  FTAUTH_FLUZ_API_KEY: CANARY.fluzApiKey,
  FTAUTH_SHUTTLE_CLIENT_SECRET: CANARY.shuttleClientSecret,
}

export type SecretKind = 'client-secret' | 'jwt' | 'session-code' | 'auth-code' | 'refresh' | 'verifier' | 'other'

export interface KnownSecret {
  value: string
  kind: SecretKind
  /** Where it came from, for the failure report (never the value itself). */
  label: string
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

export function kindOf(value: string): SecretKind {
  if (JWT_SHAPE.test(value)) return 'jwt'
  if (value.startsWith('sc_')) return 'session-code'
  if (value.startsWith('ac_')) return 'auth-code'
  if (value.startsWith('rt_')) return 'refresh'
  return 'other'
}

/** A short, non-secret name for a secret in a report: its kind and a prefix too short to use. */
export function nameOf(secret: KnownSecret): string {
  return `${secret.label} (${secret.kind}, ${secret.value.slice(0, 6)}…)`
}

/** Basic credentials as ftauth sends them (RFC 6749 §2.3.1: form-encoded id and secret). */
export function basicOf(clientId: string, secret: string): string {
  return Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')
}

function clientSecrets(): KnownSecret[] {
  const list: KnownSecret[] = []
  for (const [group, values] of [
    ['canary', CANARY],
    ['wrong', WRONG],
  ] as const) {
    list.push(
      {value: values.funtripsClientSecret, kind: 'client-secret', label: `${group} Funtrips client secret`},
      {value: values.fluzApiKey, kind: 'client-secret', label: `${group} Fluz API key`},
      {value: values.shuttleClientSecret, kind: 'client-secret', label: `${group} Shuttle client secret`},
      {value: basicOf(DEMO_CLIENT_IDS.shuttle, values.shuttleClientSecret), kind: 'client-secret', label: `${group} Shuttle Basic credentials`},
      {value: basicOf(DEMO_CLIENT_IDS.funtrips, values.funtripsClientSecret), kind: 'client-secret', label: `${group} Funtrips Basic credentials`},
    )
  }
  return list
}

/** Values the client sent that are secret but not issued by the server (PKCE verifiers). */
function sentSecrets(requests: LoggedRequest[]): KnownSecret[] {
  const found: KnownSecret[] = []
  for (const request of requests) {
    const fields = new Map<string, string>()
    try {
      const json = JSON.parse(request.body) as Record<string, unknown>
      for (const [key, value] of Object.entries(json ?? {})) if (typeof value === 'string') fields.set(key, value)
    } catch {
      for (const [key, value] of new URLSearchParams(request.body)) fields.set(key, value)
    }
    const verifier = fields.get('code_verifier')
    if (verifier && verifier.length >= 20) found.push({value: verifier, kind: 'verifier', label: `PKCE code_verifier sent to ${request.path}`})
  }
  return found
}

/** Every secret in play so far: canary and wrong client secrets, everything the emulator issued, PKCE verifiers. */
export function knownSecrets(emulator: Emulator): KnownSecret[] {
  const issued = emulator.issuedSecrets().map((value): KnownSecret => ({value, kind: kindOf(value), label: `issued ${kindOf(value)}`}))
  const all = [...clientSecrets(), ...issued, ...sentSecrets(emulator.requests())]
  const seen = new Set<string>()
  return all.filter((secret) => !seen.has(secret.value) && seen.add(secret.value))
}

/** The base64 and base64url characters that encode only `text`, at each of the three byte alignments (found inside any longer base64). */
export function base64Cores(text: string): string[] {
  const cores: string[] = []
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), Buffer.from(text, 'utf8')])
    const core = padded.toString('base64').slice(shift === 0 ? 0 : shift + 1, Math.floor(padded.length / 3) * 4)
    if (core.length >= 16) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return cores
}

const needleCache = new Map<string, string[]>()

/**
 * The forms a secret can leak in: whole, every encoding a hostile provider echoes it in (URL- and
 * form-encoded, base64 alone or inside a Basic pair, JSON-escaped), a cut-off head; for a JWT its
 * signature (header.payload are shown on purpose), alone, encoded and cut off.
 */
function needles(secret: KnownSecret): string[] {
  const cached = needleCache.get(secret.value)
  if (cached) return cached
  const part = secret.kind === 'jwt' ? (secret.value.split('.')[2] ?? '') : secret.value
  const list = new Set<string>(secret.kind === 'jwt' ? [secret.value] : [])
  if (part.length >= 16) {
    const forms = echoedForms(part)
    for (const form of [forms.raw, forms.urlEncoded, forms.formEncoded, forms.base64, forms.base64url, forms.jsonEscaped, forms.jsonUnicode, forms.hex])
      list.add(form)
    for (const core of base64Cores(part)) list.add(core)
    list.add(part.slice(0, 20))
  } else if (part) list.add(part)
  const result = [...list]
  needleCache.set(secret.value, result)
  return result
}

/** What a run may print on stdout: the value it was asked for. stderr may never carry a secret. */
export interface Allowance {
  /** With -q: the single printed line (the token or code the command exists to print). */
  quietLine?: boolean
  /** Secret kinds the command was asked to print (`--show`: jwt; `--show-refresh`: refresh; `session create`: its code). */
  kinds?: SecretKind[]
}

export interface RecordedRun {
  label: string
  args: string[]
  result: CliResult
  allow: Allowance
  expectCode: number | number[]
}

/** Finds secrets in one run's output. Returns one line per leak, naming stream and secret. */
export function leaksOf(run: RecordedRun, secrets: KnownSecret[]): string[] {
  const leaks: string[] = []
  let stdout = run.result.stdout
  const allowedValues = new Set<string>()
  if (run.allow.quietLine) {
    const line = stdout.trim()
    if (line && !line.includes('\n')) allowedValues.add(line)
  }
  for (const secret of secrets) if (run.allow.kinds?.includes(secret.kind)) allowedValues.add(secret.value)
  for (const value of allowedValues) stdout = stdout.split(value).join('<allowed>')
  for (const [stream, text] of [
    ['stdout', stdout],
    ['stderr', run.result.stderr],
  ] as const) {
    for (const secret of secrets) {
      if (stream === 'stdout' && allowedValues.has(secret.value)) continue
      const hit = needles(secret).find((needle) => text.includes(needle))
      if (hit)
        leaks.push(
          `${run.label}: ${nameOf(secret)} in ${stream}${hit === secret.value ? '' : secret.kind === 'jwt' ? ' (JWT signature)' : ' (a part or an encoding of it)'}`,
        )
    }
    if (text.includes(MARKER) && !leaks.some((leak) => leak.startsWith(`${run.label}:`) && leak.includes(stream))) {
      const at = text.indexOf(MARKER)
      leaks.push(`${run.label}: canary marker in ${stream} near ${JSON.stringify(text.slice(Math.max(0, at - 24), at).replace(/[A-Za-z0-9]{12,}/g, '…'))}`)
    }
  }
  return leaks
}

/** Exit code check plus leaks: the problems of a batch of runs, as lines for one readable assertion. */
export function problemsOf(runs: RecordedRun[], secrets: KnownSecret[]): string[] {
  const problems: string[] = []
  for (const run of runs) {
    const expected = Array.isArray(run.expectCode) ? run.expectCode : [run.expectCode]
    if (!expected.includes(run.result.code)) {
      const firstLine = run.result.stderr.split('\n').find((line) => line.startsWith('error:')) ?? run.result.stderr.trim().split('\n').at(-1) ?? ''
      problems.push(`${run.label}: exit ${run.result.code}, expected ${expected.join(' or ')} — ${firstLine.slice(0, 300)}`)
    }
    problems.push(...leaksOf(run, secrets))
  }
  return problems
}

export const MODES = {
  human: [] as string[],
  json: ['--json'],
  quiet: ['-q'],
  trace: ['--trace'],
  debug: ['--debug'],
} as const
export type Mode = keyof typeof MODES
export const ALL_MODES = Object.keys(MODES) as Mode[]
export const ERROR_MODES: Mode[] = ['human', 'json', 'trace', 'debug']

/** Runs `args` once per mode in parallel (each mode's own options), recording every run. */
export async function inModes(
  sandbox: Sandbox,
  label: string,
  args: string[],
  options: {
    modes?: Mode[]
    expectCode?: number | number[]
    allow?: (mode: Mode) => Allowance
    run?: (mode: Mode) => RunOptions
  } = {},
): Promise<RecordedRun[]> {
  const modes = options.modes ?? ALL_MODES
  return Promise.all(
    modes.map(async (mode) => {
      const full = [...args, ...MODES[mode]]
      const result = await sandbox.run(full, {timeoutMs: 60_000, ...options.run?.(mode)})
      return {label: `${label} [${mode}]`, args: full, result, allow: options.allow?.(mode) ?? {}, expectCode: options.expectCode ?? 0}
    }),
  )
}

export interface WalkedEntry {
  path: string
  relative: string
  type: 'file' | 'dir' | 'other'
  mode: number
}

/** Every file and directory under `dir` (the dir itself first), with its permission bits. */
export async function walk(dir: string): Promise<WalkedEntry[]> {
  const entries: WalkedEntry[] = []
  const visit = async (path: string) => {
    const stat = await lstat(path)
    const type = stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'other'
    entries.push({path, relative: relative(dir, path) || '.', type, mode: stat.mode & 0o777})
    if (type === 'dir') for (const name of (await readdir(path)).sort()) await visit(join(path, name))
  }
  await visit(dir)
  return entries
}

/** Secrets (or the marker) found in any file under the config dir. */
export async function fileLeaks(dir: string, secrets: KnownSecret[]): Promise<string[]> {
  const leaks: string[] = []
  for (const entry of await walk(dir)) {
    if (entry.type !== 'file') continue
    const text = await readFile(entry.path, 'utf8')
    for (const secret of secrets) {
      if (needles(secret).some((needle) => text.includes(needle))) leaks.push(`file ${entry.relative}: ${nameOf(secret)}`)
    }
    if (text.includes(MARKER) && !leaks.some((leak) => leak.startsWith(`file ${entry.relative}:`))) leaks.push(`file ${entry.relative}: canary marker`)
  }
  return leaks
}

/** Permission and leftover problems of a config dir: files 0600, dirs 0700, no temp files. */
export async function permissionProblems(dir: string): Promise<string[]> {
  const problems: string[] = []
  for (const entry of await walk(dir)) {
    if (entry.type === 'file' && entry.mode !== 0o600) problems.push(`file ${entry.relative} is ${entry.mode.toString(8)}, not 600`)
    if (entry.type === 'dir' && entry.mode !== 0o700) problems.push(`dir ${entry.relative} is ${entry.mode.toString(8)}, not 700`)
    if (entry.type === 'other') problems.push(`${entry.relative} is neither a file nor a directory`)
    if (/\.tmp$|\.tmp-|~$|\.swp$/.test(entry.relative)) problems.push(`leftover temp file ${entry.relative}`)
    if (entry.type === 'dir' && entry.relative.endsWith('.lock')) problems.push(`leftover lock ${entry.relative}`)
  }
  return problems
}
