import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // CLI tests spawn processes and share one Secret Service: modest parallelism on 2-core CI.
    maxWorkers: 2,
    env: {NO_COLOR: '1'},
  },
})
