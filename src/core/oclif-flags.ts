import {Args, Flags, type Interfaces} from '@oclif/core'

import type {ArgSpecs, FlagSpec, FlagSpecs} from './flag-spec.js'

/** oclif's flag for a spec from flag-spec.ts: the same names, chars, options, defaults and relationships. */
function oclifFlag(spec: FlagSpec) {
  const {description, char, helpGroup} = spec
  const common = {
    description,
    helpGroup,
    ...(char ? {char: char as 'q'} : {}),
    ...(spec.exclusive ? {exclusive: [...spec.exclusive]} : {}),
    ...(spec.dependsOn ? {dependsOn: [...spec.dependsOn]} : {}),
    ...(spec.env ? {env: spec.env} : {}),
    ...(spec.required ? {required: true} : {}),
    ...(spec.hidden ? {hidden: true} : {}),
  }
  switch (spec.kind) {
    case 'boolean':
      return Flags.boolean({...common, allowNo: spec.allowNo ?? false, ...(spec.default === undefined ? {} : {default: spec.default})})
    case 'integer':
      return Flags.integer({
        ...common,
        ...(spec.default === undefined ? {} : {default: spec.default}),
        ...(spec.min === undefined ? {} : {min: spec.min}),
        ...(spec.max === undefined ? {} : {max: spec.max}),
      })
    case 'string':
      return spec.multiple
        ? // One value per flag (`--scope A --scope B`), as our parser takes it.
          Flags.string({...common, multiple: true, multipleNonGreedy: true, ...(spec.options ? {options: [...spec.options]} : {})})
        : Flags.string({...common, ...(spec.options ? {options: [...spec.options]} : {}), ...(spec.default === undefined ? {} : {default: spec.default})})
  }
}

/**
 * The oclif flags for a set of specs. Typed loosely on purpose: commands read their values through
 * `FlagValues<typeof SPECS>` (flag-spec.ts), the one typing both paths share.
 */
export function oclifFlags(specs: FlagSpecs): Interfaces.FlagInput {
  return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, oclifFlag(spec)])) as Interfaces.FlagInput
}

/** oclif's args for positional specs; ignoreStdin, because oclif's own stdin read gives up after 10 ms. */
export function oclifArgs(specs: ArgSpecs): Interfaces.ArgInput {
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      Args.string({
        description: spec.description,
        ignoreStdin: true,
        ...(spec.required ? {required: true} : {}),
        ...(spec.options ? {options: [...spec.options]} : {}),
      }),
    ]),
  )
}
