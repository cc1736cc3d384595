import type { CanaryConfig } from '../config/schema/canary.js';
import type { ServiceConfig } from '../config/schema/services.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import { formatPercent, judgeCallers } from '../execute/canary-callers.js';
import type { CallerOutcomesWatch } from '../supervisor/supervisor.js';

/** What a config canary needs of the supervisor (see `Supervisor.startCanary`). */
export interface CanaryControl {
  startCanary(service: string, spec: ServiceConfig, share: number): Promise<{ instance: string; ready: boolean; error?: string }>;
  endCanary(service: string, outcome: 'keep' | 'revert'): Promise<void>;
  watchTraffic(instance: string): CallerOutcomesWatch | undefined;
  replicas(service: string): readonly { instance: string; isHealthy(verified?: boolean): boolean }[];
}

/** How a canary went: what its callers saw, and why it passed or failed. */
export interface CanaryVerdict {
  ok: boolean;
  service: string;
  instance: string;
  detail: string;
  seen?: { requests: number; failures: number; p95LatencyMs: number | undefined };
  tookMs: number;
}

/** How often the canary's probes and failures are looked at while it is judged. */
const CHECK_EVERY_MS = 100;

/**
 * One service's config canary: its first replica restarted from `spec` and sent
 * `canary.share` of the front door's requests; judged for `canary.duration` on what its
 * callers saw — failed requests (5xx, refused, reset) above `maxErrorRate`, a p95 time to
 * the first byte above `maxLatency`, fewer than `minRequests` to judge by — and on its
 * probes, which must pass throughout. A failure is decided as soon as it is certain (its
 * probes fail; its error rate is over the limit with `minRequests` seen), so a bad
 * version serves its share for as short a time as possible. Ends with the canary kept
 * (passed: the rollout goes on from it) or restarted from the spec in force (failed).
 *
 * @example await judgeConfigCanary(supervisor, 'api', nextSpec, canary, { signal }) // { ok: true, instance: 'api#0', detail: 'api#0 served 52 requests for 10.0 s: 0 failed (limit 1%) …' }
 * @example // a spec whose replica answers 500: { ok: false, detail: 'api#0 failed 20 of 20 requests (100.0%, limit 1%) …' }, api#0 back on the spec in force
 */
export async function judgeConfigCanary(control: CanaryControl, service: string, spec: ServiceConfig, canary: CanaryConfig, options: { signal?: AbortSignal; clock?: Clock } = {}): Promise<CanaryVerdict> {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const began = now();
  const started = await control.startCanary(service, spec, canary.share);
  const { instance } = started;
  const verdict = (ok: boolean, detail: string, seen?: CanaryVerdict['seen']): CanaryVerdict => ({ ok, service, instance, detail, ...(seen ? { seen } : {}), tookMs: now() - began });
  if (started.error !== undefined) return verdict(false, `${instance} did not start on the new spec (${started.error}); it runs the spec in force again`);
  if (!started.ready) {
    await control.endCanary(service, 'revert');
    return verdict(false, `${instance} did not take traffic within expose.readyTimeout on the new spec; restarted on the spec in force`);
  }
  const watch = control.watchTraffic(instance);
  if (!watch) {
    await control.endCanary(service, 'revert');
    return verdict(false, `no front door routes to ${instance}: its callers cannot be watched; restarted on the spec in force`);
  }
  const judgedFrom = now();
  const failedReason = (): string | undefined => {
    const replica = control.replicas(service).find((r) => r.instance === instance);
    if (!replica?.isHealthy()) return `${instance} failed its probes (or exited) on the new spec`;
    const callers = judgeCallers(watch.seen(), canary, instance);
    return callers.verdict === 'fail' ? callers.detail : undefined;
  };
  let why: string | undefined;
  try {
    while (now() - judgedFrom < canary.duration && !options.signal?.aborted) {
      why = failedReason();
      if (why) break;
      await clock.sleep(Math.min(CHECK_EVERY_MS, Math.max(1, canary.duration - (now() - judgedFrom))), options.signal).catch(() => undefined); // aborted: judged below
    }
  } finally {
    watch.stop();
  }
  const seen = watch.seen();
  const took = `${((now() - judgedFrom) / 1_000).toFixed(1)} s`;
  if (!why && options.signal?.aborted) why = `the canary was stopped (up is stopping) after ${took}`;
  why ??= failedReason();
  if (!why && !control.replicas(service).find((r) => r.instance === instance)?.isHealthy(true)) why = `${instance} has not passed every probe on the new spec`;
  const callers = judgeCallers(seen, canary, instance, { during: `in ${took} at a ${formatPercent(canary.share)} share` });
  if (!why && callers.verdict === 'too-few') why = `only ${seen.requests} requests reached ${instance} in ${took} (canary.minRequests: ${canary.minRequests}): its callers could not judge it`;
  if (!why && callers.verdict === 'fail') why = callers.detail;
  if (why) {
    await control.endCanary(service, 'revert');
    return verdict(false, `${why}; restarted on the spec in force`, seen);
  }
  await control.endCanary(service, 'keep');
  return verdict(true, `${callers.detail}, probes passing`, seen);
}
