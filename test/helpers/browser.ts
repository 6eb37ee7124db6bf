// A real browser for tests: Debian's Chromium, headless, driven by playwright-core (no browser
// download: the registry's browser builds are out of reach). ftauth opens URLs through $BROWSER, a
// small script that hands each URL to the test, which then loads it in this Chromium.
import {existsSync} from 'node:fs'
import {chmod, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {chromium, type BrowserContext, type Page} from 'playwright-core'

import {ROOT} from './cli.js'

export const CHROMIUM = '/usr/bin/chromium'
/** Screenshots of each page state land here (gitignored). */
export const SCREENSHOTS = join(ROOT, 'test-output', 'browser')

export interface TestBrowser {
  context: BrowserContext
  /** BROWSER value for ftauth: appends each URL it is asked to open to a file the test reads. */
  browserCommand: string
  /** The next URL ftauth handed over (waits for it). */
  nextUrl(timeoutMs?: number): Promise<string>
  screenshot(page: Page, name: string): Promise<string>
  close(): Promise<void>
}

export async function launchBrowser(options: {javaScript: boolean}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/ensure-test-tools.sh installs it (apt-get install chromium)`)
  const scratch = await mkdtemp(join(tmpdir(), 'ftauth-browser-'))
  const urls = join(scratch, 'urls')
  await writeFile(urls, '')
  const handOff = join(scratch, 'hand-off.sh')
  await writeFile(handOff, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urls}'\n`)
  await chmod(handOff, 0o755)
  await mkdir(SCREENSHOTS, {recursive: true})
  const context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    javaScriptEnabled: options.javaScript,
    // Without the background-networking flags Chromium hangs on refused connections here.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  let taken = 0
  return {
    context,
    browserCommand: handOff,
    async nextUrl(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const lines = (await readFile(urls, 'utf8')).split('\n').filter(Boolean)
        if (lines.length > taken) return lines[taken++]!
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      throw new Error('ftauth never handed a URL to the browser')
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOTS, `${name}.png`)
      await page.screenshot({path, fullPage: true})
      return path
    },
    async close() {
      await context.close()
      await rm(scratch, {recursive: true, force: true})
    },
  }
}

/** What every page must have: a title, a language, and a name for each control a person uses. */
export async function accessibility(page: Page): Promise<{title: string; lang: string | null; unnamedControls: string[]}> {
  const title = await page.title()
  const lang = await page.locator('html').getAttribute('lang')
  const unnamedControls: string[] = []
  for (const control of await page.locator('button, input:not([type=hidden]), select, textarea, a[href]').all()) {
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), the name as rendered
    const name = ((await control.getAttribute('aria-label')) ?? (await control.innerText().catch(() => '')) ?? '').trim()
    const id = await control.getAttribute('id')
    const labelled = id ? (await page.locator(`label[for="${id}"]`).count()) > 0 : false
    if (!name && !labelled) unnamedControls.push(await control.evaluate((element) => element.outerHTML))
  }
  return {title, lang, unnamedControls}
}
