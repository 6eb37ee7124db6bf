import {systemOpener} from '../../core/browser.js'
import {defineCommand} from '../../core/command-run.js'
import {usageError} from '../../core/errors.js'
import {flag} from '../../core/flag-spec.js'
import {redactKnown} from '../../core/redact.js'
import {createSessionFlow, headlessFlow, WEBFRAME_PKCE_REFUSED} from '../../providers/funtrips/flows.js'
import {publicBearerJson, renderPublicBearer, renderSession, sessionJson} from '../../providers/funtrips/render.js'
import {checkCodeTtl, checkUserId} from '../../providers/funtrips/session.js'

export default defineCommand({
  id: 'session:create',
  summary: 'Create a Funtrips session code (headless or webframe)',
  description:
    'Gets a backend bearer by client credentials (cached in the keychain until shortly before it expires), then POST /v1/session. ' +
    'With --headless --exchange the code is exchanged for a public bearer at once, which is stored for `ftauth call`. ' +
    'Steps go to stderr; stdout has the result only.',
  examples: [
    '<%= config.bin %> session create --headless',
    '<%= config.bin %> session create --webframe --open',
    '<%= config.bin %> session create --headless --pkce',
    'TOKEN=$(<%= config.bin %> session create --headless --exchange -q)',
    '<%= config.bin %> session create --headless -q | <%= config.bin %> session exchange -q',
  ],
  flags: {
    // Checked in run() rather than with oclif's exactlyOne, whose message does not fit on one line.
    headless: flag.boolean({description: 'headless integration: your backend exchanges the code (one of --headless, --webframe)'}),
    webframe: flag.boolean({description: 'webframe integration: the Funtrips frame exchanges the code (one of --headless, --webframe)'}),
    user: flag.string({
      description:
        "external_user_id the code is tied to, 1–128 characters, usually an email (default: FTAUTH_FUNTRIPS_USER, then the profile's funtrips.userId)",
    }),
    'code-ttl': flag.integer({description: "code lifetime in seconds, 60–900 (default: the server's, 300)"}),
    campaign: flag.string({description: "campaign id to tie the session to (default: the profile's funtrips.campaignId)"}),
    pkce: flag.boolean({description: 'add a PKCE S256 challenge; the verifier is kept in the keychain for the exchange (headless only)'}),
    exchange: flag.boolean({description: 'exchange the code for a public bearer right away (headless only)'}),
    open: flag.boolean({description: 'open the frame URL in the browser ($BROWSER first) (webframe only)'}),
    fresh: flag.boolean({description: 'get a new backend bearer instead of reusing the cached one'}),
    show: flag.boolean({description: 'with --exchange: print the public bearer itself (human and --json output)'}),
  },
  async run({flags, out, context, invocation}) {
    const integration = flags.webframe ? 'webframe' : 'headless'
    // Refused before anything is sent.
    if (flags.headless === flags.webframe) {
      throw usageError(
        flags.headless ? '--headless and --webframe exclude each other' : 'choose the integration: --headless or --webframe',
        'e.g. `ftauth session create --headless`',
      )
    }
    if (flags.webframe && flags.pkce) throw WEBFRAME_PKCE_REFUSED
    if (flags.webframe && flags.exchange) {
      throw usageError(
        '--exchange cannot be used with --webframe: the Funtrips frame exchanges the code itself',
        'open the frame URL (--open), or use --headless --exchange',
      )
    }
    if (flags.open && !flags.webframe) throw usageError('--open needs --webframe: only a webframe session has a URL to open', 'use --webframe --open')
    if (flags.show && !flags.exchange) throw usageError('--show prints the public bearer, which only --exchange obtains', 'add --exchange, or drop --show')
    const codeTtlSeconds = checkCodeTtl(flags['code-ttl'])

    const deps = await context()
    const env = deps.profile.funtrips.env
    const userId = checkUserId(flags.user, deps.profile.funtrips, deps.env)
    const campaignId = flags.campaign ?? deps.profile.funtrips.campaignId

    if (flags.exchange) {
      const {created, bearer} = await headlessFlow(deps, {fresh: flags.fresh, userId, codeTtlSeconds, campaignId, pkce: flags.pkce})
      const now = deps.now()
      renderPublicBearer(out, bearer, now, {env, show: flags.show})
      out.quiet(bearer.token)
      return {
        ...sessionJson(created, now, {env, profile: deps.profile.name, codeSpent: true}),
        publicBearer: publicBearerJson(bearer, now, flags.show),
      }
    }

    const created = await createSessionFlow(deps, {integration, userId, codeTtlSeconds, campaignId, pkce: flags.pkce, fresh: flags.fresh, keepVerifier: true})
    const now = deps.now()
    renderSession(out, created, now, env)
    out.quiet(created.code)
    let opened: string | undefined
    if (flags.open && created.frameUrl) {
      const result = await systemOpener(deps.env, invocation.platform, {waitForBrowserCommand: true})(created.frameUrl)
      if (result.opened) {
        opened = result.via
        out.step({title: 'Browser', outcome: `frame opened with ${opened}`})
      } else {
        // The URL is printed above (or in --json): a browser that will not start is not a failed session.
        out.warn(`could not open a browser (${redactKnown(result.problem ?? result.via, [...deps.secrets])}); open the frame URL yourself`)
      }
    }
    return {...sessionJson(created, now, {env, profile: deps.profile.name, codeSpent: false}), ...(flags.open ? {opened: opened ?? null} : {})}
  },
})
