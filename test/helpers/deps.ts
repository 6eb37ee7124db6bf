import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {saveConfig, type Profile} from '../../src/core/config.js'
import type {Browser} from '../../src/core/browser.js'
import {createDeps, type Deps} from '../../src/core/deps.js'
import type {FlowEvent} from '../../src/core/events.js'
import {HttpClient, type HttpOptions} from '../../src/core/http.js'
import {Output} from '../../src/core/output.js'
import {pathsFor} from '../../src/core/paths.js'
import type {Prompter} from '../../src/core/prompt.js'
import {renderEvents} from '../../src/core/render-events.js'
import {MemoryBackend} from '../../src/core/secret-backends.js'

export interface InProcessDeps {
  deps: Deps
  /** Everything written to stderr (steps, warnings). */
  stderr: string[]
  /** Trace lines of every request and response. */
  trace: string[]
  /** Every event the flows reported, in order (rendered onto `stderr` as the CLI does for a person). */
  events: FlowEvent[]
  cleanup(): Promise<void>
}

/**
 * Real flow dependencies, built by the same factory as the commands (core/deps.ts): a throwaway
 * config dir holding `profile`, in-memory secrets, `--env local` against the emulator, and an HTTP
 * client whose retry waits are instant.
 */
export async function inProcessDeps(
  emulatorUrl: string,
  options: {
    profile?: Profile
    env?: NodeJS.ProcessEnv
    http?: Partial<HttpOptions>
    /** Default: the terminal's (it asks nothing off a terminal, as in a test worker). */
    prompter?: Prompter
    /** Default: BROWSER, else the system browser, under the deps' environment (neither is set here). */
    browser?: Browser
  } = {},
): Promise<InProcessDeps> {
  const dir = await mkdtemp(join(tmpdir(), 'ftauth-flow-'))
  if (options.profile) await saveConfig(pathsFor(dir).config, {version: 1, profiles: {default: options.profile}})
  const stderr: string[] = []
  const trace: string[] = []
  const out = new Output({stdout: {write: () => true}, stderr: {write: (chunk: string) => stderr.push(chunk)}}, 'human', {colorOut: false, colorErr: false})
  const events: FlowEvent[] = []
  const render = renderEvents(out)
  const deps = await createDeps({
    report: (event) => {
      events.push(event)
      render(event)
    },
    ...(options.prompter ? {prompter: options.prompter} : {}),
    ...(options.browser ? {browser: options.browser} : {}),
    env: {FTAUTH_ENV: 'local', FTAUTH_LOCAL_URL: emulatorUrl, ...options.env},
    configDir: dir,
    backend: new MemoryBackend(),
    timeoutMs: 10_000,
    trace: false,
    http: new HttpClient({timeoutMs: 10_000, sleep: async () => undefined, trace: (line) => trace.push(line), ...options.http}),
  })
  return {deps, stderr, trace, events, cleanup: () => rm(dir, {recursive: true, force: true})}
}

/** What a scripted prompter was asked, in order: the kind of prompt and its message. */
export interface Asked {
  kind: 'input' | 'password' | 'checkbox' | 'paste' | 'piped'
  message: string
}

/**
 * A Prompter for tests: a person is "there" and answers from the script (by the message's start),
 * without a terminal. A prompt the script has no answer for fails the test's flow.
 */
export function scriptedPrompter(script: {
  input?: Record<string, string>
  password?: Record<string, string>
  checkbox?: Record<string, string[]>
  /** Resolved when the flow shows its paste prompt (a promise: the answer may come later). */
  paste?: () => Promise<string>
}): Prompter & {asked: Asked[]} {
  const asked: Asked[] = []
  const answer = <T>(kind: Asked['kind'], answers: Record<string, T> | undefined, message: string): Promise<T> => {
    asked.push({kind, message})
    const key = Object.keys(answers ?? {}).find((start) => message.startsWith(start))
    return key === undefined ? Promise.reject(new Error(`unscripted ${kind} prompt: ${message}`)) : Promise.resolve((answers as Record<string, T>)[key] as T)
  }
  return {
    asked,
    canPrompt: () => true,
    input: ({message}) => answer('input', script.input, message),
    password: ({message}) => answer('password', script.password, message),
    checkbox: ({message}) => answer('checkbox', script.checkbox, message),
    paste: ({message}) => {
      asked.push({kind: 'paste', message})
      return script.paste ? script.paste() : Promise.reject(new Error(`unscripted paste prompt: ${message}`))
    },
    piped: (flag) => {
      asked.push({kind: 'piped', message: flag})
      return Promise.reject(new Error(`nothing piped for --${flag}-stdin`))
    },
  }
}
