import { z } from 'zod';
import { durationSchema } from './units.js';

/**
 * How the loop correlates symptoms into incidents and looks for their root cause
 * (`correlation:` in homeostat.yaml). Only services joined by `dependsOn` are correlated;
 * the others keep one incident per service.
 */
export const correlationSchema = z
  .strictObject({
    window: durationSchema
      .default(30_000)
      .describe('A symptom joins an open incident of a related service (same `dependsOn` component) if it comes this soon after the incident\'s latest symptom.'),
    settle: durationSchema
      .default(1_000)
      .describe(
        'An incident opened on a service that has dependencies waits this long before its remediation starts, so that a dependency\'s symptom (often detected later: probes need several failures) can re-target it first. 0 starts at once.',
      ),
    normalPeriod: durationSchema.default(300_000).describe('Metric history before the onset used as the normal period when ranking root causes.'),
    configWindow: durationSchema.default(600_000).describe('A config version applied this long before the onset is a candidate cause.'),
    reopenWithin: durationSchema
      .default(300_000)
      .describe(
        'A symptom of an element whose incident was resolved at most this long ago, of a kind that incident had, re-opens it (the fault came back: the resolution did not hold) rather than opening a new one; another kind of symptom is a new fault with its own incident; an incident an operator closed is not re-opened. 0 never re-opens.',
      ),
  })
  .prefault({})
  .describe('How symptoms are correlated into incidents over `dependsOn`, when a resolved incident re-opens, and how root causes are ranked.');

export type CorrelationConfig = z.output<typeof correlationSchema>;
