#!/usr/bin/env node
// Production entry: the esbuild bundle (commands + @oclif/core) and the committed oclif manifest.
import {run} from '../dist/ftauth.js'

await run()
