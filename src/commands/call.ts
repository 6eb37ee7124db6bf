import type {ProviderName} from '../core/config.js'
import {PROVIDERS} from '../providers/registry.js'
import {defineCommand} from '../core/command-run.js'
import type {Deps} from '../core/deps.js'
import type {Output} from '../core/output.js'
import {redactKnown} from '../core/redact.js'
import {FtauthError, usageError} from '../core/errors.js'
import {flag} from '../core/flag-spec.js'
import {renderBody} from '../call/render.js'
import {parseField, parseHeader, parsePositionals, readBody} from '../call/request-input.js'
import {runCall} from '../call/run-call.js'

export default defineCommand({
  id: 'call',
  summary: 'Call a provider API with the right token attached (like `gh api`)',
  description:
    "The token is taken from the cache or obtained through the provider's flow. On a 401 it is renewed once by the provider's rule (Funtrips: new session; Fluz: refresh, else regenerate; Shuttle: refresh) and the call retried once. Exits non-zero on HTTP ≥ 400 or a GraphQL error, after printing the body.",
  examples: [
    '<%= config.bin %> call --provider funtrips /v1/merchants',
    '<%= config.bin %> call POST --provider shuttle /payment_links -f amount=1000 -f currency=GBP',
    "<%= config.bin %> call fluz --query 'query { offers(first: 3) { offers { offerId merchantName } } }'",
    '<%= config.bin %> call --provider funtrips --as backend /v1/admin/fulfillments -i',
    'echo \'{"description":"Deposit"}\' | <%= config.bin %> call PUT --provider shuttle /payment_links/pl_1 -d -',
  ],
  args: {
    method: {description: 'HTTP method (default GET, or POST with a body)'},
    target: {description: 'path (resolved against the provider API base) or full URL'},
  },
  flags: {
    provider: flag.string({char: 'p', description: 'provider (inferred from a full URL)', options: PROVIDERS}),
    method: flag.string({char: 'X', description: 'HTTP method'}),
    // One value per flag (`-H a -H b`), as in curl and gh: a greedy flag would swallow the path in `-H 'X: y' /v1/…`.
    header: flag.string({char: 'H', description: 'extra header "Name: value" (repeatable)', multiple: true}),
    data: flag.string({char: 'd', description: 'request body: a string, @file, or - for stdin'}),
    field: flag.string({
      char: 'f',
      description: 'key=value: JSON body field (numbers, true, false, null sent as JSON), or query parameter for GET (repeatable)',
      multiple: true,
    }),
    include: flag.boolean({char: 'i', description: 'print the status line and response headers'}),
    raw: flag.boolean({description: 'print the body exactly as received, even on a terminal'}),
    as: flag.string({description: 'Funtrips token to use', options: ['user', 'backend'], default: 'user'}),
    query: flag.string({description: 'Fluz GraphQL query (ftauth call fluz --query …)'}),
    variables: flag.string({description: 'GraphQL variables as JSON'}),
    wait: flag.boolean({description: 'poll while the server answers 202 (honours Retry-After)'}),
    'wait-timeout': flag.integer({description: 'longest --wait, in seconds', default: 120, min: 1}),
  },
  async run({args, flags, out, context, invocation}) {
    const {stdout} = invocation.io
    const positionals = parsePositionals([args.method, args.target].filter((arg): arg is string => arg !== undefined))
    const methodFlag = flags.method?.toUpperCase()
    const deps = await context()
    const result = await runCall(deps, {
      provider: (flags.provider as ProviderName | undefined) ?? positionals.provider,
      target: positionals.target,
      method: methodFlag ?? positionals.method,
      headers: (flags.header ?? []).map(parseHeader),
      fields: (flags.field ?? []).map(parseField),
      body: flags.data === undefined ? undefined : await readBody(flags.data),
      as: flags.as as 'user' | 'backend',
      query: flags.query,
      variables: flags.variables === undefined ? undefined : parseVariables(flags.variables),
      wait: flags.wait,
      waitTimeoutMs: flags['wait-timeout'] * 1000,
    })
    const {response} = result
    const shownBody = maskEchoedSecrets(response.body, flags.raw, deps, out)
    if (!flags.json) {
      if (flags.include) {
        stdout.write(`HTTP ${response.status}\n`)
        for (const [name, value] of Object.entries(response.headers)) stdout.write(`${name}: ${value}\n`)
        stdout.write('\n')
      }
      stdout.write(renderBody(shownBody, response.headers['content-type'], {pretty: Boolean(stdout.isTTY) && !flags.raw, color: out.c}))
    }
    const document = {
      provider: result.provider,
      method: result.method,
      url: result.url,
      status: response.status,
      renewed: result.renewed,
      headers: response.headers,
      body: parseBody(shownBody),
    }
    if (result.failure) {
      // --json prints one document: the error, with the response inside it (not two documents in a row).
      if (!flags.json) throw result.failure
      const {exitCode, message, hint, details} = result.failure
      throw new FtauthError(exitCode, message, {hint, details: {...details, response: document}})
    }
    return document
  },
})

/**
 * A server that echoes the token or key ftauth attached would have `call` print it: masked unless
 * --raw asks for the body exactly as received. A body without any of them stays byte-exact.
 */
function maskEchoedSecrets(body: Buffer, raw: boolean, deps: Deps, out: Output): Buffer {
  if (raw) return body
  const text = body.toString('utf8')
  const masked = redactKnown(text, [...deps.secrets])
  if (masked === text) return body
  out.warn('the response repeats a secret ftauth sent; it is masked (--raw prints the body as received)')
  return Buffer.from(masked, 'utf8')
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
