// Validates EmulatorOptions once, at start-up, and fills in the defaults.
import * as z from 'zod';
import { DEMO } from './demo-credentials.js';
import type { EmulatorOptions, FluzEnv, FuntripsExchangePath } from './types.js';

const optionsSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  tokenTtlSeconds: z.number().int().positive().optional(),
  codeTtlSeconds: z.number().int().positive().optional(),
  fluzEnv: z.enum(['sandbox', 'production']).optional(),
  autoApprove: z.boolean().optional(),
  // Restricted so a marker can sit inside codes and URLs without escaping.
  secretMarker: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and dashes only').optional(),
  funtripsExchangePaths: z.array(z.enum(['session', 'oauth'])).optional(),
  shuttleRotateRefresh: z.boolean().optional(),
  demoSecrets: z
    .strictObject({
      funtripsClientSecret: z.string().min(1).optional(),
      fluzApiKey: z.string().min(1).optional(),
      shuttleClientSecret: z.string().min(1).optional(),
    })
    .optional(),
});

export interface ResolvedOptions {
  host: string;
  port: number;
  tokenTtlSeconds: number | undefined;
  codeTtlSeconds: number | undefined;
  fluzEnv: FluzEnv;
  autoApprove: boolean;
  secretMarker: string | undefined;
  funtripsExchangePaths: ReadonlySet<FuntripsExchangePath>;
  shuttleRotateRefresh: boolean;
  /** What the demo clients authenticate with (the published demo secrets unless overridden). */
  secrets: { funtripsClientSecret: string; fluzApiKey: string; shuttleClientSecret: string };
}

export function resolveOptions(input: EmulatorOptions = {}): ResolvedOptions {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new TypeError(`Invalid emulator options: ${z.prettifyError(parsed.error)}`);
  }
  const o = parsed.data;
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    tokenTtlSeconds: o.tokenTtlSeconds,
    codeTtlSeconds: o.codeTtlSeconds,
    fluzEnv: o.fluzEnv ?? 'sandbox',
    autoApprove: o.autoApprove ?? false,
    secretMarker: o.secretMarker,
    funtripsExchangePaths: new Set(o.funtripsExchangePaths ?? ['session', 'oauth']),
    shuttleRotateRefresh: o.shuttleRotateRefresh ?? false,
    secrets: {
      funtripsClientSecret: o.demoSecrets?.funtripsClientSecret ?? DEMO.funtrips.clientSecret,
      fluzApiKey: o.demoSecrets?.fluzApiKey ?? DEMO.fluz.apiKey,
      shuttleClientSecret: o.demoSecrets?.shuttleClientSecret ?? DEMO.shuttle.clientSecret,
    },
  };
}
