import {defineCommand} from '../../core/command-run.js'
import {flag} from '../../core/flag-spec.js'
import {CLIENT_AUTH_METHODS, type ClientAuthMethod} from '../../providers/shuttle/client-auth.js'
import {DEFAULT_WAIT_SECONDS, shuttleLogin} from '../../providers/shuttle/login.js'
import {printTokenSummary, summarizeToken} from '../../providers/shuttle/summary.js'

export default defineCommand({
  id: 'shuttle:login',
  summary: 'Connect a Shuttle merchant: OAuth 2.0 authorization code flow in the browser',
  description: `Listens once on the fixed loopback redirect http://127.0.0.1:8765/callback (RFC 8252; Shuttle accepts only pre-registered redirects, so register that value once, or pass yours with --redirect-uri or --port), opens the Shuttle consent page (the BROWSER command if set, else the system browser; only the URL is printed with --no-browser, over SSH or without a display), checks the state of the redirect, exchanges the code (PKCE S256) and stores the access and refresh token in the keychain.

At a terminal you can also paste the address the browser was sent to (or just the code), for machines whose browser cannot reach the listener.

--wait is how long to wait for the browser (the global --timeout is per HTTP request). Exit codes: 3 consent denied or client rejected, 4 code expired or used, 5 no redirect within --wait or the redirect's port is busy.`,
  examples: [
    '<%= config.bin %> shuttle login',
    '<%= config.bin %> shuttle login --no-browser --wait 600',
    '<%= config.bin %> shuttle login --redirect-uri http://127.0.0.1:8765/callback --scope "read write"',
    'BROWSER=firefox <%= config.bin %> shuttle login --client-auth body',
  ],
  flags: {
    scope: flag.string({description: 'scopes to request, space-separated (default: profile shuttle.scope, else the server default)'}),
    port: flag.integer({
      description:
        'loopback port of the redirect http://127.0.0.1:<port>/callback (default 8765, the redirect to register once; 0: a random port, only for servers that accept any loopback port)',
      min: 0,
      max: 65_535,
    }),
    'redirect-uri': flag.string({description: 'registered redirect URI (default: profile shuttle.redirectUri, else http://127.0.0.1:8765/callback)'}),
    pkce: flag.boolean({description: 'send a PKCE S256 challenge (RFC 7636)', default: true, allowNo: true}),
    browser: flag.boolean({description: 'open the consent page in a browser (--no-browser: print the URL only)', default: true, allowNo: true}),
    // At most a day: a longer timer would overflow (Node fires it at once past ~24.8 days).
    wait: flag.integer({description: 'seconds to wait for the browser to come back', default: DEFAULT_WAIT_SECONDS, min: 1, max: 86_400}),
    'client-auth': flag.string({description: 'client authentication at the token endpoint', options: CLIENT_AUTH_METHODS, default: 'basic'}),
  },
  async run({flags, out, context}) {
    const deps = await context()
    const result = await shuttleLogin(deps, {
      scope: flags.scope,
      port: flags.port,
      redirectUri: flags['redirect-uri'],
      pkce: flags.pkce,
      openBrowser: flags.browser,
      waitSeconds: flags.wait,
      clientAuth: flags['client-auth'] as ClientAuthMethod,
    })
    const summary = summarizeToken(deps, result.token)
    printTokenSummary(out, deps, 'Connected to Shuttle', summary)
    out.quiet(result.token.accessToken)
    return {...summary, redirectUri: result.redirectUri, pkce: result.pkce, clientAuth: result.clientAuth, received: result.received}
  },
})
