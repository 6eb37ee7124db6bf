import {readFileSync} from 'node:fs'

import {defineConfig} from 'vitest/config'

const {version} = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')) as {version: string}

export default defineConfig({
  // What scripts/bundle.mjs defines for the built CLI.
  define: {FTAUTH_VERSION: JSON.stringify(version)},
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // CLI tests spawn processes and share one Secret Service: modest parallelism on 2-core CI.
    maxWorkers: 2,
    env: {NO_COLOR: '1'},
    // Tests that call core directly get the providers registered, as the CLI's entry points do.
    setupFiles: ['src/providers/registry.ts'],
    // Most tests run the built CLI inside the worker (test/helpers/in-process.ts): Node loads dist/
    // natively, the bytes bin/run.js loads, rather than vite transforming the bundle in every file.
    server: {deps: {external: [/\/dist\//]}},
  },
})
