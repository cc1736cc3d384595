import { SpanStatusCode } from '@opentelemetry/api';
import { systemClock, type Clock } from '../resilience/clock.js';
import { traced } from '../telemetry/tracing.js';

/**
 * One reading of health: true (healthy), false (failing), or unknown with the reason — a
 * PromQL check whose Prometheus did not answer tells nothing either way.
 */
export type HealthReading = boolean | { unknown: string };

/** What verification concluded: healthy for the window, failing, or unknown (it could not tell). */
export type VerifyVerdict = 'healthy' | 'failing' | 'unknown';

export interface VerifyHealthyOptions {
  healthyForMs: number;
  timeoutMs: number;
  /** Default 100 ms. */
  pollMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  /**
   * Fail at the first relapse (default true): once the check has passed, a failure inside
   * the window ends verification at once — the action did not hold, and waiting out the
   * timeout only delays the next rung. Before the check ever passed it keeps waiting up to
   * `timeoutMs` (a restarted process takes time to become ready). An unknown reading is not
   * a relapse: it breaks the window (healthy must be seen, not assumed) and waits on.
   */
  failFast?: boolean;
  /** What is failing now, for the detail of a failed verification (e.g. "nginx probes failing"). */
  whyNot?: () => string;
}

export interface VerifyHealthyResult {
  ok: boolean;
  /** `unknown` when the last reading before the timeout was unknown; its detail starts "unknown: <reason>". */
  verdict: VerifyVerdict;
  detail: string;
  tookMs: number;
  /** It was healthy, then failed again inside the window (with `failFast`). */
  relapsed?: boolean;
}

/**
 * Wait until `isHealthy()` has held for `healthyForMs` without a break, or `timeoutMs`
 * passes, or — with `failFast` (the default) — it fails again after having passed.
 * Polls every `pollMs` (default 100 ms). Only `true` readings count towards the window; at
 * the timeout the verdict is `unknown` if the last reading that broke it was unknown, else
 * `failing`.
 * @example await verifyHealthy(() => control.isHealthy('api'), { healthyForMs: 2_000, timeoutMs: 30_000 }) // { ok: true, verdict: 'healthy', … }
 * @example await verifyHealthy(() => false, { healthyForMs: 1, timeoutMs: 500 }) // { ok: false, verdict: 'failing', detail: 'not healthy for 1 ms within 500 ms' }
 * @example await verifyHealthy(() => ({ unknown: 'check errors: cannot reach …' }), …) // { ok: false, verdict: 'unknown', detail: 'unknown: check errors: cannot reach … (not healthy for …)' }
 * @example // healthy at 1 s, failing again at 3 s: { ok: false, relapsed: true, detail: 'relapsed: healthy for 2000 ms, then failing again 3000 ms after verification began …' } at 3 s, not at the timeout
 */
export function verifyHealthy(isHealthy: () => HealthReading | Promise<HealthReading>, options: VerifyHealthyOptions): Promise<VerifyHealthyResult> {
  // Traced as `homeostat.verification` (a child of the remediation step that verifies).
  return traced('homeostat.verification', { 'homeostat.verification.healthy_for_ms': options.healthyForMs, 'homeostat.verification.timeout_ms': options.timeoutMs }, async (span) => {
    const result = await waitHealthy(isHealthy, options);
    span?.setAttributes({ 'homeostat.verification.ok': result.ok, 'homeostat.verification.verdict': result.verdict, 'homeostat.verification.detail': result.detail, 'homeostat.verification.took_ms': result.tookMs, 'homeostat.verification.relapsed': result.relapsed === true });
    if (span && !result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: result.detail });
    return result;
  });
}

async function waitHealthy(isHealthy: () => HealthReading | Promise<HealthReading>, options: VerifyHealthyOptions): Promise<VerifyHealthyResult> {
  const clock = options.clock ?? systemClock;
  const failFast = options.failFast ?? true;
  const because = () => {
    const why = options.whyNot?.();
    return why ? `: ${why}` : '';
  };
  const started = clock.now();
  let healthySince: number | undefined;
  /** The last reading that was not healthy: what kept the window from completing. */
  let lastBreak: HealthReading = false;
  for (;;) {
    const reading = await isHealthy();
    const now = clock.now();
    if (reading === true) {
      healthySince ??= now;
      if (now - healthySince >= options.healthyForMs) return { ok: true, verdict: 'healthy', detail: `healthy for ${options.healthyForMs} ms`, tookMs: now - started };
    } else {
      if (reading === false && failFast && healthySince !== undefined) {
        const detail = `relapsed: healthy for ${now - healthySince} ms, then failing again ${now - started} ms after verification began (needed ${options.healthyForMs} ms)${because()}`;
        return { ok: false, verdict: 'failing', detail, tookMs: now - started, relapsed: true };
      }
      healthySince = undefined;
      lastBreak = reading;
    }
    if (now - started >= options.timeoutMs) {
      if (typeof lastBreak === 'object') return { ok: false, verdict: 'unknown', detail: `unknown: ${lastBreak.unknown} (not healthy for ${options.healthyForMs} ms within ${options.timeoutMs} ms)`, tookMs: now - started };
      return { ok: false, verdict: 'failing', detail: `not healthy for ${options.healthyForMs} ms within ${options.timeoutMs} ms${because()}`, tookMs: now - started };
    }
    await clock.sleep(options.pollMs ?? 100, options.signal);
  }
}
