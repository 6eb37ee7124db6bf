import {defineCommand} from '../../core/command-run.js'
import {usageError} from '../../core/errors.js'
import {flag} from '../../core/flag-spec.js'
import {canPrompt, obtainSecret, terminalPrompter} from '../../core/prompt.js'
import type {CliIo} from '../../core/invocation.js'
import {readSecretFromStdin, readStdin} from '../../core/stdin.js'
import {exchangeFlow} from '../../providers/funtrips/flows.js'
import {publicBearerJson, renderPublicBearer} from '../../providers/funtrips/render.js'
import {codePrefix} from '../../providers/funtrips/session.js'

export default defineCommand({
  id: 'session:exchange',
  summary: 'Exchange a Funtrips session code for a public bearer',
  description:
    'Sends the one-time code with the client credentials (and the stored PKCE code_verifier when the code was made with --pkce) ' +
    "and stores the public bearer in the keychain as the profile's current Funtrips bearer for `ftauth call`. " +
    'The code is read from the argument, or from stdin when the argument is `-` or absent. A code is never sent twice.',
  examples: [
    '<%= config.bin %> session create --headless -q | <%= config.bin %> session exchange -q',
    '<%= config.bin %> session exchange sc_8f4fdd3b9a8c4a8085f2a3b5a1f2e9c1',
    'printf %s "$VERIFIER" | <%= config.bin %> session exchange "$CODE" --code-verifier-stdin',
  ],
  args: {
    code: {description: 'session code; `-` or absent: read it from stdin'},
  },
  flags: {
    'code-verifier-stdin': flag.boolean({description: 'read the PKCE code_verifier from stdin (the code then comes as the argument)'}),
    show: flag.boolean({description: 'print the public bearer itself (human and --json output)'}),
  },
  async run({args, flags, out, context, invocation, env: runEnv}) {
    const code = await sessionCode(args.code, flags['code-verifier-stdin'], invocation.io.stdin, runEnv)
    const verifier = flags['code-verifier-stdin'] ? await readSecretFromStdin('code-verifier') : undefined
    const deps = await context()
    deps.secrets.add(code)
    if (verifier) deps.secrets.add(verifier)
    const bearer = await exchangeFlow(deps, {code, verifier, verifierSource: verifier ? 'stdin' : undefined})
    const now = deps.now()
    const env = deps.profile.funtrips.env
    renderPublicBearer(out, bearer, now, {env, show: flags.show})
    out.quiet(bearer.token)
    return {
      provider: 'funtrips' as const,
      env,
      profile: deps.profile.name,
      sessionCode: codePrefix(code),
      ...publicBearerJson(bearer, now, flags.show),
    }
  },
})

/** The code from the argument, stdin (`-`, or absent on a pipe) or a masked prompt; checked before anything is sent. */
async function sessionCode(argument: string | undefined, verifierOnStdin: boolean, stdin: CliIo['stdin'], env: NodeJS.ProcessEnv): Promise<string> {
  const fromStdin = argument === '-' || (argument === undefined && !stdin.isTTY)
  if (fromStdin && verifierOnStdin) {
    throw usageError('stdin cannot carry both the session code and the code_verifier', 'pass the code as the argument with --code-verifier-stdin')
  }
  let code: string
  if (argument !== undefined && argument !== '-') code = argument.trim()
  else if (fromStdin) code = (await readStdin(stdin, 64 * 1024)).trim()
  else if (canPrompt(env)) code = await obtainSecret(terminalPrompter(env), {label: 'Session code', stdinFlag: 'code', fromStdin: false})
  else throw usageError('no session code given', 'pass it as the argument, or pipe it in: `ftauth session create --headless -q | ftauth session exchange`')
  if (!code) {
    throw usageError('no session code on stdin', 'pipe one in (`ftauth session create --headless -q | ftauth session exchange`) or pass it as the argument')
  }
  if (/\s/.test(code)) throw usageError('the session code must be a single word (stdin held more than one line or spaces)', 'pass exactly one code')
  return code
}
