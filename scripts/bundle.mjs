// Bundles the CLI with esbuild: an entry with @oclif/core, one small entry per command, and shared
// chunks (heavy modules such as prompts, undici, jose and the emulator only as lazily loaded chunks);
// and, separately, the fast path (dist/fast/). Start-up parses a handful of files instead of
// hundreds — see docs/performance.md.
import {build} from 'esbuild'
import {execFile} from 'node:child_process'
import {mkdir, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {commandsDir, definitionFiles, writeRegistry} from './registry.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const {version} = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))

const options = {
  write: false,
  entryNames: '[dir]/[name]',
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
  // The version for the User-Agent, without reading package.json at run time.
  define: {FTAUTH_VERSION: JSON.stringify(version)},
  logLevel: 'warning',
  legalComments: 'none',
}

/**
 * oclif's command classes are generated from the definitions: `dist/commands/<path>.js` is
 * `oclifCommand(definition)` (src/core/base-command.ts) of `src/commands/<path>.ts`, a module that
 * exists only in the bundle. oclif reads help, flags and args from it (and the manifest from those).
 */
function oclifClasses(definitions) {
  return {
    name: 'oclif-classes',
    setup(plugin) {
      plugin.onResolve({filter: /^oclif-class:/}, (args) => ({path: args.path.slice('oclif-class:'.length), namespace: 'oclif-class'}))
      plugin.onLoad({filter: /.*/, namespace: 'oclif-class'}, (args) => {
        if (!definitions.includes(args.path))
          return {contents: `export {default} from ${JSON.stringify(join(commandsDir, args.path))}`, resolveDir: root, loader: 'ts'}
        return {
          contents: [
            `import definition from ${JSON.stringify(join(commandsDir, args.path))}`,
            `import {oclifCommand} from ${JSON.stringify(join(root, 'src', 'core', 'base-command.ts'))}`,
            'export default oclifCommand(definition)',
          ].join('\n'),
          resolveDir: root,
          loader: 'ts',
        }
      })
    },
  }
}

export async function bundle({outdir = join(root, 'dist'), keepOldChunks = false} = {}) {
  const files = await writeRegistry()
  const definitions = await definitionFiles(files)
  // One entry per command (oclif loads only the one it runs, found through the manifest) plus the
  // CLI entry; shared code, @oclif/core included, lands once in common chunks.
  const entryPoints = {ftauth: join(root, 'src', 'entry.ts'), 'hooks/command-not-found': join(root, 'src', 'hooks', 'command-not-found.ts')}
  for (const file of files) entryPoints[`commands/${file.replace(/\.ts$/, '')}`] = `oclif-class:${file}`
  const main = await build({...options, plugins: [oclifClasses(definitions)], entryPoints, outdir})
  // Our runtime (src/cli/run.ts, `runCli`) is built on its own: chunked for its commands only, it
  // loads a handful of files at start-up rather than slices of chunks shared with oclif's. The oclif
  // entry it falls back to stays external: dist/ftauth.js, the copy of @oclif/core the oclif command
  // classes use (two copies would not recognise each other's errors).
  const oclifEntry = {
    name: 'oclif-entry',
    setup(plugin) {
      plugin.onResolve({filter: /^\.\.\/entry\.js$/}, () => ({path: '../ftauth.js', external: true}))
    },
  }
  const fast = await build({...options, plugins: [oclifEntry], entryPoints: {index: join(root, 'src', 'cli', 'run.ts')}, outdir: join(outdir, 'fast')})
  const result = {outputFiles: [...main.outputFiles, ...fast.outputFiles]}
  // Write the new files first, then drop chunks of older builds: a CLI starting meanwhile never
  // finds its bundle half gone.
  const written = new Set()
  for (const file of result.outputFiles) {
    await mkdir(join(file.path, '..'), {recursive: true})
    await writeFile(file.path, file.contents)
    written.add(file.path)
  }
  // Drop files of older builds (chunks, removed commands) unless a watcher may have CLIs mid-start.
  for (const entry of keepOldChunks ? [] : await readdir(outdir, {withFileTypes: true, recursive: true})) {
    const path = join(entry.parentPath, entry.name)
    if (entry.isFile() && !written.has(path)) await rm(path, {force: true})
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
  console.error(`bundled the CLI and ${count} commands into dist/`)
  // --watch: rebundle whenever a source file changes (development only).
  if (process.argv.includes('--watch')) {
    let built = await newestSource()
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      const newest = await newestSource()
      if (newest > built) {
        built = newest
        await bundle({keepOldChunks: true}).then(
          (n) => console.error(`rebundled ${n} commands`),
          (error) => console.error(error.message),
        )
        // Keep the manifest in step too, or oclif would not see a new command or flag.
        await new Promise((resolve) => execFile('npx', ['oclif', 'manifest'], {cwd: root}, resolve))
      }
    }
  }
}
