import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runCall} from '../call/run-call.js'
import type {OpenResult} from '../core/browser.js'
import {createDeps, type Deps} from '../core/deps.js'
import type {Output} from '../core/output.js'
import {noPrompter} from '../core/prompt.js'
import {MemoryBackend} from '../core/secret-backends.js'
import {formatCountdown, formatInstant} from '../core/time.js'
import type {Emulator} from '../emulator/index.js'

export interface DemoRow {
  flow: string
  steps: number
  tokens: string
  expires: string
}

interface DemoFlow {
  title: string
  run(deps: Deps, emulator: Emulator): Promise<{tokens: string; expiresAt: Date | undefined}>
}

/** Follows the authorize redirect as a browser would; the emulator auto-approves consent. */
async function playBrowser(url: string): Promise<OpenResult> {
  const response = await fetch(url, {redirect: 'follow'})
  await response.arrayBuffer()
  return {opened: response.ok, via: 'the demo (fetch, following redirects)'}
}

/** A call through the same code as `ftauth call`; a failed status fails the demo. */
async function call(deps: Deps, input: Partial<Parameters<typeof runCall>[1]> & Pick<Parameters<typeof runCall>[1], 'provider'>) {
  const result = await runCall(deps, {
    target: undefined,
    method: undefined,
    headers: [],
    fields: [],
    body: undefined,
    as: 'user',
    query: undefined,
    variables: undefined,
    wait: false,
    waitTimeoutMs: 30_000,
    ...input,
  })
  if (result.failure) throw result.failure
  deps.report({
    type: 'step',
    title: 'Call',
    outcome: `${result.method} ${new URL(result.url).pathname} → HTTP ${result.response.status} (${result.response.body.length} bytes)`,
  })
  return result
}

const FLOWS: DemoFlow[] = [
  {
    title: 'Funtrips headless',
    async run(deps) {
      const {headlessFlow} = await import('../providers/funtrips/flows.js')
      // The demo runs in `local`, whose demo identity includes a demo user (demo.user@example.com).
      const {checkUserId} = await import('../providers/funtrips/session.js')
      const {bearer} = await headlessFlow(deps, {fresh: false, pkce: true, userId: checkUserId(undefined, deps.profile.funtrips, deps.env)})
      await call(deps, {provider: 'funtrips', target: '/v1/merchants'})
      return {tokens: 'backend bearer, public bearer (PKCE)', expiresAt: bearer.expiresAt}
    },
  },
  {
    title: 'Funtrips webframe',
    async run(deps) {
      const {createSessionFlow} = await import('../providers/funtrips/flows.js')
      const {checkUserId} = await import('../providers/funtrips/session.js')
      const userId = checkUserId(undefined, deps.profile.funtrips, deps.env)
      const created = await createSessionFlow(deps, {integration: 'webframe', userId, pkce: false, fresh: false, keepVerifier: false})
      if (!created.frameUrl) throw new Error('the webframe session came back without a frame_url')
      // The frame redeems the code itself, as Funtrips' web app does inside the partner's webview.
      const page = await fetch(created.frameUrl)
      const html = await page.text()
      if (!page.ok) throw new Error(`the frame answered HTTP ${page.status}`)
      deps.report({
        type: 'step',
        title: 'Frame',
        outcome: `GET ${new URL(created.frameUrl).pathname} redeemed the code (HTTP ${page.status}, ${/signed in/i.test(html) ? 'signed in' : 'page served'})`,
      })
      return {tokens: 'backend bearer (reused), session code → frame', expiresAt: created.codeExpiresAt}
    },
  },
  {
    title: 'Fluz',
    async run(deps) {
      const {obtainFluzToken, refreshFluzToken} = await import('../providers/fluz/token-flow.js')
      const {resolveFluzIds, fluzTokenRequest} = await import('../providers/fluz/request.js')
      const request = fluzTokenRequest(deps, resolveFluzIds(deps, {}), ['LIST_OFFERS', 'LIST_PURCHASES'])
      await obtainFluzToken(deps, request, {minTtlSeconds: 30, fresh: false})
      await obtainFluzToken(deps, request, {minTtlSeconds: 30, fresh: false})
      const refreshed = await refreshFluzToken(deps, request)
      await call(deps, {provider: 'fluz', query: 'query Offers { offers(first: 2) { success totalCount offers { merchantName cashbackPercent } } }'})
      return {tokens: 'user access token (new → cached → refreshed)', expiresAt: refreshed.expiresAt}
    },
  },
  {
    title: 'Shuttle',
    async run(deps) {
      const {shuttleLogin} = await import('../providers/shuttle/login.js')
      const {refreshShuttleToken} = await import('../providers/shuttle/refresh.js')
      await shuttleLogin(deps, {paste: false, waitSeconds: 30, port: 0})
      const {token} = await refreshShuttleToken(deps, {reuse: () => false})
      await call(deps, {provider: 'shuttle', target: '/payment_links'})
      return {tokens: 'access token + refresh token (refreshed)', expiresAt: new Date(token.expiresAt)}
    },
  },
]

/**
 * `ftauth demo`: every documented flow against an in-process emulator, through the same flow code
 * as the commands. A throwaway config dir and an in-memory secret store: the user's keychain and
 * config are never touched.
 */
export async function runDemo(out: Output, options: {timeoutMs: number; trace: boolean}): Promise<DemoRow[]> {
  const {startEmulator} = await import('../emulator/index.js')
  // The demo's Shuttle login listens on a random port (its own emulator accepts any loopback port
  // for the registered redirect), so a busy 8765 never stops the walkthrough.
  const emulator = await startEmulator({port: 0, autoApprove: true, shuttleLoopbackAnyPort: true})
  const configDir = await mkdtemp(join(tmpdir(), 'ftauth-demo-'))
  try {
    out.info(out.e.dim(`emulator on ${emulator.url} · throwaway config ${configDir} · secrets in memory only`))
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FTAUTH_') && key !== 'BROWSER'))
    const deps = await createDeps({
      out,
      env: {...env, FTAUTH_LOCAL_URL: emulator.url},
      configDir,
      envFlag: 'local',
      backend: new MemoryBackend(),
      // No terminal is needed: nothing is asked, and the demo plays the browser itself.
      prompter: noPrompter,
      browser: {open: playBrowser},
      timeoutMs: options.timeoutMs,
      trace: options.trace,
    })
    const rows: DemoRow[] = []
    for (const flow of FLOWS) {
      out.info('')
      out.info(out.e.bold.underline(flow.title))
      const before = out.steps.length
      const {tokens, expiresAt} = await flow.run(deps, emulator)
      rows.push({
        flow: flow.title,
        steps: out.steps.length - before,
        tokens,
        expires: expiresAt ? `${formatInstant(expiresAt)} (${formatCountdown(expiresAt, deps.now())})` : '—',
      })
    }
    return rows
  } finally {
    await emulator.close()
    await rm(configDir, {recursive: true, force: true})
  }
}
