import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../core/base-command.js'
import {PROVIDERS, type ProviderName} from '../core/config.js'
import {FtauthError, usageError} from '../core/errors.js'
import {renderBody} from '../call/render.js'
import {parseField, parseHeader, parsePositionals, readBody} from '../call/request-input.js'
import {runCall} from '../call/run-call.js'

export default class Call extends BaseCommand<typeof Call> {
  static override summary = 'Call a provider API with the right token attached (like `gh api`)'
  static override description =
    'The token is taken from the cache or obtained through the provider\'s flow. On a 401 it is renewed once by the provider\'s rule (Funtrips: new session; Fluz: refresh, else regenerate; Shuttle: refresh) and the call retried once. Exits non-zero on HTTP ≥ 400 or a GraphQL error, after printing the body.'
  static override examples = [
    '<%= config.bin %> call --provider funtrips /v1/merchants',
    '<%= config.bin %> call POST --provider shuttle /payment_links -f amount=1000 -f currency=GBP',
    '<%= config.bin %> call fluz --query \'query { offers(first: 3) { edges { id } } }\'',
    '<%= config.bin %> call --provider funtrips --as backend /v1/admin/fulfillments -i',
    'echo \'{"name":"x"}\' | <%= config.bin %> call PUT --provider shuttle /payment_links/pl_1 -d -',
  ]
  static override args = {
    // ignoreStdin: oclif would otherwise read a piped body (`-d -`) into a missing positional.
    method: Args.string({description: 'HTTP method (default GET, or POST with a body)', ignoreStdin: true}),
    target: Args.string({description: 'path (resolved against the provider API base) or full URL', ignoreStdin: true}),
  }
  static override flags = {
    provider: Flags.string({char: 'p', description: 'provider (inferred from a full URL)', options: [...PROVIDERS]}),
    method: Flags.string({char: 'X', description: 'HTTP method'}),
    // One value per flag (`-H a -H b`), as in curl and gh: a greedy flag would swallow the path in `-H 'X: y' /v1/…`.
    header: Flags.string({char: 'H', description: 'extra header "Name: value" (repeatable)', multiple: true, multipleNonGreedy: true}),
    data: Flags.string({char: 'd', description: 'request body: a string, @file, or - for stdin'}),
    field: Flags.string({char: 'f', description: 'key=value: JSON body field (numbers, true, false, null sent as JSON), or query parameter for GET (repeatable)', multiple: true, multipleNonGreedy: true}),
    include: Flags.boolean({char: 'i', description: 'print the status line and response headers'}),
    raw: Flags.boolean({description: 'print the body exactly as received, even on a terminal'}),
    as: Flags.string({description: 'Funtrips token to use', options: ['user', 'backend'], default: 'user'}),
    query: Flags.string({description: 'Fluz GraphQL query (ftauth call fluz --query …)'}),
    variables: Flags.string({description: 'GraphQL variables as JSON'}),
    wait: Flags.boolean({description: 'poll while the server answers 202 (honours Retry-After)'}),
    'wait-timeout': Flags.integer({description: 'longest --wait, in seconds', default: 120, min: 1}),
  }

  async run() {
    const positionals = parsePositionals([this.args.method, this.args.target].filter((arg): arg is string => arg !== undefined))
    const methodFlag = this.flags.method?.toUpperCase()
    const deps = await this.context()
    const result = await runCall(deps, {
      provider: (this.flags.provider as ProviderName | undefined) ?? positionals.provider,
      target: positionals.target,
      method: methodFlag ?? positionals.method,
      headers: (this.flags.header ?? []).map(parseHeader),
      fields: (this.flags.field ?? []).map(parseField),
      body: this.flags.data === undefined ? undefined : await readBody(this.flags.data),
      as: this.flags.as as 'user' | 'backend',
      query: this.flags.query,
      variables: this.flags.variables === undefined ? undefined : parseVariables(this.flags.variables),
      wait: this.flags.wait,
      waitTimeoutMs: this.flags['wait-timeout'] * 1000,
    })
    const {response} = result
    if (!this.jsonEnabled()) {
      if (this.flags.include) {
        process.stdout.write(`HTTP ${response.status}\n`)
        for (const [name, value] of Object.entries(response.headers)) process.stdout.write(`${name}: ${value}\n`)
        process.stdout.write('\n')
      }
      process.stdout.write(renderBody(response.body, response.headers['content-type'], {pretty: Boolean(process.stdout.isTTY) && !this.flags.raw, color: this.out.c}))
    }
    const document = {
      provider: result.provider,
      method: result.method,
      url: result.url,
      status: response.status,
      renewed: result.renewed,
      headers: response.headers,
      body: parseBody(response.body),
    }
    if (result.failure) {
      // --json prints one document: the error, with the response inside it (not two documents in a row).
      if (!this.jsonEnabled()) throw result.failure
      const {exitCode, message, hint, details} = result.failure
      throw new FtauthError(exitCode, message, {hint, details: {...details, response: document}})
    }
    return document
  }
}

function parseVariables(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // fall through to the usage error
  }
  throw usageError('--variables must be a JSON object', `e.g. --variables '{"first": 3}'`)
}

function parseBody(body: Buffer): unknown {
  const text = body.toString('utf8')
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
