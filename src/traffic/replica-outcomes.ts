/** What the callers of one replica saw while it was watched (see {@link ReplicaOutcomes.watch}). */
export interface TrafficSeen {
  /** Requests (tcp: connections) sent to the replica. */
  requests: number;
  /** Of those, the ones that failed: a 5xx answer, or a connection refused, reset or cut before the answer. */
  failures: number;
  /** The 95th percentile of the time to the answer's first byte, in ms (undefined: no answer yet, or tcp). */
  p95LatencyMs: number | undefined;
}

/** A watch on one replica's outcomes, from its start; `stop()` ends it. */
export interface TrafficWatch {
  seen(): TrafficSeen;
  stop(): void;
}

/** Latencies kept per watch: a canary judged over minutes must not grow without bound. */
const MAX_LATENCIES = 10_000;

interface Tally {
  requests: number;
  failures: number;
  latencies: number[];
}

/**
 * Per-replica outcomes of the requests the front doors sent, counted only while someone
 * watches the replica (a config rollout judging its canary): the doors report every
 * outcome, and a replica no one watches costs one map lookup.
 *
 * @example const watch = outcomes.watch('api#0'); … watch.seen() // { requests: 41, failures: 2, p95LatencyMs: 12 }
 * @example outcomes.record('api#1', { ok: false }) // not watched: nothing kept
 */
export class ReplicaOutcomes {
  private readonly watched = new Map<string, Set<Tally>>();

  watch(instance: string): TrafficWatch {
    const tally: Tally = { requests: 0, failures: 0, latencies: [] };
    const tallies = this.watched.get(instance) ?? new Set();
    tallies.add(tally);
    this.watched.set(instance, tallies);
    return {
      seen: () => ({ requests: tally.requests, failures: tally.failures, p95LatencyMs: percentile(tally.latencies, 0.95) }),
      stop: () => {
        tallies.delete(tally);
        if (tallies.size === 0 && this.watched.get(instance) === tallies) this.watched.delete(instance);
      },
    };
  }

  /** One request's (connection's) outcome on `instance`; `latencyMs` to its answer's first byte, when it had one. */
  record(instance: string, outcome: { ok: boolean; latencyMs?: number }): void {
    const tallies = this.watched.get(instance);
    if (!tallies) return;
    for (const tally of tallies) {
      tally.requests++;
      if (!outcome.ok) tally.failures++;
      if (outcome.latencyMs !== undefined && tally.latencies.length < MAX_LATENCIES) tally.latencies.push(outcome.latencyMs);
    }
  }
}

/** The nearest-rank percentile `p` (0..1) of `values`; undefined when there are none. */
function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
