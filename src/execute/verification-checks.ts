import type { PrometheusConfig } from '../config/schema/prometheus.js';
import { DEFAULT_CHECK_STEP, type VerifyCheckConfig } from '../config/schema/verify-checks.js';
import { canonicalJson } from '../knowledge/canonical-json.js';
import { instantQuery, rangeQuery, type QueryAnswer, type RangeAnswer, type RangeWindow } from '../monitor/prometheus-query.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import type { HealthReading } from './verify-health.js';

/** One check's reading: it passed, it failed (with what), or it is unknown (its query was not answered, and why). */
export type CheckReading = { state: 'pass' } | { state: 'fail' | 'unknown'; detail: string };

export interface VerificationChecksOptions {
  prometheus: PrometheusConfig;
  /** When the action ended (Unix ms): range checks look no further back than this. */
  sinceMs: number;
  clock?: Pick<Clock, 'now'>;
  signal?: AbortSignal;
  /** Replace the HTTP queries (tests). */
  instant?: typeof instantQuery;
  range?: typeof rangeQuery;
}

/** All checks together: `fail` if any failed, else `unknown` if any is, else `pass`; the detail names each one that did not pass. */
export interface ChecksReading {
  state: 'pass' | 'fail' | 'unknown';
  /** One phrase per check that did not pass ('' when all passed). */
  detail: string;
}

export interface VerificationChecks {
  /** Query every check that is due (its `every` passed since its last query) and read all of them. */
  read(): Promise<ChecksReading>;
}

/**
 * A policy's PromQL verification checks (`verify.checks`), each queried at most every
 * `every` during verification, its last answer counting in between:
 * - every series of the answer must pass (`below` / `above`, strict); NaN never passes, ±Inf
 *   compares as the number it is;
 * - an answer without series is `noData` (default: fail);
 * - a range check (`range`) asks `query_range` over the window from the action (or
 *   `range` ago, whichever is later) to now, one point every `step`, and passes only when
 *   every point of every series passes — a step where a series has no point is not checked;
 * - a query that fails (Prometheus down, an HTTP error, a timeout, a malformed answer) is
 *   unknown, never a pass.
 *
 * @example const checks = verificationChecks(policy.verify.checks, { prometheus, sinceMs: Date.now() });
 * await checks.read() // { state: 'unknown', detail: 'check error-ratio: cannot reach http://127.0.0.1:9090: fetch failed (connect ECONNREFUSED …)' }
 */
export function verificationChecks(checks: readonly VerifyCheckConfig[], options: VerificationChecksOptions): VerificationChecks {
  const clock = options.clock ?? systemClock;
  const last = new Map<string, { at: number; reading: CheckReading }>();
  return {
    async read() {
      const readings = await Promise.all(
        checks.map(async (check) => {
          const previous = last.get(check.name);
          const now = clock.now();
          if (previous && now - previous.at < check.every) return { check, reading: previous.reading };
          const reading = await readCheck(check, options, now);
          last.set(check.name, { at: now, reading });
          return { check, reading };
        }),
      );
      const notPassing = readings.flatMap(({ reading }) => (reading.state === 'pass' ? [] : [reading]));
      const state = notPassing.some((r) => r.state === 'fail') ? 'fail' : notPassing.length > 0 ? 'unknown' : 'pass';
      return { state, detail: notPassing.map((r) => r.detail).join('; ') };
    },
  };
}

/** One check, queried now. */
async function readCheck(check: VerifyCheckConfig, options: VerificationChecksOptions, now: number): Promise<CheckReading> {
  const { url, timeout } = options.prometheus;
  if (check.range === undefined) {
    const answer: QueryAnswer = await (options.instant ?? instantQuery)(url, check.query, timeout, options.signal);
    if (!answer.ok) return { state: 'unknown', detail: `check ${check.name}: ${answer.error}` };
    if (answer.series.length === 0) return noData(check);
    for (const series of answer.series) {
      if (!passes(check, series.value)) return { state: 'fail', detail: `check ${check.name}: ${series.value} for ${canonicalJson(series.labels)}, needs ${condition(check)}` };
    }
    return { state: 'pass' };
  }
  const window: RangeWindow = { startMs: Math.min(now, Math.max(options.sinceMs, now - check.range)), endMs: now, stepMs: check.step ?? Math.min(DEFAULT_CHECK_STEP, check.range) };
  const answer: RangeAnswer = await (options.range ?? rangeQuery)(url, check.query, window, timeout, options.signal);
  if (!answer.ok) return { state: 'unknown', detail: `check ${check.name}: ${answer.error}` };
  if (answer.series.every((series) => series.samples.length === 0)) return noData(check);
  for (const series of answer.series) {
    const bad = series.samples.find(([, value]) => !passes(check, value));
    if (bad) return { state: 'fail', detail: `check ${check.name}: ${bad[1]} for ${canonicalJson(series.labels)} ${Math.round((now - bad[0]) / 1_000)} s ago, needs ${condition(check)} over the last ${Math.round((window.endMs - window.startMs) / 1_000)} s` };
  }
  return { state: 'pass' };
}

/** NaN passes nothing (every comparison with it is false); ±Inf compares as itself. */
function passes(check: VerifyCheckConfig, value: number): boolean {
  if (Number.isNaN(value)) return false;
  return (check.below === undefined || value < check.below) && (check.above === undefined || value > check.above);
}

function condition(check: VerifyCheckConfig): string {
  return [check.above !== undefined && `above ${check.above}`, check.below !== undefined && `below ${check.below}`].filter(Boolean).join(' and ');
}

function noData(check: VerifyCheckConfig): CheckReading {
  return check.noData === 'pass' ? { state: 'pass' } : { state: 'fail', detail: `check ${check.name}: no data (the query answered no series; noData: fail)` };
}

/** A health check joined with the PromQL checks, for {@link verifyHealthy}: its reading and what kept it from passing. */
export interface JoinedHealth {
  isHealthy(): Promise<HealthReading>;
  whyNot(): string;
}

/**
 * `clear` (the incident's symptoms) AND the checks: failing when either fails (a known
 * failure outweighs an unknown), else unknown when either is (a PromQL rule or check
 * unanswered), healthy only when both pass. Without checks, `clear` alone.
 * @example const joined = joinChecks(() => health.check(), () => health.failing(), checks); await verifyHealthy(() => joined.isHealthy(), { …, whyNot: joined.whyNot })
 */
export function joinChecks(clear: () => HealthReading | Promise<HealthReading>, failing: () => string, checks: VerificationChecks | undefined): JoinedHealth {
  let checked: ChecksReading = { state: 'pass', detail: '' };
  return {
    async isHealthy() {
      const symptoms = await clear();
      if (checks) checked = await checks.read();
      if (symptoms === false || checked.state === 'fail') return false;
      const unknown = [typeof symptoms === 'object' ? symptoms.unknown : '', checked.state === 'unknown' ? checked.detail : ''].filter(Boolean);
      return unknown.length > 0 ? { unknown: unknown.join('; ') } : true;
    },
    whyNot: () => [failing(), checked.detail].filter(Boolean).join('; '),
  };
}
