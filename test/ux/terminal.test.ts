// A real terminal (tmux): prompts as a person meets them — the masked secret never on screen, the
// Fluz scope checkbox, Ctrl-C at a prompt (exit 2, terminal restored) — and colour only on a terminal.
import {mkdir, symlink} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest'

import {DEMO} from '../../src/emulator/index.js'
import {makeWorld, type World} from '../call/helpers.js'
import {BIN} from '../helpers/cli.js'
import {openTerminal, type Terminal} from '../helpers/tmux.js'
import {TEST_BROWSER} from '../shuttle/helpers.js'

vi.setConfig({testTimeout: 120_000, hookTimeout: 120_000})

let world: World
let bin: string
let terminal: Terminal | undefined
beforeAll(async () => {
  world = await makeWorld()
  bin = join(world.scratch, 'bin')
  await mkdir(bin)
  await symlink(BIN, join(bin, 'ftauth'))
})
afterEach(async () => {
  await terminal?.close()
  terminal = undefined
})
afterAll(() => world?.close())

/** A shell in tmux with ftauth on PATH, pointed at the emulator, colour left to ftauth. */
async function shell(extra: Record<string, string | undefined> = {}): Promise<Terminal> {
  terminal = await openTerminal({...world.sandbox.env, NO_COLOR: undefined, PATH: `${bin}:${process.env.PATH}`, COLUMNS: undefined, ...extra})
  await terminal.waitFor(/^\$\s*$/m)
  return terminal
}

describe('prompts in a real terminal', () => {
  it('ftauth login funtrips asks for the client id and the secret, masked: the secret is never on the screen', async () => {
    const term = await shell()
    await term.type('ftauth login funtrips; echo "exit-login=$?"')
    await term.waitFor(/Funtrips client id/)
    await term.type(DEMO.funtrips.clientId)
    await term.waitFor(/Funtrips client secret/)
    await term.type(DEMO.funtrips.clientSecret, {enter: false})
    const masked = await term.waitFor(new RegExp(`Funtrips client secret.*•{${DEMO.funtrips.clientSecret.length}}`))
    expect(masked).not.toContain(DEMO.funtrips.clientSecret)
    await term.press('Enter')
    const done = await term.waitFor(/exit-login=\d+/, 60_000)
    expect(done).toMatch(/exit-login=0/)
    for (const screen of term.captures) expect(screen).not.toContain(DEMO.funtrips.clientSecret)
    // What was typed is what was stored: the next command runs on it.
    expect(await term.exitCodeOf('ftauth session create --headless -q >/dev/null')).toBe(0)
  })

  it('ftauth fluz token offers the scopes as a checkbox; Space picks, Enter confirms', async () => {
    const term = await shell()
    await term.type(
      'ftauth fluz token --json | node -e \'console.log("scopes:", JSON.parse(require("fs").readFileSync(0, "utf8")).scopes.join(","))\'; echo "exit-fluz=$?"',
    )
    const box = await term.waitFor(/Fluz scopes for the user access token/)
    expect(box).toMatch(/LIST_OFFERS/)
    await term.press('Space')
    await term.press('Enter')
    const done = await term.waitFor(/exit-fluz=\d+/, 60_000)
    expect(done).toMatch(/exit-fluz=0/)
    expect(done).toMatch(/^scopes: \w+$/m)
  })

  it('Ctrl-C at a prompt exits 2 and leaves the terminal as it was (echo, canonical mode, cursor)', async () => {
    const term = await shell()
    const before = await sttySettings(term, 'before')
    await term.type('ftauth login funtrips; echo "exit-cancel=$?"')
    await term.waitFor(/Funtrips client id/)
    await term.press('C-c')
    const after = await term.waitFor(/exit-cancel=\d+/)
    expect(after).toMatch(/exit-cancel=2/)
    expect(after).toMatch(/cancelled/)
    expect(await sttySettings(term, 'after')).toEqual(before)
    // Typed characters echo again.
    await term.type('echo typed-back', {enter: false})
    await term.waitFor(/echo typed-back/)
  })
})

describe('a waiting shuttle login', () => {
  // The stand-in browser takes 4 s before it loads the consent page (the emulator approves it).
  const slowBrowser = {BROWSER: TEST_BROWSER, FTAUTH_TEST_BROWSER_DELAY_MS: '4000'}

  /** Seconds left on each screen that showed the countdown, in order. */
  function secondsShown(screens: string[]): number[] {
    return screens.flatMap((screen) => {
      const left = /(?:(\d+)m )?(\d+)s left/.exec(screen)
      return left ? [Number(left[1] ?? 0) * 60 + Number(left[2])] : []
    })
  }

  it.each([
    ['with the paste prompt (stdin a terminal)', 'ftauth shuttle login --wait 90'],
    ['without a prompt (stdin not a terminal)', 'ftauth shuttle login --wait 90 </dev/null'],
  ])('%s: a live countdown on stderr that is gone once the login is done', async (_name, command) => {
    const term = await shell(slowBrowser)
    await term.type(`${command}; echo "exit-wait=$?"`)
    await term.waitFor(/1m 2\ds left/)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const done = await term.waitFor(/exit-wait=\d+/, 60_000)
    expect(done).toMatch(/exit-wait=0/)
    const shown = secondsShown(term.captures)
    // It counted down while waiting: at least two different values, never going up.
    expect(new Set(shown).size).toBeGreaterThan(1)
    expect([...shown].sort((a, b) => b - a)).toEqual(shown)
    expect(done).not.toMatch(/s left/)
    expect(done).toMatch(/Consent\s+approved/)
  })
})

/** The terminal's line settings as `stty -g` prints them, through the shell in the pane. */
async function sttySettings(term: Terminal, label: string): Promise<string> {
  await term.type(`echo "${label}=$(stty -g)"`)
  const screen = await term.waitFor(new RegExp(`^${label}=\\S+$`, 'm'))
  return new RegExp(`^${label}=(\\S+)$`, 'm').exec(screen)![1]!
}

describe('colour', () => {
  const ESC = '\u001B['
  it('on a terminal; none with NO_COLOR or when piped', async () => {
    const term = await shell()
    await term.type('clear; ftauth status')
    await term.waitFor(/Shuttle/)
    expect(await term.screen({colours: true})).toContain(ESC)

    await term.type('clear; NO_COLOR=1 ftauth status')
    await term.waitFor(/Shuttle/)
    expect(await term.screen({colours: true})).not.toContain(ESC)

    await term.type('clear; ftauth status | cat')
    await term.waitFor(/Shuttle/)
    expect(await term.screen({colours: true})).not.toContain(ESC)
  })
})
