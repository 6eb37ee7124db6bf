// The import rule of docs/architecture.md, enforced on src/: each layer imports only the layers
// below it, the emulator stays out of production code, and dependencies are used through their
// public entry points only. Specifiers are read with the TypeScript compiler's own pre-processor
// (static imports, `export … from`, `import type` and dynamic `import()` alike).
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

import ts from 'typescript'
import {describe, expect, it} from 'vitest'

import {PROVIDER_MODULES} from '../../src/providers/registry.js'
import {ROOT} from '../helpers/cli.js'

const SRC = join(ROOT, 'src')

/**
 * What each part of src/ may import of ours (besides itself). A part is a top-level folder or file
 * of src/. Lower layers never import higher ones; the table is docs/architecture.md's.
 */
const MAY_IMPORT: Record<string, string[]> = {
  types: [],
  'local-demo': [],
  core: ['types', 'local-demo'],
  providers: ['types', 'core', 'local-demo'],
  emulator: ['types', 'core', 'local-demo'],
  call: ['types', 'core', 'providers'],
  tokens: ['types', 'core', 'providers'],
  doctor: ['types', 'core', 'providers'],
  completion: ['types', 'core'],
  demo: ['types', 'core', 'local-demo', 'providers', 'call', 'tokens', 'doctor', 'emulator'],
  // The emulator only from commands/emulator.ts and commands/demo.ts (MAY_IMPORT_EMULATOR).
  commands: ['types', 'core', 'local-demo', 'providers', 'call', 'tokens', 'doctor', 'completion', 'demo', 'emulator'],
  hooks: ['types', 'core'],
  // The runtime: the generated registry imports each command lazily; oclif's entry only on demand.
  cli: ['types', 'core', 'providers', 'commands', 'entry.ts'],
  'entry.ts': ['types', 'core', 'providers'],
}

/** The only production code that may start the emulator: the demo and the two commands that run it. */
const MAY_IMPORT_EMULATOR = ['src/emulator/', 'src/demo/', 'src/commands/emulator.ts', 'src/commands/demo.ts']

/**
 * Known breaks of the rule, each with its reason, as `file -> imported file` (paths under src/).
 * Empty today; an entry that no longer matches an import fails the test, so the list stays honest.
 */
const EXCEPTIONS: Record<string, string> = {}

interface Import {
  file: string // relative to the repository root, with forward slashes
  specifier: string
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
}

function importsOf(path: string): Import[] {
  const {importedFiles} = ts.preProcessFile(readFileSync(path, 'utf8'), true, true)
  return importedFiles.map(({fileName}) => ({file: relative(ROOT, path).split('\\').join('/'), specifier: fileName}))
}

/** The part of src/ a repository path belongs to: `src/core/x.ts` → `core`, `src/entry.ts` → `entry.ts`. */
function partOf(path: string): string {
  // A specifier names the built file (`../entry.js`); the part is its source (`entry.ts`).
  return path
    .replace(/^src\//, '')
    .split('/')[0]!
    .replace(/\.js$/, '.ts')
}

/** Where a relative specifier points, as a repository path (`../core/zod.js` from src/emulator/x.ts → src/core/zod.js). */
function target(from: Import): string {
  return relative(ROOT, resolve(ROOT, dirname(from.file), from.specifier))
    .split('\\')
    .join('/')
}

/** A package name and the subpath asked of it: `@oclif/core/flags` → [`@oclif/core`, `./flags`]. */
function splitPackage(specifier: string): [string, string] {
  const parts = specifier.split('/')
  const nameLength = specifier.startsWith('@') ? 2 : 1
  const rest = parts.slice(nameLength).join('/')
  return [parts.slice(0, nameLength).join('/'), rest ? `./${rest}` : '.']
}

/** Whether a package's `exports` map offers that subpath (exactly or through a `*` pattern); without a map, only its main entry is public. */
function isPublicEntry(packageName: string, subpath: string): boolean {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', packageName, 'package.json'), 'utf8')) as {exports?: unknown}
  if (manifest.exports === undefined) return subpath === '.'
  if (typeof manifest.exports === 'string' || Array.isArray(manifest.exports)) return subpath === '.'
  const keys = Object.keys(manifest.exports as object)
  // An exports object of conditions only (`{"types", "default"}`) describes the main entry alone.
  if (!keys.some((key) => key.startsWith('.'))) return subpath === '.'
  return keys.some((key) => {
    if (!key.includes('*')) return key === subpath
    const [before, after] = key.split('*') as [string, string]
    return subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= before.length + after.length
  })
}

const all = sourceFiles(SRC).flatMap(importsOf)
const ours = all.filter((item) => item.specifier.startsWith('.'))
const dependencies = all.filter((item) => !item.specifier.startsWith('.') && !item.specifier.startsWith('node:'))

function broken(check: (item: Import, to: string) => boolean): string[] {
  return ours
    .map((item) => ({item, to: target(item)}))
    .filter(({item, to}) => check(item, to) && !(`${item.file} -> ${to}` in EXCEPTIONS))
    .map(({item, to}) => `${item.file} -> ${to}`)
}

/**
 * Provider names (and titles) in the code of a source text: identifiers, strings, template text and
 * regular expressions of its syntax tree, so comments (which are not part of the tree) never count.
 */
function providerNamesInCode(text: string, names: readonly string[]): string[] {
  const pattern = new RegExp(names.join('|'), 'i')
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, false)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node) || ts.isLiteralExpression(node) || ts.isTemplateLiteralToken(node)) {
      const token = node.getText(source)
      if (pattern.test(token)) found.push(`line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${token}`)
    }
    node.forEachChild(visit)
  }
  visit(source)
  return found
}

const PROVIDER_WORDS = PROVIDER_MODULES.flatMap((module) => [module.name, module.title])

describe('the import rule (docs/architecture.md)', () => {
  it('reads the imports of every file under src/', () => {
    expect(ours.length).toBeGreaterThan(300)
    expect(dependencies.length).toBeGreaterThan(25)
    expect(Object.keys(MAY_IMPORT).sort(), 'a new part of src/ needs its row in MAY_IMPORT and in docs/architecture.md').toEqual(readdirSync(SRC).sort())
  })

  it('production code never imports the emulator (only the emulator itself, the demo and the `emulator`/`demo` commands)', () => {
    expect(broken((item, to) => to.startsWith('src/emulator/') && !MAY_IMPORT_EMULATOR.some((allowed) => item.file.startsWith(allowed)))).toEqual([])
  })

  it('core imports no provider or command; providers import no command', () => {
    expect(broken((item, to) => partOf(item.file) === 'core' && ['providers', 'commands', 'cli'].includes(partOf(to)))).toEqual([])
    expect(broken((item, to) => partOf(item.file) === 'providers' && ['commands', 'cli'].includes(partOf(to)))).toEqual([])
  })

  it('core names no provider: no provider name or title on any code line of src/core (comments aside)', () => {
    const named = sourceFiles(join(SRC, 'core')).flatMap((path) =>
      providerNamesInCode(readFileSync(path, 'utf8'), PROVIDER_WORDS).map((hit) => `${relative(ROOT, path).split('\\').join('/')} ${hit}`),
    )
    expect(named).toEqual([])
  })

  it('each part of src/ imports only the parts below it', () => {
    expect(broken((item, to) => partOf(to) !== partOf(item.file) && !MAY_IMPORT[partOf(item.file)]!.includes(partOf(to)))).toEqual([])
  })

  it('dependencies are imported through their public entry points only (no `undici/lib/…`)', () => {
    const privatePaths = dependencies.filter(({specifier}) => !isPublicEntry(...splitPackage(specifier)))
    expect(privatePaths.map(({file, specifier}) => `${file} imports ${specifier}`)).toEqual([])
  })

  it('every listed exception is still an import', () => {
    const present = new Set(ours.map((item) => `${item.file} -> ${target(item)}`))
    for (const listed of Object.keys(EXCEPTIONS)) expect(present, listed).toContain(listed)
  })

  it('the checks catch what they are for', () => {
    // Guards against a rule that cannot fail: made-up imports that break each rule are caught.
    expect(isPublicEntry('undici', './lib/dispatcher/client.js')).toBe(false)
    expect(isPublicEntry('zod', './v4/locales/en.js')).toBe(true)
    expect(isPublicEntry('@oclif/core', './lib/index.js')).toBe(false)
    expect(partOf(target({file: 'src/core/profiles.ts', specifier: '../emulator/index.js'}))).toBe('emulator')
    expect(MAY_IMPORT.core).not.toContain('emulator')
    const [first] = PROVIDER_WORDS as [string]
    expect(providerNamesInCode(`// ${first}\n/** ${first} */\nconst a = 1`, PROVIDER_WORDS)).toEqual([])
    expect(providerNamesInCode(`const a = '${first}'`, PROVIDER_WORDS)).toHaveLength(1)
    expect(providerNamesInCode(`const a = \`x\${b}${first}\``, PROVIDER_WORDS)).toHaveLength(1)
    expect(providerNamesInCode(`const ${first}Url = 1`, PROVIDER_WORDS)).toHaveLength(1)
  })
})
