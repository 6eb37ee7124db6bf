#!/usr/bin/env node
// Proof that a formatting pass changed no code: every .ts/.js/.mjs file changed since REF (default HEAD)
// compiles with esbuild to the same output as at REF, whitespace aside (comments are dropped by esbuild).
// Usage: npm run format && node scripts/same-code.mjs [REF]   (exit 1 and the files that differ otherwise)
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'

import {transformSync} from 'esbuild'

const ref = process.argv[2] ?? 'HEAD'
const git = (...args) => execFileSync('git', args, {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
const files = git('diff', '--name-only', ref)
  .split('\n')
  .filter((file) => /\.(ts|js|mjs)$/.test(file) && existsSync(file))
const compiled = (code, file) =>
  transformSync(code, {loader: file.endsWith('.ts') ? 'ts' : 'js', format: 'esm', legalComments: 'none'}).code.replace(/\s+/g, '')

const differ = []
for (const file of files) {
  let before
  try {
    before = git('show', `${ref}:${file}`)
  } catch {
    differ.push(`${file} (new since ${ref})`)
    continue
  }
  if (compiled(before, file) !== compiled(readFileSync(file, 'utf8'), file)) differ.push(file)
}
console.log(`${files.length} changed files since ${ref}: ${files.length - differ.length} compile to the same code, ${differ.length} do not`)
for (const file of differ) console.log(`  ${file}`)
process.exitCode = differ.length > 0 ? 1 : 0
