import type { CanaryConfig } from '../config/schema/canary.js';

/** What a canary's callers saw through its front door since it was watched. */
export interface CallersSeen {
  requests: number;
  failures: number;
  p95LatencyMs: number | undefined;
}

/** `fail`: over a limit; `too-few`: not yet `minRequests` to judge by; `pass`: within every limit. */
export interface CallersJudgement {
  verdict: 'pass' | 'fail' | 'too-few';
  detail: string;
}

/**
 * A canary judged by its callers, against its service's `canary:` limits: the error rate
 * counts once `minRequests` were seen (one failure in the first three requests says
 * little), the latency limit applies to the 95th percentile of its answers.
 *
 * @example judgeCallers({ requests: 40, failures: 4, p95LatencyMs: 9 }, canary, 'api#0') // { verdict: 'fail', detail: 'api#0 failed 4 of 40 requests (10%, limit 1%)' }
 * @example judgeCallers({ requests: 3, failures: 0, p95LatencyMs: 9 }, canary, 'api#0') // { verdict: 'too-few', … }
 * @example judgeCallers(seen, canary, 'api#0', { during: 'in 10.0 s' }) // { verdict: 'pass', detail: 'api#0 served 52 requests in 10.0 s: 0 failed (limit 1%), p95 4.1 ms' }
 */
export function judgeCallers(seen: CallersSeen, canary: Pick<CanaryConfig, 'maxErrorRate' | 'maxLatency' | 'minRequests'>, instance: string, options: { during?: string } = {}): CallersJudgement {
  const limit = formatPercent(canary.maxErrorRate);
  if (seen.requests >= Math.max(1, canary.minRequests) && seen.failures / seen.requests > canary.maxErrorRate) {
    return { verdict: 'fail', detail: `${instance} failed ${seen.failures} of ${seen.requests} requests (${formatPercent(seen.failures / seen.requests)}, limit ${limit})` };
  }
  if (seen.requests < canary.minRequests) return { verdict: 'too-few', detail: `only ${seen.requests} requests reached ${instance} (canary.minRequests: ${canary.minRequests})` };
  if (canary.maxLatency !== undefined && seen.p95LatencyMs !== undefined && seen.p95LatencyMs > canary.maxLatency) {
    return { verdict: 'fail', detail: `${instance}'s answers took ${seen.p95LatencyMs.toFixed(1)} ms at the 95th percentile (limit ${canary.maxLatency} ms)` };
  }
  const latency = seen.p95LatencyMs === undefined ? '' : `, p95 ${seen.p95LatencyMs.toFixed(1)} ms${canary.maxLatency === undefined ? '' : ` (limit ${canary.maxLatency} ms)`}`;
  return { verdict: 'pass', detail: `${instance} served ${seen.requests} requests${options.during ? ` ${options.during}` : ''}: ${seen.failures} failed (limit ${limit})${latency}` };
}

/** `0.05` → `5%`, `0.125` → `12.5%`. */
export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}
