/**
 * Flows run without a terminal: prompts come from a scripted Prompter and URLs go to a fake
 * Browser, both ports in the deps (src/core/prompt.ts, src/core/browser.ts), in-process against
 * the in-process emulator. What the flows report are events (src/core/events.ts).
 */
import {afterEach, describe, expect, it} from 'vitest'

import type {Browser, OpenResult} from '../../src/core/browser.js'
import {Output} from '../../src/core/output.js'
import {renderEvents} from '../../src/core/render-events.js'
import {DEFAULT_SHUTTLE_REDIRECT, DEMO, startEmulator, type Emulator} from '../../src/emulator/index.js'
import {login} from '../../src/providers/login.js'
import {shuttleLogin} from '../../src/providers/shuttle/login.js'
import {inProcessDeps, scriptedPrompter, type InProcessDeps} from '../helpers/deps.js'

let emulator: Emulator | undefined
let made: InProcessDeps | undefined

afterEach(async () => {
  await made?.cleanup()
  await emulator?.close()
  made = undefined
  emulator = undefined
})

/** A browser on another machine: it is sent to the consent page and lands on the redirect, which the person then pastes. */
function remoteBrowser(): Browser & {opened: string[]; landed: Promise<string>} {
  const opened: string[] = []
  let land: (location: string) => void = () => undefined
  const landed = new Promise<string>((resolve) => (land = resolve))
  return {
    opened,
    landed,
    async open(url): Promise<OpenResult> {
      opened.push(url)
      const response = await fetch(url, {redirect: 'manual'})
      land(response.headers.get('location') as string)
      return {opened: true, via: 'a fake browser'}
    },
  }
}

describe('ports: Prompter and Browser in the deps', () => {
  it('shuttle login opens the consent page through deps.browser and takes the pasted redirect from deps.prompter', async () => {
    emulator = await startEmulator({
      port: 0,
      autoApprove: true,
      shuttleRedirects: [DEFAULT_SHUTTLE_REDIRECT, 'https://example.com/callback'],
      shuttleLoopbackAnyPort: true,
    })
    const browser = remoteBrowser()
    const prompter = scriptedPrompter({paste: () => browser.landed})
    made = await inProcessDeps(emulator.url, {prompter, browser})

    const result = await shuttleLogin(made.deps, {redirectUri: 'https://example.com/callback'})

    expect(result).toMatchObject({received: 'pasted', redirectUri: 'https://example.com/callback'})
    expect(result.token.refreshToken).toMatch(/^rt_/)
    expect(browser.opened).toHaveLength(1)
    expect(new URL(browser.opened[0] as string).pathname).toBe('/shuttle/authorize')
    expect(prompter.asked).toEqual([{kind: 'paste', message: 'Waiting for the browser… or paste the address it was sent to (or the code):'}])
    // Reported as events, in order; the human rendering of them is what a person saw on stderr.
    const steps = made.events.filter((event) => event.type === 'step').map((event) => event.title)
    expect(steps).toEqual(['Redirect', 'Browser', 'Consent', 'Exchange', 'Store'])
    expect(made.events.find((event) => event.type === 'step' && event.title === 'Consent')).toMatchObject({outcome: 'approved; code pasted'})
    expect(made.stderr.join('')).toContain('✓ Consent  approved; code pasted')
  })

  it('login without arguments asks for the client id and the secret, verifies them and stores them', async () => {
    emulator = await startEmulator({port: 0})
    const prompter = scriptedPrompter({
      input: {'Funtrips client id': DEMO.funtrips.clientId},
      password: {'Funtrips client secret': DEMO.funtrips.clientSecret},
    })
    made = await inProcessDeps(emulator.url, {prompter})

    const result = await login(made.deps, {provider: 'funtrips', verify: true, secretFromStdin: false})

    expect(prompter.asked).toEqual([
      {kind: 'input', message: 'Funtrips client id'},
      {kind: 'password', message: 'Funtrips client secret'},
    ])
    expect(result).toMatchObject({provider: 'funtrips', env: 'local', identity: {clientId: DEMO.funtrips.clientId}, verified: true})
    expect((await made.deps.store.secret('funtrips', 'client_secret', {env: 'local'}))?.value).toBe(DEMO.funtrips.clientSecret)
    expect(made.events.filter((event) => event.type === 'step').map((event) => event.title)).toEqual(['Verify', 'Store'])
  })

  it('a prompt the person cannot answer leaves nothing stored', async () => {
    emulator = await startEmulator({port: 0})
    const prompter = scriptedPrompter({input: {'Funtrips client id': 'someone-else'}, password: {'Funtrips client secret': 'wrong-secret'}})
    made = await inProcessDeps(emulator.url, {prompter})
    await expect(login(made.deps, {provider: 'funtrips', verify: true, secretFromStdin: false})).rejects.toMatchObject({exitCode: 3})
    expect(await made.deps.store.get('funtrips', 'local.client_secret')).toBeNull()
  })
})

describe('rendering events', () => {
  function capture(mode: 'human' | 'json' | 'quiet') {
    const stderr: string[] = []
    const out = new Output({stdout: {write: () => true}, stderr: {write: (chunk: string) => stderr.push(chunk)}}, mode, {colorOut: false, colorErr: false})
    return {report: renderEvents(out), stderr}
  }

  it('prints steps and notices for a person; with --json and -q only warnings, URLs to open and traces', () => {
    for (const mode of ['human', 'json', 'quiet'] as const) {
      const {report, stderr} = capture(mode)
      report({type: 'step', title: 'Store', outcome: 'saved'})
      report({type: 'step', title: 'Browser', outcome: 'not opened', status: 'skip'})
      report({type: 'notice', text: 'No usable token'})
      report({type: 'warn', text: 'careful'})
      report({type: 'warn', text: 'careful'})
      report({type: 'url', lead: 'Open:', url: 'https://example.com/a'})
      report({type: 'http', line: '→ GET https://example.com/'})
      const always = ['warning: careful\n', 'Open:\n  https://example.com/a\n', '→ GET https://example.com/\n']
      expect(stderr).toEqual(mode === 'human' ? ['✓ Store  saved\n', '· Browser  not opened\n', 'No usable token\n', ...always] : always)
    }
  })

  it('a wait is one line off a terminal, and nothing once it is over', () => {
    const {report, stderr} = capture('human')
    const over = new AbortController()
    report({type: 'wait', once: 'Waiting up to 5m…', live: 'Waiting… {left} left', deadline: Date.now() + 300_000, until: over.signal})
    over.abort()
    report({type: 'wait', once: 'never shown', live: '{left}', deadline: Date.now(), until: over.signal})
    expect(stderr).toEqual(['Waiting up to 5m…\n'])
  })
})
