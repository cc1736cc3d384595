import { z } from 'zod';
import { byteSizeSchema } from './units.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * `api:` — the HTTP API served by `homeostat up`. Loopback only unless `allowRemote`
 * says otherwise: the tokens travel in clear HTTP, so a remote bind belongs behind TLS.
 */
export const apiSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the HTTP API (and the dashboard) from `homeostat up`.'),
    host: z.string().min(1).default('127.0.0.1').describe('The address it listens on; a non-loopback one needs `allowRemote`.'),
    port: z.number().int().min(0).max(65_535).default(0).describe('TCP port; 0 picks a free one, printed at start.'),
    bodyLimit: byteSizeSchema.default(1_048_576).describe('Largest request body.'),
    allowRemote: z.boolean().default(false).describe('Allow a non-loopback `host` (tokens travel in clear HTTP: put TLS in front).'),
    allowedHosts: z
      .array(z.string().min(1).max(253))
      .default([])
      .describe('Host names (as clients send them in `Host`) the API answers to besides loopback names and `host`; any other is refused with 421, so DNS rebinding cannot reach the API.'),
    publicUrl: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://homeostat.example.com' })
      .optional()
      .describe(
        'The address people reach the dashboard at (`https://homeostat.example.com`, behind your TLS proxy): escalations link to the incident\'s page there (PagerDuty `links`, Slack, JSON `link`). Unset: no link.',
      ),
    advertiseUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('The URL other `homeostat up` on the same store reach this API at, when it leads (they forward metric pushes to it); default: the address it listens on.'),
    pushMaxSeries: z.number().int().min(1).default(1_000).describe('Series one push token may hold through `POST /api/metrics` (its own budget; the monitor\'s `maxSeries` caps all).'),
  })
  .superRefine((api, ctx) => {
    if (!api.allowRemote && !LOOPBACK.has(api.host)) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: `"${api.host}" is not a loopback address; set api.allowRemote: true to serve the API beyond this machine` });
    }
  })
  .prefault({})
  .describe('The HTTP API served by `homeostat up`: loopback only unless `allowRemote`.');

export type ApiConfig = z.output<typeof apiSchema>;
