import {defineCommand} from '../core/command-run.js'
import {FtauthError, ExitCode} from '../core/errors.js'
import {flag} from '../core/flag-spec.js'

export default defineCommand({
  id: 'emulator',
  summary: 'Run the local emulator of Funtrips, Fluz and Shuttle (for demos, tests and offline work)',
  description:
    'Serves all three providers on loopback as their docs describe: RS256 JWTs (JWKS published), single-use expiring codes, PKCE, refresh rotation, GraphQL errors and injectable faults under /__admin. `--env local` points ftauth at it with its demo credentials.',
  examples: [
    '<%= config.bin %> emulator',
    '<%= config.bin %> emulator --port 0 --json',
    '<%= config.bin %> emulator --token-ttl 30 --code-ttl 10 --auto-approve',
    '<%= config.bin %> emulator --shuttle-redirect http://127.0.0.1:9000/callback --shuttle-redirect https://partner.example/cb',
  ],
  flags: {
    port: flag.integer({description: 'port (0 picks a free one)', default: 7787, min: 0, max: 65_535}),
    host: flag.string({description: 'interface to bind; loopback unless you mean otherwise', default: '127.0.0.1'}),
    'token-ttl': flag.integer({description: 'override every access-token lifetime, in seconds', min: 1}),
    'code-ttl': flag.integer({description: 'Funtrips session-code lifetime, in seconds (default 300)', min: 1}),
    'fluz-env': flag.string({description: 'environment of /fluz/api/v1/graphql', options: ['sandbox', 'production'], default: 'sandbox'}),
    'auto-approve': flag.boolean({description: 'Shuttle consent redirects at once, without the Approve page'}),
    'shuttle-redirect': flag.string({
      description:
        "a redirect registered for the demo Shuttle client (repeatable; default ftauth's http://127.0.0.1:8765/callback); any other gets 400 at /authorize",
      multiple: true,
    }),
    'shuttle-loopback-any-port': flag.boolean({description: 'accept a registered loopback redirect on any port (RFC 8252 §7.3; not documented for Shuttle)'}),
  },
  async run({flags, out, invocation}) {
    const {runEmulatorCli} = await import('../emulator/run.js')
    const {stdout, stderr} = invocation.io
    let emulator: Awaited<ReturnType<typeof runEmulatorCli>>
    try {
      emulator = await runEmulatorCli(
        {
          host: flags.host,
          port: flags.port,
          json: Boolean(flags.json),
          fluzEnv: flags['fluz-env'],
          autoApprove: flags['auto-approve'],
          shuttleLoopbackAnyPort: flags['shuttle-loopback-any-port'],
          ...(flags['shuttle-redirect'] === undefined ? {} : {shuttleRedirects: flags['shuttle-redirect']}),
          ...(flags['token-ttl'] === undefined ? {} : {tokenTtl: flags['token-ttl']}),
          ...(flags['code-ttl'] === undefined ? {} : {codeTtl: flags['code-ttl']}),
        },
        {stdout: (text) => stdout.write(`${text}\n`), stderr: (text) => stderr.write(`${text}\n`)},
      )
    } catch (error) {
      const cause = (error as Error & {cause?: NodeJS.ErrnoException}).cause
      if (cause?.code === 'EADDRINUSE' || cause?.code === 'EACCES' || cause?.code === 'EADDRNOTAVAIL') {
        throw new FtauthError(ExitCode.usage, (error as Error).message.split(':')[0] ?? 'cannot bind', {
          hint: 'pass another --port (0 picks a free one) or --host',
        })
      }
      throw error
    }
    // Serve until Ctrl-C / SIGTERM, then free the port before exiting.
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await emulator.close()
    out.info('emulator stopped')
    return undefined
  },
})
