import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {saveConfig, type Profile} from '../../src/core/config.js'
import {createDeps, type Deps} from '../../src/core/deps.js'
import {HttpClient, type HttpOptions} from '../../src/core/http.js'
import {Output} from '../../src/core/output.js'
import {pathsFor} from '../../src/core/paths.js'
import {MemoryBackend} from '../../src/core/secret-backends.js'

export interface InProcessDeps {
  deps: Deps
  /** Everything written to stderr (steps, warnings). */
  stderr: string[]
  /** Trace lines of every request and response. */
  trace: string[]
  cleanup(): Promise<void>
}

/**
 * Real flow dependencies, built by the same factory as the commands (core/deps.ts): a throwaway
 * config dir holding `profile`, in-memory secrets, `--env local` against the emulator, and an HTTP
 * client whose retry waits are instant.
 */
export async function inProcessDeps(
  emulatorUrl: string,
  options: {profile?: Profile; env?: NodeJS.ProcessEnv; http?: Partial<HttpOptions>} = {},
): Promise<InProcessDeps> {
  const dir = await mkdtemp(join(tmpdir(), 'ftauth-flow-'))
  if (options.profile) await saveConfig(pathsFor(dir).config, {version: 1, profiles: {default: options.profile}})
  const stderr: string[] = []
  const trace: string[] = []
  const out = new Output({stdout: {write: () => true}, stderr: {write: (chunk: string) => stderr.push(chunk)}}, 'human', {colorOut: false, colorErr: false})
  const deps = await createDeps({
    out,
    env: {FTAUTH_ENV: 'local', FTAUTH_LOCAL_URL: emulatorUrl, ...options.env},
    configDir: dir,
    backend: new MemoryBackend(),
    timeoutMs: 10_000,
    trace: false,
    http: new HttpClient({timeoutMs: 10_000, sleep: async () => undefined, trace: (line) => trace.push(line), ...options.http}),
  })
  return {deps, stderr, trace, cleanup: () => rm(dir, {recursive: true, force: true})}
}
