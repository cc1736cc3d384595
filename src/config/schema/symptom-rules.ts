import { z } from 'zod';
import { NAMED_DETECTORS, parseDetectorOptions, type DetectorConfig } from '../../analyze/detectors/create-detector.js';
import { byteSizeSchema, durationSchema } from './units.js';
import { rangeIssues } from './verify-checks.js';

/** `detector: { name: robust-zscore, window: 120 }`: a streaming detector by name, its options beside the name. */
const detectorSchema = z
  .looseObject({ name: z.string().min(1).describe(`The detector: ${Object.keys(NAMED_DETECTORS).join(', ')} (docs/detection-and-diagnosis.md); its options go beside the name.`) })
  .transform((value, ctx) => {
    const { name, ...options } = value;
    const parsed = parseDetectorOptions(name, options);
    if (parsed.issues) {
      for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', path: [issue.option ?? 'name'], message: issue.message });
      return z.NEVER;
    }
    return { name, config: parsed.config as DetectorConfig };
  })
  .describe('Detector rule: a streaming detector by name with its options (`{ name: robust-zscore, window: 120 }`); its score in [0, 1] raises the symptom at `raiseAt`.');

/** `trend: { limit: maxMemory, within: 10m }`: predict when the series crosses a limit. */
const trendSchema = z
  .strictObject({
    limit: z.union([z.literal('maxMemory'), byteSizeSchema]).describe('A number, a size (`200MB`), or `maxMemory` (the service\'s).'),
    within: durationSchema.describe('Raise the symptom when the crossing is forecast within this long.'),
    direction: z.enum(['rising', 'falling']).default('rising').describe('Which way the series must cross the limit.'),
    window: z.number().int().min(2).default(60).describe('Samples in the regression window.'),
    minSamples: z.number().int().min(2).default(10).describe('No forecast before this many samples.'),
    minFit: z.number().min(0).max(1).default(0.6).describe('R² the fitted line needs (0..1).'),
  })
  .describe('Trend rule (predictive): raised when the series is forecast to cross `limit` within `within`.');

/** `ratio: { metric: http_requests_total }`: the rule's series divided by these, per instance. */
const ratioSchema = z
  .strictObject({
    metric: z.string().min(1).describe('The denominator\'s metric name (same service).'),
    labels: z.record(z.string(), z.string()).default({}).describe('Only denominator series with these label values.'),
  })
  .describe(
    'Ratio: the rule reads (sum of its series) ÷ (sum of these series) per instance, each taken by `aggregate` (`rate` for errors ÷ requests over `window`); a zero or missing denominator is no value (the rule holds its state), not infinity; no numerator series at all is 0.',
  );

/**
 * A symptom over a metric, one of five kinds:
 * - threshold: `above` (with `clearBelow` as hysteresis and `for`), or `below` (with `clearAbove`);
 * - absence: `absent`, no samples of any matching series for that long;
 * - detector: a streaming detector's score in [0, 1], raised at `raiseAt` and cleared below
 *   `clearBelow`, each after `for` / `clearFor` and at least two samples;
 * - trend: raised when `trend.limit` is forecast within `trend.within` (predictive).
 */
export const symptomRuleSchema = z
  .strictObject({
    service: z.string().min(1).describe('The service whose series it reads (the symptom is on that service).'),
    metric: z.string().min(1).optional().describe('The metric name (scraped or pushed); not with `query`.'),
    query: z
      .string()
      .min(1)
      .max(4_096)
      .optional()
      .describe(
        'PromQL rule: an instant query against `prometheus.url`, run every `every`; each series of its answer is read with `above`/`below`, `for` and hysteresis like a scraped series. A failed query is counted and logged and leaves the rule as it was (unknown, never healthy).',
      ),
    every: durationSchema.default(15_000).describe('PromQL rules: how often the query runs.'),
    range: durationSchema
      .optional()
      .describe(
        'PromQL rules: a `query_range` over the last `range`, one point every `step`; a series counts as above (below) only when every point of the window is — its least extreme point is the value `above`/`below` and the hysteresis read (a NaN point: no value). Without it: an instant query.',
      ),
    step: durationSchema.optional().describe('PromQL range rules: the resolution of the window (default 15s, at most `range`).'),
    labels: z.record(z.string(), z.string()).default({}).describe('Only series with these label values.'),
    aggregate: z.enum(['value', 'rate']).default('value').describe('`rate`: per-second increase of a counter over `window` (a drop is a counter reset: the new value counts as the increase; fewer than two samples is no value); `value`: the latest value.'),
    window: durationSchema.default(10_000).describe('The window `rate` is computed over.'),
    ratio: ratioSchema.optional(),
    above: z.number().optional().describe('Threshold rule: raised when the value is above this.'),
    below: z.number().optional().describe('Threshold rule: raised when the value is below this.'),
    clearAbove: z.number().optional().describe('Hysteresis of a `below` rule: it clears at or above this (default `below`).'),
    absent: durationSchema
      .optional()
      .describe('Absence rule: raised when no matching series had a sample for this long (counted from homeostat\'s start for series never seen), cleared by the next sample; evaluated at each scrape of the service.'),
    detector: detectorSchema.optional(),
    raiseAt: z.number().gt(0).max(1).optional().describe('Detector rules: a score at or above this raises the symptom (default 0.999).'),
    clearBelow: z
      .number()
      .optional()
      .describe(
        'Hysteresis: threshold rules clear at or below this (default `above`); detector rules when the score falls below it (default 0.99; a z-score detector\'s score is 1 − its two-sided tail probability, so 0.5 is |z| ≈ 0.67).',
      ),
    for: durationSchema.default(0).describe('It must hold this long before it counts.'),
    clearFor: durationSchema.default(0).describe('Detector rules: the score must stay below `clearBelow` this long before the symptom clears.'),
    trend: trendSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    if ((rule.metric === undefined) === (rule.query === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['metric'], message: rule.metric === undefined ? 'a symptom rule needs a metric (or a PromQL query)' : 'a symptom rule takes a metric or a query, not both' });
      return;
    }
    if (rule.query !== undefined) {
      if (rule.above === undefined && rule.below === undefined) ctx.addIssue({ code: 'custom', path: ['query'], message: 'a PromQL rule takes above or below (with their hysteresis)' });
      for (const key of ['ratio', 'absent', 'detector', 'trend'] as const) if (rule[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `a PromQL rule takes no ${key}: write it in the query` });
      if (rule.aggregate !== 'value') ctx.addIssue({ code: 'custom', path: ['aggregate'], message: 'a PromQL rule takes no aggregate: use rate() in the query' });
      for (const issue of rangeIssues(rule.range, rule.step)) ctx.addIssue({ code: 'custom', ...issue });
    } else {
      for (const key of ['range', 'step'] as const) if (rule[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is for PromQL rules (query:); a metric rule reads its window with window/for` });
    }
    const kinds = [
      rule.above !== undefined && 'above',
      rule.below !== undefined && 'below',
      rule.absent !== undefined && 'absent',
      rule.detector !== undefined && 'detector',
      rule.trend !== undefined && 'trend',
    ].filter(Boolean);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: kinds.length === 0 ? 'a symptom rule needs one of above, below (thresholds), absent, detector or trend' : `a symptom rule takes one of above, below, absent, detector or trend, not ${kinds.join(' and ')}`,
      });
      return;
    }
    if (rule.clearAbove !== undefined && rule.below === undefined) ctx.addIssue({ code: 'custom', path: ['clearAbove'], message: 'clearAbove is the hysteresis of below rules only (above rules clear with clearBelow)' });
    if (rule.below !== undefined && rule.clearAbove !== undefined && rule.clearAbove < rule.below) ctx.addIssue({ code: 'custom', path: ['clearAbove'], message: `clearAbove (${rule.clearAbove}) must not be lower than below (${rule.below})` });
    if (rule.below !== undefined && rule.clearBelow !== undefined) ctx.addIssue({ code: 'custom', path: ['clearBelow'], message: 'a below rule clears with clearAbove, not clearBelow' });
    if (rule.absent !== undefined) {
      if (rule.clearBelow !== undefined) ctx.addIssue({ code: 'custom', path: ['clearBelow'], message: 'an absent rule clears on the next sample; it takes no clearBelow' });
      if (rule.for > 0) ctx.addIssue({ code: 'custom', path: ['for'], message: 'an absent rule\'s duration is its for: set absent, not for' });
      if (rule.aggregate !== 'value') ctx.addIssue({ code: 'custom', path: ['aggregate'], message: 'an absent rule watches samples, not their rate' });
      if (rule.ratio !== undefined) ctx.addIssue({ code: 'custom', path: ['ratio'], message: 'an absent rule watches samples of one selector, not a ratio' });
    }
    if (rule.raiseAt !== undefined && rule.detector === undefined) ctx.addIssue({ code: 'custom', path: ['raiseAt'], message: 'raiseAt applies to detector rules only' });
    if (rule.above !== undefined && rule.clearBelow !== undefined && rule.clearBelow > rule.above) ctx.addIssue({ code: 'custom', path: ['clearBelow'], message: 'clearBelow must not exceed above' });
    if (rule.detector !== undefined && rule.clearBelow !== undefined && rule.clearBelow > (rule.raiseAt ?? 0.999)) ctx.addIssue({ code: 'custom', path: ['clearBelow'], message: 'clearBelow must not exceed raiseAt' });
  })
  .describe('One symptom rule over a service\'s metric: exactly one of `above`, `below`, `absent`, `detector` and `trend`.');
export type SymptomRuleConfig = z.output<typeof symptomRuleSchema>;
