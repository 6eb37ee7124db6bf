#!/usr/bin/env node
// Development entry: rebundles from src/ first, then runs with oclif's development mode.
import {bundle} from '../scripts/bundle.mjs'

await bundle()
const {run} = await import('../dist/ftauth.js')
await run({development: true})
