import {execute} from '@oclif/core'

import {dropEmptyFtauthVariables} from './core/env-vars.js'

/** The CLI entry (bin/run.js). oclif finds package.json by walking up from this file. */
export async function run(options: {development?: boolean} = {}): Promise<void> {
  dropEmptyFtauthVariables(process.env)
  await execute({dir: import.meta.url, development: options.development ?? false})
}
