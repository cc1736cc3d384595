import { z } from 'zod';
import { durationSchema } from './units.js';

/** How one direction of scaling is damped (the Kubernetes HPA's `behavior.scaleUp` / `scaleDown`). */
function directionSchema(direction: 'up' | 'down', defaults: { stabilization: number; cooldown: number; maxStep: number }) {
  return z
    .strictObject({
      stabilization: durationSchema
        .default(defaults.stabilization)
        .describe(direction === 'up' ? 'Scale out to the lowest count recommended within this window (0: at once).' : 'Scale in only to the highest count recommended within this window, so a dip does not remove replicas a spike needs again.'),
      cooldown: durationSchema.default(defaults.cooldown).describe(`After a scale-${direction === 'up' ? 'out' : 'in'}, none in the same direction for this long.`),
      maxStep: z.number().int().min(1).default(defaults.maxStep).describe('At most this many replicas added or removed at once.'),
    })
    .prefault({});
}

/**
 * `autoscale:` on a supervised service: replicas follow the average of a scraped metric
 * per replica, like the Kubernetes HPA — desired = ceil(current × average / target),
 * within `min`..`max`, ignored within `tolerance`, damped per direction.
 */
export const autoscaleSchema = z
  .strictObject({
    min: z.number().int().min(1).default(1).describe('Never fewer replicas.'),
    max: z.number().int().min(1).describe('Never more replicas.'),
    metric: z.string().min(1).describe('A metric scraped from each replica (`monitor.scrape` of this service), e.g. `http_requests_in_flight`; its latest value per replica is averaged.'),
    target: z.number().positive().describe('The average per replica to hold (desired = ceil(replicas × average / target)).'),
    tolerance: z.number().min(0).max(1).default(0.1).describe('No change while average / target is within 1 ± this (HPA default 0.1).'),
    every: durationSchema.default(5_000).describe('How often the recommendation is computed.'),
    scaleUp: directionSchema('up', { stabilization: 0, cooldown: 15_000, maxStep: 4 }).describe('Scale-out damping.'),
    scaleDown: directionSchema('down', { stabilization: 300_000, cooldown: 60_000, maxStep: 1 }).describe('Scale-in damping (HPA default: a 5-minute stabilization window).'),
  })
  .superRefine((autoscale, ctx) => {
    if (autoscale.min > autoscale.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${autoscale.min}) is above max (${autoscale.max})` });
  })
  .describe('Scale the replicas from load: the average of a per-replica metric held near `target`, between `min` and `max`.');
export type AutoscaleConfig = z.output<typeof autoscaleSchema>;
