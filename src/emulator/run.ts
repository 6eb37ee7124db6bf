// `ftauth emulator` body: starts the emulator and prints where it is and the demo credentials.
// The oclif command stays thin: it calls this, waits for SIGINT/SIGTERM, then close().
import {DEFAULT_SHUTTLE_REDIRECT, DEMO, emulatorUrls} from '../local-demo/credentials.js'
import {JSON_SCHEMA_VERSION} from '../core/json-document.js'
import {startEmulator} from './start.js'
import type {Emulator, EmulatorOptions, FluzEnv} from './types.js'

export interface RunEmulatorCliOptions {
  host: string
  port: number
  tokenTtl?: number
  codeTtl?: number
  fluzEnv?: FluzEnv
  autoApprove?: boolean
  shuttleRedirects?: string[]
  shuttleLoopbackAnyPort?: boolean
  json: boolean
}

/** Each call prints one block without a trailing newline (wire to console.log / this.log). */
export interface RunEmulatorCliOutput {
  stdout: (s: string) => void
  stderr: (s: string) => void
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

function humanBlock(url: string, fluzEnv: FluzEnv, opts: RunEmulatorCliOptions): string {
  const u = emulatorUrls(url)
  const row = (label: string, value: string) => `             ${label.padEnd(14)} ${value}`
  const settings = [
    opts.tokenTtl === undefined ? undefined : `token ttl ${opts.tokenTtl}s`,
    opts.codeTtl === undefined ? undefined : `code ttl ${opts.codeTtl}s`,
    opts.autoApprove ? 'Shuttle consent auto-approved' : undefined,
  ].filter((s) => s !== undefined)
  return [
    `ftauth emulator listening on ${url}  (Ctrl+C to stop)`,
    '',
    `  Funtrips   ${u.funtrips}`,
    row('client_id', DEMO.funtrips.clientId),
    row('client_secret', DEMO.funtrips.clientSecret),
    `  Fluz       ${u.fluz}  (${fluzEnv})`,
    row('sandbox', u.fluzSandbox),
    row('production', u.fluzProduction),
    row('api_key', DEMO.fluz.apiKey),
    row('user_id', DEMO.fluz.userId),
    row('account_id', DEMO.fluz.accountId),
    row('seat_id', DEMO.fluz.seatId),
    `  Shuttle    ${u.shuttleAuth}  (API ${u.shuttleApi})`,
    row('client_id', DEMO.shuttle.clientId),
    row('client_secret', DEMO.shuttle.clientSecret),
    row('scope', DEMO.shuttle.scope),
    row('redirects', `${(opts.shuttleRedirects ?? [DEFAULT_SHUTTLE_REDIRECT]).join(', ')}${opts.shuttleLoopbackAnyPort ? ' (any loopback port)' : ''}`),
    `  JWKS       ${u.jwks}`,
    `  Admin      ${u.admin}  (faults, clock, requests)`,
    ...(settings.length > 0 ? ['', `  Settings: ${settings.join(', ')}`] : []),
    '',
    'These demo credentials are the defaults of --env local.',
  ].join('\n')
}

export async function runEmulatorCli(opts: RunEmulatorCliOptions, out: RunEmulatorCliOutput): Promise<Emulator> {
  const fluzEnv = opts.fluzEnv ?? 'sandbox'
  const options: EmulatorOptions = {
    host: opts.host,
    port: opts.port,
    fluzEnv,
    autoApprove: opts.autoApprove ?? false,
    shuttleLoopbackAnyPort: opts.shuttleLoopbackAnyPort ?? false,
    ...(opts.shuttleRedirects === undefined ? {} : {shuttleRedirects: opts.shuttleRedirects}),
    ...(opts.tokenTtl === undefined ? {} : {tokenTtlSeconds: opts.tokenTtl}),
    ...(opts.codeTtl === undefined ? {} : {codeTtlSeconds: opts.codeTtl}),
  }
  let emulator: Emulator
  try {
    emulator = await startEmulator(options)
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? err.code : undefined
    const where = `port ${opts.port} on ${opts.host}`
    const reason =
      code === 'EADDRINUSE'
        ? `Port ${opts.port} on ${opts.host} is already in use`
        : code === 'EACCES'
          ? `Not allowed to listen on ${where}`
          : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
            ? `Cannot listen on ${where} (no such local address)`
            : undefined
    // The part before the first ':' is a complete sentence on purpose (the command shows it alone).
    if (reason !== undefined) throw new Error(`${reason}: pass another --port (0 picks a free one) or --host`, {cause: err})
    throw err
  }
  if (!isLoopback(opts.host)) {
    out.stderr(`Warning: listening on ${opts.host}, not loopback only. The demo credentials are public; anyone who can reach this port can use them.`)
  }
  if (opts.json) {
    out.stdout(
      JSON.stringify({
        schemaVersion: JSON_SCHEMA_VERSION,
        event: 'listening',
        url: emulator.url,
        urls: emulatorUrls(emulator.url),
        fluzEnv,
        credentials: DEMO,
        settings: {tokenTtlSeconds: opts.tokenTtl ?? null, codeTtlSeconds: opts.codeTtl ?? null, autoApprove: opts.autoApprove ?? false},
      }),
    )
  } else {
    out.stdout(humanBlock(emulator.url, fluzEnv, opts))
  }
  return emulator
}
