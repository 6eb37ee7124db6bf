/**
 * The one zod import: zod/mini, whose functional API (`z.optional(x)`, `x.check(z.minLength(1))`)
 * tree-shakes to a fraction of classic zod — start-up evaluates every schema module, and classic
 * zod cost about a third of a cached-token command's time. Mini ships no error messages; the
 * English locale is installed here once, before any schema parses.
 */
import * as z from 'zod/mini'
import en from 'zod/v4/locales/en.js'

z.config(en())

export * from 'zod/mini'
