import { z } from 'zod';
import { byteSizeSchema } from './units.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * `api:` — the HTTP API served by `homeostat up`. Loopback only unless `allowRemote`
 * says otherwise: the tokens travel in clear HTTP, so a remote bind belongs behind TLS.
 */
export const apiSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 (the default) picks a free one, printed at start. */
    port: z.number().int().min(0).max(65_535).default(0),
    /** Largest request body (default 1MB). */
    bodyLimit: byteSizeSchema.default(1_048_576),
    /** Allow a non-loopback `host`. */
    allowRemote: z.boolean().default(false),
    /**
     * Host names (as clients send them in `Host`) the API answers to besides loopback names
     * and `host`; any other is refused with 421, so DNS rebinding cannot reach the API.
     */
    allowedHosts: z.array(z.string().min(1).max(253)).default([]),
    /** Series one push token may hold through `POST /api/metrics` (its own budget; the monitor's `maxSeries` caps all). */
    pushMaxSeries: z.number().int().min(1).default(1_000),
  })
  .superRefine((api, ctx) => {
    if (!api.allowRemote && !LOOPBACK.has(api.host)) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: `"${api.host}" is not a loopback address; set api.allowRemote: true to serve the API beyond this machine` });
    }
  })
  .prefault({});

export type ApiConfig = z.output<typeof apiSchema>;
