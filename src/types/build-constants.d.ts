/** package.json's version, put in by esbuild (scripts/bundle.mjs) and vitest (vitest.config.ts). */
declare const FTAUTH_VERSION: string
