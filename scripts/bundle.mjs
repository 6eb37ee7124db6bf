// Bundles bin entry, every command and @oclif/core into one ESM file (plus lazily loaded chunks for
// heavy modules: prompts, keyring glue, jose, undici, the emulator). Start-up then parses one file
// instead of hundreds — see the Performance section of the README.
import {build} from 'esbuild'
import {execFile} from 'node:child_process'
import {mkdir, readdir, rm, stat, writeFile} from 'node:fs/promises'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const commandsDir = join(root, 'src', 'commands')

/** Command ids come from the files under src/commands (oclif's own convention: topic/verb.ts → "topic:verb"). */
async function commandFiles() {
  const entries = await readdir(commandsDir, {withFileTypes: true, recursive: true})
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(commandsDir, join(entry.parentPath, entry.name)))
    .sort()
}

export async function bundle({outdir = join(root, 'dist'), keepOldChunks = false} = {}) {
  const files = await commandFiles()
  const imports = files.map((file, index) => `import C${index} from './src/commands/${file.replace(/\.ts$/, '.js')}'`)
  const entries = files.map((file, index) => `  ${JSON.stringify(file.replace(/\.ts$/, '').replace(/\/index$/, '').split('/').join(':'))}: C${index},`)
  const contents = [...imports, `export {run} from './src/entry.js'`, `export const COMMANDS = {`, ...entries, `}`].join('\n')
  const result = await build({
    write: false,
    stdin: {contents, resolveDir: root, sourcefile: 'ftauth-entry.ts', loader: 'ts'},
    outdir,
    entryNames: 'ftauth',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Native keyring binding and the oclif plugins (loaded by oclif from node_modules) stay external;
    // typescript is only required by oclif in development mode (ts-node support); open ships its own
    // xdg-open script that must stay beside it.
    external: ['@napi-rs/keyring', '@oclif/plugin-*', 'typescript', 'open'],
    // CommonJS dependencies inside an ESM bundle need require/__dirname.
    banner: {
      js: "import {createRequire as __ftauthRequire} from 'node:module'; import {fileURLToPath as __ftauthPath} from 'node:url'; const require = __ftauthRequire(import.meta.url); const __filename = __ftauthPath(import.meta.url); const __dirname = __ftauthPath(new URL('.', import.meta.url));",
    },
    logLevel: 'warning',
    legalComments: 'none',
  })
  // Write the new files first, then drop chunks of older builds: a CLI starting meanwhile never
  // finds its bundle half gone.
  const written = new Set()
  for (const file of result.outputFiles) {
    await mkdir(join(file.path, '..'), {recursive: true})
    await writeFile(file.path, file.contents)
    written.add(file.path)
  }
  const chunks = join(outdir, 'chunks')
  for (const name of keepOldChunks ? [] : await readdir(chunks).catch(() => [])) {
    if (!written.has(join(chunks, name))) await rm(join(chunks, name), {force: true})
  }
  return files.length
}

/** Newest modification time under src/ (for --watch). */
async function newestSource() {
  let newest = 0
  for (const entry of await readdir(join(root, 'src'), {withFileTypes: true, recursive: true})) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs)
  }
  return newest
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const count = await bundle()
  console.error(`bundled ${count} commands into dist/ftauth.js`)
  // --watch: rebundle whenever a source file changes (development only).
  if (process.argv.includes('--watch')) {
    let built = await newestSource()
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      const newest = await newestSource()
      if (newest > built) {
        built = newest
        await bundle({keepOldChunks: true}).then((n) => console.error(`rebundled ${n} commands`), (error) => console.error(error.message))
        // Keep the manifest in step too, or oclif would not see a new command or flag.
        await new Promise((resolve) => execFile('npx', ['oclif', 'manifest'], {cwd: root}, resolve))
      }
    }
  }
}
