/**
 * Flag declarations that do not need oclif loaded. The global flags and every command
 * (src/commands/**) declare their flags here once: oclif gets them through `oclifFlags()`
 * (src/core/oclif-flags.ts) for help, completion and the manifest, and our runtime
 * (src/cli/run.ts) parses argv with them (src/core/argv.ts) without paying oclif's start-up.
 */
import {ENVIRONMENTS} from './config.js'

interface Common {
  description: string
  char?: string
  helpGroup?: string
  /** Flags that cannot be given together with this one (oclif's `exclusive`). */
  exclusive?: readonly string[]
  /** Flags this one needs (oclif's `dependsOn`). */
  dependsOn?: readonly string[]
  /** An environment variable that gives the value when the flag is absent (oclif's `env`). */
  env?: string
  required?: boolean
  hidden?: boolean
}

export interface BooleanFlagSpec extends Common {
  kind: 'boolean'
  /** Also accept --no-<name> (sets false). */
  allowNo?: boolean
  default?: boolean
}

export interface StringFlagSpec extends Common {
  kind: 'string'
  multiple?: boolean
  options?: readonly string[]
  default?: string
}

export interface IntegerFlagSpec extends Common {
  kind: 'integer'
  default?: number
  min?: number
  max?: number
}

export type FlagSpec = BooleanFlagSpec | StringFlagSpec | IntegerFlagSpec
export type FlagSpecs = Record<string, FlagSpec>

export const flag = {
  boolean: <const O extends Omit<BooleanFlagSpec, 'kind'>>(options: O) => ({kind: 'boolean', ...options}) as const,
  string: <const O extends Omit<StringFlagSpec, 'kind'>>(options: O) => ({kind: 'string', ...options}) as const,
  integer: <const O extends Omit<IntegerFlagSpec, 'kind'>>(options: O) => ({kind: 'integer', ...options}) as const,
}

/** The value a parsed flag has: absent options are undefined, absent booleans false (see withDefaults). */
export type FlagValue<F> = F extends {kind: 'boolean'; default: boolean}
  ? boolean
  : F extends {kind: 'boolean'; allowNo: true}
    ? boolean | undefined
    : F extends {kind: 'boolean'}
      ? boolean
      : F extends {kind: 'integer'; default: number}
        ? number
        : F extends {kind: 'integer'}
          ? number | undefined
          : F extends {kind: 'string'; multiple: true}
            ? string[] | undefined
            : F extends {kind: 'string'; options: readonly (infer O)[]; default: string}
              ? O
              : F extends {kind: 'string'; options: readonly (infer O)[]}
                ? O | undefined
                : F extends {kind: 'string'; default: string}
                  ? string
                  : string | undefined

export type FlagValues<S> = {-readonly [K in keyof S]: FlagValue<S[K]>}

/**
 * A positional argument, never read from stdin by oclif (our commands read stdin themselves, with
 * a proper wait, when the argument is `-` or absent).
 */
export interface ArgSpec {
  description: string
  required?: boolean
  options?: readonly string[]
}
export type ArgSpecs = Record<string, ArgSpec>
export type ArgValues<A> = {-readonly [K in keyof A]: A[K] extends {required: true} ? string : string | undefined}

/** Flags every command has (oclif adds --json itself through enableJsonFlag). */
export const GLOBAL_FLAGS = {
  profile: flag.string({description: 'profile to use (env FTAUTH_PROFILE)', helpGroup: 'GLOBAL'}),
  env: flag.string({description: 'provider environment (env FTAUTH_ENV)', options: ENVIRONMENTS, helpGroup: 'GLOBAL'}),
  quiet: flag.boolean({char: 'q', description: 'print only the primary value (token or code), for $(...)', helpGroup: 'GLOBAL'}),
  trace: flag.boolean({description: 'print every request and response to stderr, secrets masked (env FTAUTH_TRACE=1)', helpGroup: 'GLOBAL'}),
  debug: flag.boolean({description: 'show stack traces on errors (implies --trace)', helpGroup: 'GLOBAL'}),
  color: flag.boolean({description: 'colour output (default: on for a terminal, off with NO_COLOR)', allowNo: true, helpGroup: 'GLOBAL'}),
  'insecure-storage': flag.boolean({description: 'keep secrets in a 0600 file in the config dir instead of the OS keychain', helpGroup: 'GLOBAL'}),
  cache: flag.boolean({description: 'cache tokens between runs (--no-cache: obtain fresh ones and store none)', allowNo: true, helpGroup: 'GLOBAL'}),
  timeout: flag.integer({description: 'HTTP timeout in seconds', default: 15, min: 1, helpGroup: 'GLOBAL'}),
  'allow-http': flag.boolean({description: 'allow plain http to hosts other than this machine (lab setups only; warns on every use)', helpGroup: 'GLOBAL'}),
}

/**
 * Absent flags as commands see them on both paths: defaults, and false for a boolean that
 * has no --no- form (oclif leaves it undefined; an --[no-]flag stays undefined, meaning "not said").
 */
export function withDefaults<T extends Record<string, unknown>>(specs: FlagSpecs, flags: T): T {
  const result: Record<string, unknown> = {...flags}
  for (const [name, spec] of Object.entries(specs)) {
    if (result[name] !== undefined) continue
    if (spec.default !== undefined) result[name] = spec.default
    else if (spec.kind === 'boolean' && !spec.allowNo) result[name] = false
  }
  return result as T
}

export type GlobalFlagValues = FlagValues<typeof GLOBAL_FLAGS> & {json?: boolean | undefined}
