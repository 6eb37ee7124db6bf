#!/usr/bin/env node
// Production entry: the esbuild bundle (dist/) and the committed oclif manifest.
import {readFileSync} from 'node:fs'

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  // The one answer that needs nothing but package.json: skip loading oclif (same text oclif prints).
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`ftauth/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {run} = await import('../dist/ftauth.js')
  await run()
}
