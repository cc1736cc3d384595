import { z } from 'zod';
import { parseDetectorOptions, type DetectorConfig } from '../../analyze/detectors/create-detector.js';
import { byteSizeSchema, durationSchema } from './units.js';

/** `detector: { name: robust-zscore, window: 120 }`: a streaming detector by name, its options beside the name. */
const detectorSchema = z
  .looseObject({ name: z.string().min(1) })
  .transform((value, ctx) => {
    const { name, ...options } = value;
    const parsed = parseDetectorOptions(name, options);
    if (parsed.issues) {
      for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', path: [issue.option ?? 'name'], message: issue.message });
      return z.NEVER;
    }
    return { name, config: parsed.config as DetectorConfig };
  });

/** `trend: { limit: maxMemory, within: 10m }`: predict when the series crosses a limit. */
const trendSchema = z.strictObject({
  /** A number, a size (`200MB`), or `maxMemory` (the service's). */
  limit: z.union([z.literal('maxMemory'), byteSizeSchema]),
  /** Raise the symptom when the crossing is forecast within this long. */
  within: durationSchema,
  direction: z.enum(['rising', 'falling']).default('rising'),
  /** Samples in the regression window. */
  window: z.number().int().min(2).default(60),
  minSamples: z.number().int().min(2).default(10),
  /** R² the fitted line needs (0..1). */
  minFit: z.number().min(0).max(1).default(0.6),
});

/**
 * A symptom over a metric, one of three kinds:
 * - threshold: `above` (with `clearBelow` as hysteresis and `for`);
 * - detector: a streaming detector's score in [0, 1], raised at `raiseAt` and cleared below
 *   `clearBelow`, each after `for` / `clearFor` and at least two samples;
 * - trend: raised when `trend.limit` is forecast within `trend.within` (predictive).
 */
export const symptomRuleSchema = z
  .strictObject({
    service: z.string().min(1),
    metric: z.string().min(1),
    labels: z.record(z.string(), z.string()).default({}),
    /** `rate`: per-second increase of a counter over `window`; `value`: the latest value. */
    aggregate: z.enum(['value', 'rate']).default('value'),
    window: durationSchema.default(10_000),
    above: z.number().optional(),
    detector: detectorSchema.optional(),
    /** Detector rules: a score at or above this raises the symptom (default 0.999). */
    raiseAt: z.number().gt(0).max(1).optional(),
    /** Hysteresis: threshold rules clear at or below this (default `above`); detector rules when the score falls below it (default 0.99; a z-score detector's score is 1 − its two-sided tail probability, so 0.5 is |z| ≈ 0.67). */
    clearBelow: z.number().optional(),
    /** It must hold this long before it counts. */
    for: durationSchema.default(0),
    /** Detector rules: the score must stay below `clearBelow` this long before the symptom clears. */
    clearFor: durationSchema.default(0),
    trend: trendSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    const kinds = [rule.above !== undefined && 'above', rule.detector !== undefined && 'detector', rule.trend !== undefined && 'trend'].filter(Boolean);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: kinds.length === 0 ? 'a symptom rule needs one of above (threshold), detector or trend' : `a symptom rule takes one of above, detector or trend, not ${kinds.join(' and ')}` });
      return;
    }
    if (rule.raiseAt !== undefined && rule.detector === undefined) ctx.addIssue({ code: 'custom', path: ['raiseAt'], message: 'raiseAt applies to detector rules only' });
    if (rule.above !== undefined && rule.clearBelow !== undefined && rule.clearBelow > rule.above) ctx.addIssue({ code: 'custom', path: ['clearBelow'], message: 'clearBelow must not exceed above' });
    if (rule.detector !== undefined && rule.clearBelow !== undefined && rule.clearBelow > (rule.raiseAt ?? 0.999)) ctx.addIssue({ code: 'custom', path: ['clearBelow'], message: 'clearBelow must not exceed raiseAt' });
  });
export type SymptomRuleConfig = z.output<typeof symptomRuleSchema>;
