#!/usr/bin/env node
// `oclif manifest` lists commands in the order their files finished loading, which differs from
// build to build; sorted by id, the committed oclif.manifest.json changes only when a command does.
import {readFileSync, writeFileSync} from 'node:fs'

const path = new URL('../oclif.manifest.json', import.meta.url)
const manifest = JSON.parse(readFileSync(path, 'utf8'))
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`)
