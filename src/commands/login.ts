import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../core/base-command.js'
import {PROVIDERS, type ProviderName} from '../core/config.js'
import {canPrompt} from '../core/prompt.js'
import {usageError} from '../core/errors.js'
import {login} from '../providers/login.js'
import {title} from '../providers/titles.js'

export default class Login extends BaseCommand<typeof Login> {
  static override summary = 'Store and verify credentials for Funtrips, Fluz or Shuttle'
  static override description =
    'Secrets go to the OS keychain (or a 0600 file with --insecure-storage); ids go to the profile. Both belong to one environment (--env): logging in to production leaves the sandbox identity alone, and the default environment changes only with --default. Secrets are read from a masked prompt or stdin, never from arguments.'
  static override examples = [
    '<%= config.bin %> login funtrips',
    'printf %s "$SECRET" | <%= config.bin %> login funtrips --client-id my-client --client-secret-stdin',
    'printf %s "$FLUZ_KEY" | <%= config.bin %> login fluz --user-id 6f1e… --account-id 0c9d… --api-key-stdin --env production',
    'printf %s "$FLUZ_KEY" | <%= config.bin %> login fluz --env production --default --api-key-stdin',
  ]
  static override args = {provider: Args.string({description: 'provider', options: [...PROVIDERS]})}
  static override flags = {
    'client-id': Flags.string({description: 'Funtrips or Shuttle client id'}),
    'client-secret-stdin': Flags.boolean({description: 'read the client secret from stdin'}),
    'api-key-stdin': Flags.boolean({description: 'read the Fluz API key from stdin'}),
    'user-id': Flags.string({description: 'Fluz user id (UUID)'}),
    'account-id': Flags.string({description: 'Fluz account id (UUID)'}),
    'seat-id': Flags.string({description: 'Fluz seat id (UUID)'}),
    'redirect-uri': Flags.string({description: 'Shuttle registered redirect URI'}),
    verify: Flags.boolean({description: 'check the credentials with one real call first', default: true, allowNo: true}),
    default: Flags.boolean({description: "also make this login's environment (--env) the provider's default in the profile"}),
  }

  async run() {
    const deps = await this.context()
    const provider = (this.args.provider as ProviderName | undefined) ?? (await this.askProvider())
    const result = await login(deps, {
      provider,
      makeDefault: this.flags.default,
      verify: this.flags.verify,
      clientId: this.flags['client-id'],
      secretFromStdin: provider === 'fluz' ? this.flags['api-key-stdin'] : this.flags['client-secret-stdin'],
      userId: this.flags['user-id'],
      accountId: this.flags['account-id'],
      seatId: this.flags['seat-id'],
      redirectUri: this.flags['redirect-uri'],
    })
    const who = Object.values(result.identity).join(' / ')
    this.out.print(`Logged in to ${title(provider)} ${this.out.env(result.env)} as ${this.out.c.bold(who)} (profile ${result.profile})`)
    if (result.madeDefault) this.out.print(`${title(provider)} now uses ${result.env} by default in profile ${result.profile}`)
    this.out.quiet(who)
    return result
  }

  private async askProvider(): Promise<ProviderName> {
    if (!canPrompt()) throw usageError('which provider?', 'run `ftauth login funtrips|fluz|shuttle`')
    const {select} = await import('@inquirer/prompts')
    return select<ProviderName>(
      {message: 'Log in to', choices: PROVIDERS.map((value) => ({value, name: title(value)}))},
      {output: process.stderr},
    )
  }
}
