import type { InFlight } from './in-flight.js';

/** A replica a front door may send to: its instance name and port on 127.0.0.1. */
export interface Upstream {
  instance: string;
  port: number;
  /**
   * A canary's share of the requests (0 < share ≤ 1): it gets that fraction of them, the
   * others the rest by the strategy. Undefined for every other replica.
   */
  share?: number;
}

export type BalanceStrategy = 'round-robin' | 'least-requests';

/**
 * Picks the replica for the next request among the ones that take traffic now.
 * `least-requests` takes the one with the fewest in flight — a slow or stuck replica
 * collects fewer new requests than a fast one — and goes in turn among equals, so an idle
 * service still spreads its load; `round-robin` goes in turn.
 *
 * @example balancer.pick([{ instance: 'api#0', port: 3000 }, { instance: 'api#1', port: 3001 }]) // api#0, then api#1 …
 * @example balancer.pick(upstreams, new Set(['api#0'])) // a retry: never the replica that just failed
 * @example balancer.pick([{ instance: 'api#0', port: 3000, share: 0.1 }, { instance: 'api#1', port: 3001 }]) // api#0 exactly 1 time in 10
 */
export class Balancer {
  private turn = 0;
  /**
   * The canary's credit: each request adds its share, and the canary is picked whenever a
   * whole request's worth has built up. Counted rather than drawn at random, so that its
   * share holds exactly over any run of requests — a judgement on 20 requests must not
   * rest on a lucky draw.
   */
  private canaryCredit = 0;

  constructor(
    private readonly strategy: BalanceStrategy,
    private readonly inFlight: InFlight,
  ) {}

  pick(upstreams: readonly Upstream[], exclude?: ReadonlySet<string>): Upstream | undefined {
    const candidates = exclude && exclude.size > 0 ? upstreams.filter((u) => !exclude.has(u.instance)) : upstreams;
    if (candidates.length === 0) return undefined;
    const canary = candidates.find((candidate) => candidate.share !== undefined);
    if (canary && candidates.length > 1) {
      // In millionths: summed floats drift (ten 0.1s make 0.9999999…, one canary request short).
      this.canaryCredit += Math.round(canary.share! * 1_000_000);
      if (this.canaryCredit >= 1_000_000) {
        this.canaryCredit -= 1_000_000;
        return canary;
      }
      return this.byStrategy(candidates.filter((candidate) => candidate !== canary));
    }
    return this.byStrategy(candidates);
  }

  private byStrategy(candidates: readonly Upstream[]): Upstream | undefined {
    const start = this.turn++ % candidates.length;
    if (this.turn > Number.MAX_SAFE_INTEGER / 2) this.turn = 0;
    if (this.strategy === 'round-robin') return candidates[start];
    let best: Upstream | undefined;
    let fewest = Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[(start + i) % candidates.length]!;
      const count = this.inFlight.of(candidate.instance);
      if (count < fewest) {
        best = candidate;
        fewest = count;
      }
    }
    return best;
  }
}
