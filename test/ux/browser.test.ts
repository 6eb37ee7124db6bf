// A real browser: `ftauth shuttle login` and `ftauth session create --webframe --open` hand their URL
// to headless Chromium (through $BROWSER), which a test drives like a person — with JavaScript off,
// since the consent and redirect pages are plain HTML forms and redirects.
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {makeWorld, SHUTTLE_TOKEN_ACCOUNT, type World} from '../call/helpers.js'
import {keychainEntries} from '../helpers/cli.js'
import {accessibility, launchBrowser, type TestBrowser} from '../helpers/browser.js'

vi.setConfig({testTimeout: 120_000, hookTimeout: 120_000})

let world: World
let browser: TestBrowser
beforeAll(async () => {
  world = await makeWorld({autoApprove: false})
  browser = await launchBrowser({javaScript: false})
})
afterAll(async () => {
  await browser?.close()
  await world?.close()
})

// --port 0: the emulator here accepts any loopback port; the default 8765 may be held by a parallel run.
const login = (wait = 60) => world.run(['shuttle', 'login', '--wait', String(wait), '--port', '0'], {env: {BROWSER: browser.browserCommand}})

describe('Shuttle consent in Chromium', () => {
  it('Approve: the consent page is titled, in English, with named buttons; the login completes through the loopback redirect', async () => {
    const running = login()
    const page = await browser.context.newPage()
    await page.goto(await browser.nextUrl())
    const consent = await accessibility(page)
    expect(consent).toEqual({title: 'Authorize access', lang: 'en', unnamedControls: []})
    await expect(page.getByRole('button', {name: 'Approve'}).count()).resolves.toBe(1)
    await browser.screenshot(page, 'shuttle-consent')
    await page.getByRole('button', {name: 'Approve'}).click()
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//)
    expect(await accessibility(page)).toMatchObject({title: 'ftauth · Shuttle access approved', lang: 'en'})
    await browser.screenshot(page, 'shuttle-approved')
    const result = await running
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/Consent\s+approved; redirect received, state matches/)
    expect((await keychainEntries(world.sandbox.service)).has(SHUTTLE_TOKEN_ACCOUNT)).toBe(true)
    await page.close()
  })

  it('Deny: exit 3 with the provider reason; the tab says what happened', async () => {
    const running = login()
    const page = await browser.context.newPage()
    await page.goto(await browser.nextUrl())
    await page.getByRole('button', {name: 'Deny'}).click()
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//)
    expect(await accessibility(page)).toMatchObject({title: 'ftauth · Shuttle authorization failed', lang: 'en'})
    await browser.screenshot(page, 'shuttle-denied')
    const result = await running
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/access_denied/)
    await page.close()
  })

  it('a tab closed without a choice: the login gives up after --wait with exit 5', async () => {
    const running = login(4)
    const page = await browser.context.newPage()
    await page.goto(await browser.nextUrl())
    await page.close()
    const result = await running
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(/no authorization came back within 4s \(--wait 4\)/)
  })
})

describe('Funtrips webframe in Chromium', () => {
  it('--open shows the signed-in frame; a second open of the same URL shows "code already used"', async () => {
    const created = await world.run(['session', 'create', '--webframe', '--open', '--json'], {env: {BROWSER: browser.browserCommand}})
    expect(created.code, created.stderr).toBe(0)
    const url = await browser.nextUrl()
    expect(url).toBe((JSON.parse(created.stdout) as {frameUrl: string}).frameUrl)
    const page = await browser.context.newPage()
    await page.goto(url)
    expect(await accessibility(page)).toEqual({title: 'Funtrips', lang: 'en', unnamedControls: []})
    await expect(page.getByText(/^Signed in as/).count()).resolves.toBe(1)
    await browser.screenshot(page, 'webframe-signed-in')
    const again = await page.goto(url)
    expect(again?.status()).toBe(400)
    expect(await accessibility(page)).toMatchObject({title: 'Funtrips: cannot sign in', lang: 'en'})
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), the text as rendered
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/already used/i)
    await browser.screenshot(page, 'webframe-code-used')
    await page.close()
  })
})
