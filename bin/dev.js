#!/usr/bin/env node
// Development entry: same as run.js but with oclif's development mode (no manifest cache, full errors).
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
