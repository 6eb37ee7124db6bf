/**
 * The version of the shape of every `--json` document (README, "Output modes"): raised only when a field
 * is removed or changes meaning; new fields do not raise it.
 */
export const JSON_SCHEMA_VERSION = 1

/**
 * A command's `--json` document: the result object (or `{error: …}`) with `schemaVersion` as its
 * first field. A result that is not a plain object (an array, a scalar) goes under `result`, so a
 * document is always an object that starts with its version.
 */
export function jsonDocument(value: unknown): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return {schemaVersion: JSON_SCHEMA_VERSION, ...value}
  return {schemaVersion: JSON_SCHEMA_VERSION, result: value ?? null}
}
