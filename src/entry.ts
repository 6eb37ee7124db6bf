import {execute} from '@oclif/core'

/** The CLI entry (bin/run.js). oclif finds package.json by walking up from this file. */
export async function run(options: {development?: boolean} = {}): Promise<void> {
  await execute({dir: import.meta.url, development: options.development ?? false})
}
