import {execute} from '@oclif/core'

/**
 * The bundle's entry (see scripts/bundle.mjs, which adds the generated COMMANDS map beside it).
 * oclif finds package.json by walking up from this file.
 */
export async function run(options: {development?: boolean} = {}): Promise<void> {
  await execute({dir: import.meta.url, development: options.development ?? false})
}
