import {defineCommand} from '../core/command-run.js'
import type {ProviderName} from '../core/config.js'
import {PROVIDERS} from '../providers/registry.js'
import {usageError} from '../core/errors.js'
import {flag} from '../core/flag-spec.js'
import {canPrompt} from '../core/prompt.js'
import {login} from '../providers/login.js'
import {title} from '../providers/titles.js'

export default defineCommand({
  id: 'login',
  summary: 'Store and verify credentials for Funtrips, Fluz or Shuttle',
  description:
    'Secrets go to the OS keychain (or a 0600 file with --insecure-storage); ids go to the profile. Both belong to one environment (--env): logging in to production leaves the sandbox identity alone, and the default environment changes only with --default. Secrets are read from a masked prompt or stdin, never from arguments.',
  examples: [
    '<%= config.bin %> login funtrips',
    'printf %s "$SECRET" | <%= config.bin %> login funtrips --client-id my-client --client-secret-stdin',
    'printf %s "$FLUZ_KEY" | <%= config.bin %> login fluz --user-id 6f1e… --account-id 0c9d… --api-key-stdin --env production',
    'printf %s "$FLUZ_KEY" | <%= config.bin %> login fluz --env production --default --api-key-stdin',
  ],
  args: {provider: {description: 'provider', options: PROVIDERS}},
  flags: {
    'client-id': flag.string({description: 'Funtrips or Shuttle client id'}),
    'client-secret-stdin': flag.boolean({description: 'read the client secret from stdin'}),
    'api-key-stdin': flag.boolean({description: 'read the Fluz API key from stdin'}),
    'user-id': flag.string({description: 'Fluz user id (UUID)'}),
    'account-id': flag.string({description: 'Fluz account id (UUID)'}),
    'seat-id': flag.string({description: 'Fluz seat id (UUID)'}),
    'redirect-uri': flag.string({description: 'Shuttle registered redirect URI'}),
    verify: flag.boolean({description: 'check the credentials with one real call first', default: true, allowNo: true}),
    default: flag.boolean({description: "also make this login's environment (--env) the provider's default in the profile"}),
  },
  async run({args, flags, out, context, env}) {
    const deps = await context()
    const provider = (args.provider as ProviderName | undefined) ?? (await askProvider(env))
    const result = await login(deps, {
      provider,
      makeDefault: flags.default,
      verify: flags.verify,
      clientId: flags['client-id'],
      secretFromStdin: provider === 'fluz' ? flags['api-key-stdin'] : flags['client-secret-stdin'],
      userId: flags['user-id'],
      accountId: flags['account-id'],
      seatId: flags['seat-id'],
      redirectUri: flags['redirect-uri'],
    })
    const who = Object.values(result.identity).join(' / ')
    out.print(`Logged in to ${title(provider)} ${out.env(result.env)} as ${out.c.bold(who)} (profile ${result.profile})`)
    if (result.madeDefault) out.print(`${title(provider)} now uses ${result.env} by default in profile ${result.profile}`)
    out.quiet(who)
    return result
  },
})

async function askProvider(env: NodeJS.ProcessEnv): Promise<ProviderName> {
  if (!canPrompt(env)) throw usageError('which provider?', 'run `ftauth login funtrips|fluz|shuttle`')
  const {select} = await import('@inquirer/prompts')
  return select<ProviderName>({message: 'Log in to', choices: PROVIDERS.map((value) => ({value, name: title(value)}))}, {output: process.stderr})
}
