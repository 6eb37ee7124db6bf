import {defineCommand} from '../core/command-run.js'
import {type ProviderName, withConfigLock} from '../core/config.js'
import {PROVIDERS} from '../providers/registry.js'
import {usageError} from '../core/errors.js'
import {flag} from '../core/flag-spec.js'

export default defineCommand({
  id: 'logout',
  summary: "Remove a profile's stored secrets and cached tokens",
  examples: ['<%= config.bin %> logout fluz', '<%= config.bin %> logout --all --profile staging'],
  args: {provider: {description: 'provider', options: PROVIDERS}},
  flags: {all: flag.boolean({description: 'every provider of the profile'})},
  async run({args, flags, out, context}) {
    const provider = args.provider as ProviderName | undefined
    if (!provider && !flags.all) throw usageError('which provider?', 'run `ftauth logout funtrips|fluz|shuttle`, or `ftauth logout --all`')
    const deps = await context()
    // Under the config lock, as login stores: parallel logouts (and a login) take turns, so an item
    // listed here is never one another process is deleting at the same moment.
    const accounts = await withConfigLock(deps.paths.config, async () => {
      const listed = await deps.store.accounts(provider)
      const removed: string[] = []
      for (const account of listed) {
        try {
          if (await deps.store.deleteAccount(account)) removed.push(account)
        } catch (error) {
          // Gone meanwhile (a token flow replaced or dropped it): that is what logout wanted.
          if ((await deps.store.backend.get(account).catch(() => 'unknown')) !== null) throw error
        }
      }
      return removed
    })
    await deps.tokens.forget(provider)
    const what = provider ?? 'every provider'
    out.print(
      accounts.length
        ? `Removed ${accounts.length} stored ${accounts.length === 1 ? 'entry' : 'entries'} for ${what} (profile ${deps.profile.name})`
        : `Nothing stored for ${what} (profile ${deps.profile.name})`,
    )
    const names = accounts.map((account) => account.split(':').slice(1).join(':'))
    out.quiet(String(accounts.length))
    return {profile: deps.profile.name, provider: provider ?? 'all', removed: names}
  },
})
