/**
 * `ftauth shuttle login`: the OAuth 2.0 authorization code flow for a native app (RFC 8252) —
 * loopback listener, consent in the browser, state check, PKCE, code exchange, token stored.
 */
import type {Deps} from '../../core/deps.js'
import {ExitCode, FtauthError, networkError, usageError} from '../../core/errors.js'
import {formatDuration, timerMs} from '../../core/time.js'
import type {StoredToken} from '../../core/token-cache.js'
import type {OpenResult, UrlOpener} from '../../core/browser.js'
import {interpretCallback, parsePasted, type CallbackVerdict} from './callback.js'
import {resolveShuttleClient, type ClientAuthMethod} from './client-auth.js'
import {startLoopback, type CallbackHandler, type CallbackPage, type Loopback} from './loopback.js'
import {codeChallengeS256, generateCodeVerifier} from '../../core/pkce.js'
import {buildAuthorizationUrl, exchangeCode, generateState} from './oauth.js'
import {planRedirect} from './redirect.js'
import {saveShuttleToken, storedTokenFrom, withShuttleLock} from './token-store.js'

export const DEFAULT_WAIT_SECONDS = 300

export interface ShuttleLoginOptions {
  /** --scope; default the profile's shuttle.scope, else none (the server's default). */
  scope?: string | undefined
  /** --port for the loopback listener; default the fixed port of the default redirect (0: a random one). */
  port?: number | undefined
  /** --redirect-uri; default the profile's shuttle.redirectUri, else the loopback listener. */
  redirectUri?: string | undefined
  /** Send a PKCE S256 challenge (default true). */
  pkce?: boolean
  /** Open the consent page (default true); false prints the URL only (--no-browser). */
  openBrowser?: boolean
  /** How to open it; default the deps' browser (BROWSER, else `open` when a display is there). */
  openUrl?: UrlOpener
  /** --wait: seconds to wait for the redirect (default 300). */
  waitSeconds?: number
  clientAuth?: ClientAuthMethod
  /** Offer a prompt for the pasted redirect URL or code; default: when a terminal is there. */
  paste?: boolean
  /** Where pasted text comes from; default the deps' prompter (a prompt on stderr). Giving one enables pasting. */
  readPaste?: PasteReader
}

/** Resolves with what the user pasted; must give up (reject or never settle) once the signal aborts. */
export type PasteReader = (signal: AbortSignal) => Promise<string>

export interface ShuttleLoginResult {
  token: StoredToken
  redirectUri: string
  pkce: boolean
  clientAuth: ClientAuthMethod
  /** How the authorization response arrived. */
  received: 'loopback' | 'pasted'
}

interface Arrival {
  verdict: CallbackVerdict
  received: 'loopback' | 'pasted'
}

export async function shuttleLogin(deps: Deps, options: ShuttleLoginOptions = {}): Promise<ShuttleLoginResult> {
  const settings = deps.profile.shuttle
  const waitSeconds = options.waitSeconds ?? DEFAULT_WAIT_SECONDS
  if (!Number.isInteger(waitSeconds) || waitSeconds < 1) throw usageError(`--wait must be a whole number of seconds ≥ 1, not ${waitSeconds}`)
  const pkce = options.pkce ?? true
  const clientAuth = options.clientAuth ?? 'basic'
  const canPaste = options.paste ?? (options.readPaste !== undefined || deps.prompter.canPrompt())
  const plan = planRedirect({flag: options.redirectUri, profile: settings.redirectUri, port: options.port, canPaste})
  // Everything that can be checked locally is checked before a port is opened or a request sent.
  const client = await resolveShuttleClient(deps)
  const scope = options.scope ?? settings.scope
  const state = generateState()
  const verifier = pkce ? generateCodeVerifier() : undefined
  if (verifier) deps.secrets.add(verifier)

  let listener: Loopback<CallbackVerdict> | undefined
  let redirectUri: string
  let arrival: Arrival
  const started = Date.now()
  // Ends the wait (timer, paste prompt) however the flow leaves this block.
  const stop = new AbortController()
  // Ends the countdown line as soon as the wait is over.
  const waited = new AbortController()
  try {
    if (plan.kind === 'loopback') {
      listener = await startLoopback({
        host: plan.host,
        port: plan.port,
        path: plan.path,
        source: plan.source,
        handle: (params) => judge(params, state, (line) => deps.report({type: 'warn', text: line})),
      })
      redirectUri = plan.registered ?? `http://127.0.0.1:${listener.port}${plan.path}`
      deps.report({
        type: 'step',
        title: 'Listen',
        outcome: `${redirectUri} (one redirect, up to ${formatDuration(waitSeconds * 1000)}; Shuttle accepts it only if registered for ${client.clientId})`,
      })
    } else {
      redirectUri = plan.registered
      deps.report({
        type: 'step',
        title: 'Redirect',
        outcome: `${redirectUri} is not a loopback address: paste the address the browser lands on`,
        status: 'warn',
      })
    }
    const authorizeUrl = buildAuthorizationUrl({
      authorizationEndpoint: `${settings.authUrl}/authorize`,
      clientId: client.clientId,
      redirectUri,
      scope,
      state,
      codeChallenge: verifier ? codeChallengeS256(verifier) : undefined,
    }).toString()

    const deadline = started + waitSeconds * 1000
    const paste = canPaste ? (options.readPaste ?? pasteReaderUntil(deps, deadline)) : undefined
    // The --wait clock starts before the browser opens: an opener that hangs cannot stall the login.
    let printed: () => void = () => undefined
    const urlShown = new Promise<void>((resolve) => (printed = resolve))
    const waiting = waitForArrival({listener, state, waitSeconds, paste, pasteAfter: urlShown, signal: stop.signal})
    waiting.catch(() => undefined) // awaited below; this only keeps a timeout during opening from going unhandled

    let arrivedAtOnce = false
    if (options.openBrowser === false) {
      showUrl(deps, authorizeUrl, 'Open this URL in a browser to approve access for the merchant:')
      deps.report({type: 'step', title: 'Browser', outcome: 'not opened (--no-browser)', status: 'skip'})
    } else {
      const opener = options.openUrl ?? ((url: string) => deps.browser.open(url))
      const opened = Promise.resolve()
        .then(() => opener(authorizeUrl))
        .catch((error: unknown): OpenResult => ({opened: false, via: 'opener', problem: (error as Error).message}))
      // An opener that plays the browser itself (the demo) may return only after the redirect arrived.
      const raced = await Promise.race([
        opened,
        waiting.then(
          () => 'arrived' as const,
          () => 'gave up' as const,
        ),
      ])
      // 'gave up': the wait ran out while the opener was busy; `await waiting` below throws the timeout.
      if (raced !== 'gave up') {
        arrivedAtOnce = raced === 'arrived'
        const browser: OpenResult = raced === 'arrived' ? {opened: true, via: 'it came back at once'} : raced
        if (browser.opened) {
          deps.report({type: 'step', title: 'Browser', outcome: `opened the Shuttle consent page (${browser.via})`})
          // For a person only (a notice): --json and -q users were told the browser opened.
          if (!arrivedAtOnce) deps.report({type: 'notice', text: `If no browser appeared, open:\n  ${authorizeUrl}`})
        } else {
          deps.report({type: 'step', title: 'Browser', outcome: `not opened: ${browser.problem ?? 'no browser'}`, status: 'skip'})
          showUrl(deps, authorizeUrl, 'Open this URL in a browser to approve access for the merchant:')
        }
      }
    }
    if (listener && !paste && !arrivedAtOnce) {
      // On a terminal a live countdown (gone once the wait ends); elsewhere this line once.
      deps.report({
        type: 'wait',
        once: `Waiting up to ${formatDuration(waitSeconds * 1000)} for the browser to come back… (Ctrl-C to cancel)`,
        live: 'Waiting for the browser to come back… {left} left (Ctrl-C to cancel)',
        deadline,
        until: waited.signal,
      })
    }
    // The paste prompt starts only now, so nothing else writes to the terminal while it is shown.
    printed()
    arrival = await waiting.catch((error: unknown) => {
      throw withRegistrationHint(error, redirectUri, client.clientId)
    })
  } finally {
    waited.abort()
    stop.abort()
    await listener?.close()
  }

  if (!arrival.verdict.ok) throw arrival.verdict.error
  const code = arrival.verdict.code
  deps.secrets.add(code)
  deps.report({
    type: 'step',
    title: 'Consent',
    outcome: `approved; ${arrival.received === 'loopback' ? 'redirect received, state matches' : 'code pasted'}`,
    ms: Date.now() - started,
  })

  const tokenUrl = `${settings.authUrl}/token`
  const grant = await exchangeCode(deps, {url: tokenUrl, client, auth: clientAuth}, {code, redirectUri, codeVerifier: verifier}).catch((error: unknown) => {
    throw redirectRefused(error, redirectUri, client.clientId)
  })
  deps.report({
    type: 'step',
    title: 'Exchange',
    outcome: `code → access token${grant.body.refresh_token ? ' + refresh token' : ''} (client auth ${clientAuth}${pkce ? ', PKCE S256' : ''})`,
    request: `POST ${new URL(tokenUrl).pathname} ${grant.response.status}`,
    ms: grant.response.ms,
  })
  const token = storedTokenFrom(deps, grant, {requestedScope: scope, clientAuth})
  await withShuttleLock(deps, () => saveShuttleToken(deps, token))
  deps.report({type: 'step', title: 'Store', outcome: `saved in the ${deps.store.backend.label}`})
  return {token, redirectUri, pkce, clientAuth, received: arrival.received}
}

/**
 * The consent page refuses an unregistered redirect on its own page, which ftauth never sees: when
 * nothing comes back, the timeout names the exact value that must be registered.
 */
function withRegistrationHint(error: unknown, redirectUri: string, clientId: string): unknown {
  if (!(error instanceof FtauthError) || error.exitCode !== ExitCode.network) return error
  return new FtauthError(ExitCode.network, error.message, {
    hint: `if the Shuttle page said the redirect is not registered, register exactly ${redirectUri} for client ${clientId} (or pass a registered one with --redirect-uri or --port); else approve sooner or raise --wait`,
  })
}

/** A token endpoint that names the redirect in its refusal: the value must be registered exactly as sent. */
function redirectRefused(error: unknown, redirectUri: string, clientId: string): unknown {
  if (!(error instanceof FtauthError) || !/redirect/i.test(error.message)) return error
  return new FtauthError(error.exitCode, `${error.message}; the redirect sent was ${redirectUri}`, {
    hint: `Shuttle accepts only pre-registered redirects: register exactly ${redirectUri} for client ${clientId}, or pass a registered one with --redirect-uri`,
    ...(error.details ? {details: error.details} : {}),
  })
}

/** What the listener answers and hands over for each authorization response. */
function judge(params: URLSearchParams, state: string, warn: (line: string) => void): ReturnType<CallbackHandler<CallbackVerdict>> {
  const verdict = interpretCallback(params, state)
  if (!verdict) return undefined
  if (!verdict.ok && verdict.error.details?.error === 'state_mismatch') {
    // RFC 6749 §10.12: not ours (a forged redirect, or a tab of an earlier login). Refused, and the
    // login keeps waiting for the real redirect instead of letting a stranger end it.
    warn(
      `ignored a redirect whose state ${params.has('state') ? 'does not match' : 'is missing'} (a forged redirect, or a tab from an earlier login); still waiting for this login's`,
    )
    return {
      page: {
        status: 400,
        title: 'Not this login',
        message: 'This redirect does not belong to the login ftauth is waiting for, and was ignored. Finish the login in the tab ftauth opened.',
      },
      ignored: true,
    }
  }
  const page: CallbackPage = verdict.ok
    ? {status: 200, title: 'Shuttle access approved', message: 'ftauth received the authorization. You can close this tab and return to the terminal.'}
    : {status: 400, title: 'Shuttle authorization failed', message: `${verdict.error.message}. You can close this tab; the terminal says what to do next.`}
  return {page, result: verdict}
}

/** The URL is reported for every mode: without it the user cannot go on. */
function showUrl(deps: Deps, url: string, lead: string): void {
  deps.report({type: 'url', lead, url})
}

/**
 * Races the loopback redirect, a pasted redirect URL or code (only with a terminal), and the --wait
 * timer. Whoever wins, the others are stopped; the caller closes the listener.
 */
async function waitForArrival(context: {
  listener: Loopback<CallbackVerdict> | undefined
  state: string
  waitSeconds: number
  paste: PasteReader | undefined
  /** The paste reader starts once this settles. */
  pasteAfter: Promise<void>
  /** Aborted when the flow is done with waiting, for whatever reason. */
  signal: AbortSignal
}): Promise<Arrival> {
  const {listener, state, waitSeconds, paste, pasteAfter, signal} = context
  const abort = new AbortController()
  let timer: NodeJS.Timeout | undefined
  signal.addEventListener('abort', () => abort.abort(), {once: true})
  abort.signal.addEventListener('abort', () => clearTimeout(timer), {once: true})
  const racers: Promise<Arrival>[] = []
  if (listener) racers.push(listener.result.then((verdict) => ({verdict, received: 'loopback' as const})))
  if (paste) racers.push(pasteAfter.then(() => readPasted(paste, state, abort.signal)))
  racers.push(
    new Promise<Arrival>((_, reject) => {
      timer = setTimeout(
        () => {
          reject(
            networkError(
              `no authorization came back within ${formatDuration(waitSeconds * 1000)} (--wait ${waitSeconds})`,
              `approve in the browser sooner or raise --wait, then run \`ftauth shuttle login\` again`,
            ),
          )
        },
        timerMs(waitSeconds * 1000),
      )
    }),
  )
  try {
    return await Promise.race(racers)
  } finally {
    clearTimeout(timer)
    abort.abort()
  }
}

/** Reads pasted text until it is an authorization response, then judges it like a redirect. */
async function readPasted(read: PasteReader, state: string, signal: AbortSignal): Promise<Arrival> {
  try {
    if (signal.aborted) return new Promise<Arrival>(() => undefined)
    const pasted = parsePasted(await read(signal))
    const verdict = pasted ? interpretCallback(pasted.params, pasted.checkState ? state : undefined) : undefined
    if (!verdict) throw usageError('the pasted text is not an authorization response', 'paste the whole redirect URL, or just the code')
    return {verdict, received: 'pasted'}
  } catch (error) {
    // Aborted because another racer won: never settle, the race is already decided.
    if (signal.aborted) return new Promise<Arrival>(() => undefined)
    // Ctrl-C at the paste prompt becomes exit 2 where every error is rendered (toFtauthError).
    throw error
  }
}

/**
 * The default paste reader: the prompter's paste prompt, counting down to the end of the wait, that
 * only accepts something parsePasted understands; it leaves the screen once the wait is over.
 */
function pasteReaderUntil(deps: Deps, deadline: number): PasteReader {
  return (signal) =>
    deps.prompter.paste({
      message: 'Waiting for the browser… or paste the address it was sent to (or the code):',
      deadline,
      validate: (value) => (parsePasted(value) ? true : 'not a redirect URL, query string or code'),
      signal,
    })
}
