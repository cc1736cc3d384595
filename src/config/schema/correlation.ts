import { z } from 'zod';
import { durationSchema } from './units.js';

/**
 * How the loop correlates symptoms into incidents and looks for their root cause
 * (`correlation:` in homeostat.yaml). Only services joined by `dependsOn` are correlated;
 * the others keep one incident per service.
 */
export const correlationSchema = z
  .strictObject({
    /** A symptom joins an open incident of a related service (same `dependsOn` component) if it comes this soon after the incident's latest symptom. */
    window: durationSchema.default(30_000),
    /**
     * An incident opened on a service that has dependencies waits this long before its
     * remediation starts, so that a dependency's symptom (often detected later: probes need
     * several failures) can re-target it first. 0 starts at once.
     */
    settle: durationSchema.default(1_000),
    /** Metric history before the onset used as the normal period when ranking root causes. */
    normalPeriod: durationSchema.default(300_000),
    /** A config version applied this long before the onset is a candidate cause. */
    configWindow: durationSchema.default(600_000),
  })
  .prefault({});

export type CorrelationConfig = z.output<typeof correlationSchema>;
