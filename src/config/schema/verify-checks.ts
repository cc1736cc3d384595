import { z } from 'zod';
import { durationSchema } from './units.js';

/**
 * Prometheus answers at most 11,000 points per series of a range query; a window finer than
 * that is refused by Prometheus, so it is refused here, at load, with its line.
 */
const MAX_RANGE_POINTS = 11_000;

/** The default resolution of a range check or rule. */
export const DEFAULT_CHECK_STEP = 15_000;

/**
 * `{ name: error-ratio, query: …, below: 0.01 }`: one verification check in PromQL, the
 * verdict of an action the way an Argo Rollouts analysis template gives it. `below`/`above`
 * say what PASSING is (the opposite of a symptom rule's, which say what fires).
 */
export const verifyCheckSchema = z
  .strictObject({
    name: z.string().min(1).max(100).describe('The check\'s name in the verification\'s detail and the explanation.'),
    query: z.string().min(1).max(4_096).describe('PromQL against `prometheus.url`: every series of its answer must pass.'),
    below: z.number().optional().describe('Passes when every value is strictly below this (`below: 0.01` for an error ratio). With `above` too: a band.'),
    above: z.number().optional().describe('Passes when every value is strictly above this (`above: 0` for `up`-like series). With `below` too: a band.'),
    range: durationSchema
      .optional()
      .describe(
        'Range check: a `query_range` over the window since the action (at most this long, ending now), one point every `step`; it passes only when every point of every series passes. Without it: an instant query.',
      ),
    step: durationSchema.optional().describe('Range checks: the resolution of the window (default 15s, at most `range`).'),
    noData: z
      .enum(['fail', 'pass'])
      .default('fail')
      .describe('An answer with no series: `fail` (default: no data is not evidence of health, e.g. a selector that matches nothing) or `pass` (for queries that answer only what is wrong, like `errors > 0`).'),
    every: durationSchema.default(1_000).describe('How often the query runs during verification (its last answer counts in between).'),
  })
  .superRefine((check, ctx) => {
    if (check.below === undefined && check.above === undefined) ctx.addIssue({ code: 'custom', path: ['query'], message: 'a verification check takes below or above (or both): what passing is' });
    if (check.below !== undefined && check.above !== undefined && check.above >= check.below) ctx.addIssue({ code: 'custom', path: ['above'], message: `above (${check.above}) must be lower than below (${check.below}): no value could pass` });
    for (const issue of rangeIssues(check.range, check.step)) ctx.addIssue({ code: 'custom', ...issue });
    if (check.every <= 0) ctx.addIssue({ code: 'custom', path: ['every'], message: 'every must be a positive duration' });
  })
  .describe('One verification check in PromQL: the query, what passing is (`below` / `above`), instant or over a `range`.');
export type VerifyCheckConfig = z.output<typeof verifyCheckSchema>;

/**
 * What is wrong with a `range` / `step` pair (of a check or a PromQL rule), each at its key:
 * a range that is not positive, a step without a range, not positive, longer than the range,
 * or making more points than Prometheus answers.
 */
export function rangeIssues(range: number | undefined, step: number | undefined): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  if (range !== undefined && range <= 0) issues.push({ path: ['range'], message: 'range must be a positive duration' });
  if (step === undefined) {
    if (range !== undefined && range > 0 && range / DEFAULT_CHECK_STEP > MAX_RANGE_POINTS) issues.push({ path: ['range'], message: `range ÷ the default step (15s) is more than ${MAX_RANGE_POINTS} points: set a step` });
    return issues;
  }
  if (range === undefined) issues.push({ path: ['step'], message: 'step is for range queries: set range too' });
  else if (step <= 0) issues.push({ path: ['step'], message: 'step must be a positive duration' });
  else if (step > range && range > 0) issues.push({ path: ['step'], message: `step (${step} ms) must not exceed range (${range} ms)` });
  else if (range / step > MAX_RANGE_POINTS) issues.push({ path: ['step'], message: `range ÷ step is ${Math.ceil(range / step)} points; Prometheus answers at most ${MAX_RANGE_POINTS}` });
  return issues;
}
