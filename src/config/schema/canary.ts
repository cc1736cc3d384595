import { z } from 'zod';
import { durationSchema } from './units.js';

/** A share of requests: `10%`, `"0.5%"` or a number of percent (`10`); above 0, at most 100. */
const shareOfRequestsSchema = (what: string, { zeroAllowed }: { zeroAllowed: boolean }) =>
  z
    .union([z.number(), z.string()], { error: `expected ${what} like "10%"` })
    .transform((value, ctx) => {
      const number = typeof value === 'number' ? value : Number(/^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value)?.[1] ?? NaN);
      if (!Number.isFinite(number) || number > 100 || number < 0 || (!zeroAllowed && number === 0)) {
        ctx.addIssue({ code: 'custom', message: `expected ${what} like "10%" (${zeroAllowed ? '0' : 'above 0'} to 100%), got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      // Kept as a fraction: what the balancer and the verdict compute with.
      return number / 100;
    });

/**
 * A config rollout by canary (`canary:` on an exposed service): when a config version
 * changes the service's spec, one replica is restarted from it first and its front door
 * sends it `share` of the requests for `duration`; what its callers saw (its failed
 * requests, its latency) and its probes decide whether the version continues to the other
 * replicas or is rolled back. See docs/traffic.md, "Config rollouts by canary".
 */
export const canarySchema = z
  .strictObject({
    share: shareOfRequestsSchema('a share of requests', { zeroAllowed: false }).prefault('10%').describe('The share of the front door\'s requests sent to the canary while it is judged: `"10%"`, or `10` (percent, not a fraction).'),
    duration: durationSchema.default(10_000).describe('How long the canary is judged on its callers\' requests once it takes traffic.'),
    maxErrorRate: shareOfRequestsSchema('an error rate', { zeroAllowed: true })
      .prefault('1%')
      .describe('The canary fails when more than this share of its requests failed — a 5xx answer, or a connection refused, reset or cut: `"1%"`, or `1` (percent).'),
    maxLatency: durationSchema.optional().describe('The canary fails when the 95th percentile of its answers\' time to the first byte is above this (default: latency not judged).'),
    minRequests: z.number().int().min(0).default(20).describe('Fewer requests than this reached the canary in `duration`: it could not be judged by its callers, and the version is rolled back (0: judge on probes alone).'),
  })
  .describe('Roll a config change of this service out by canary through its front door (needs `expose:` and 2 or more replicas): one replica first, with a share of the traffic, judged, then the rest one at a time — or rolled back.');

export type CanaryConfig = z.output<typeof canarySchema>;
