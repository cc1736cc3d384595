import { InvalidPolicyOptionsError, requireNumber } from './errors.js';

/**
 * How a circuit breaker decides to open, as plain data so it can live in
 * config and in a serialised breaker.
 *
 * - `consecutive`: open after `threshold` failures in a row.
 * - `count`: over the last `size` calls, open when at least `minimumCalls`
 *   (default `size`) were made and the failure ratio reaches `failureRatio`.
 * - `time`: over the last `windowMs` (in `buckets` slices, default 10), open
 *   when at least `minimumThroughput` calls were made and the failure ratio
 *   reaches `failureRatio` — so a quiet period with two calls, both failing,
 *   does not trip it.
 */
export type BreakerStrategy =
  | { kind: 'consecutive'; threshold: number }
  | { kind: 'count'; size: number; failureRatio: number; minimumCalls?: number }
  | { kind: 'time'; windowMs: number; failureRatio: number; minimumThroughput: number; buckets?: number };

/** The outcome history a breaker keeps while closed. */
export interface FailureWindow {
  /** Whether `record` needs the current time (so the hot path can skip the clock). */
  readonly usesTime: boolean;
  /** Records one call; returns true when the breaker should open. */
  record(failed: boolean, now: number): boolean;
  reset(): void;
  snapshot(): FailureWindowSnapshot;
}

/** JSON-safe state of a {@link FailureWindow}. */
export type FailureWindowSnapshot =
  | { kind: 'consecutive'; failures: number }
  | { kind: 'count'; outcomes: number[] }
  | { kind: 'time'; slots: Array<[epoch: number, successes: number, failures: number]> };

/** Builds the window for `strategy`, restoring `snapshot` when it matches. */
export function createFailureWindow(strategy: BreakerStrategy, snapshot?: FailureWindowSnapshot): FailureWindow {
  switch (strategy.kind) {
    case 'consecutive':
      return new ConsecutiveWindow(strategy, snapshot?.kind === 'consecutive' ? snapshot : undefined);
    case 'count':
      return new CountWindow(strategy, snapshot?.kind === 'count' ? snapshot : undefined);
    case 'time':
      return new TimeWindow(strategy, snapshot?.kind === 'time' ? snapshot : undefined);
  }
}

class ConsecutiveWindow implements FailureWindow {
  readonly usesTime = false;
  private failures: number;
  private readonly threshold: number;
  constructor(strategy: { threshold: number }, snapshot?: { failures: number }) {
    this.threshold = requireNumber('threshold', strategy.threshold, 1);
    this.failures = snapshot?.failures ?? 0;
  }
  record(failed: boolean): boolean {
    if (!failed) {
      this.failures = 0;
      return false;
    }
    return ++this.failures >= this.threshold;
  }
  reset(): void {
    this.failures = 0;
  }
  snapshot(): FailureWindowSnapshot {
    return { kind: 'consecutive', failures: this.failures };
  }
}

class CountWindow implements FailureWindow {
  readonly usesTime = false;
  private readonly outcomes: Uint8Array;
  private readonly minimumCalls: number;
  private readonly failureRatio: number;
  private next = 0;
  private filled = 0;
  private failures = 0;

  constructor(strategy: { size: number; failureRatio: number; minimumCalls?: number }, snapshot?: { outcomes: number[] }) {
    const size = requireNumber('size', strategy.size, 1);
    this.outcomes = new Uint8Array(size);
    this.failureRatio = ratio(strategy.failureRatio);
    this.minimumCalls = Math.min(size, requireNumber('minimumCalls', strategy.minimumCalls ?? size, 1));
    for (const outcome of snapshot?.outcomes.slice(-size) ?? []) this.record(outcome === 1);
  }

  record(failed: boolean): boolean {
    if (this.filled === this.outcomes.length) this.failures -= this.outcomes[this.next]!;
    else this.filled++;
    this.outcomes[this.next] = failed ? 1 : 0;
    if (failed) this.failures++;
    this.next = (this.next + 1) % this.outcomes.length;
    return failed && this.filled >= this.minimumCalls && this.failures >= this.failureRatio * this.filled;
  }

  reset(): void {
    this.next = this.filled = this.failures = 0;
  }

  snapshot(): FailureWindowSnapshot {
    const outcomes: number[] = [];
    const start = this.filled === this.outcomes.length ? this.next : 0;
    for (let i = 0; i < this.filled; i++) outcomes.push(this.outcomes[(start + i) % this.outcomes.length]!);
    return { kind: 'count', outcomes };
  }
}

class TimeWindow implements FailureWindow {
  readonly usesTime = true;
  private readonly bucketMs: number;
  private readonly epochs: Float64Array;
  private readonly successes: Float64Array;
  private readonly failures: Float64Array;
  private readonly failureRatio: number;
  private readonly minimumThroughput: number;

  constructor(
    strategy: { windowMs: number; failureRatio: number; minimumThroughput: number; buckets?: number },
    snapshot?: { slots: Array<[number, number, number]> },
  ) {
    const buckets = requireNumber('buckets', strategy.buckets ?? 10, 1);
    this.bucketMs = requireNumber('windowMs', strategy.windowMs, 1) / buckets;
    this.failureRatio = ratio(strategy.failureRatio);
    this.minimumThroughput = requireNumber('minimumThroughput', strategy.minimumThroughput, 1);
    this.epochs = new Float64Array(buckets).fill(-1);
    this.successes = new Float64Array(buckets);
    this.failures = new Float64Array(buckets);
    snapshot?.slots.slice(0, buckets).forEach(([epoch, successes, failures], slot) => {
      this.epochs[slot] = epoch;
      this.successes[slot] = successes;
      this.failures[slot] = failures;
    });
  }

  record(failed: boolean, now: number): boolean {
    const epoch = Math.floor(now / this.bucketMs);
    const slot = epoch % this.epochs.length;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.successes[slot] = 0;
      this.failures[slot] = 0;
    }
    if (!failed) {
      this.successes[slot]!++;
      return false;
    }
    this.failures[slot]!++;
    let calls = 0;
    let failures = 0;
    const oldest = epoch - this.epochs.length;
    for (let i = 0; i < this.epochs.length; i++) {
      if (this.epochs[i]! > oldest) {
        calls += this.successes[i]! + this.failures[i]!;
        failures += this.failures[i]!;
      }
    }
    return calls >= this.minimumThroughput && failures >= this.failureRatio * calls;
  }

  reset(): void {
    this.epochs.fill(-1);
  }

  snapshot(): FailureWindowSnapshot {
    const slots: Array<[number, number, number]> = [];
    for (let i = 0; i < this.epochs.length; i++) slots.push([this.epochs[i]!, this.successes[i]!, this.failures[i]!]);
    return { kind: 'time', slots };
  }
}

function ratio(value: number): number {
  if (!(value > 0 && value <= 1)) throw new InvalidPolicyOptionsError(`failureRatio must be in (0, 1], got ${value}`);
  return value;
}
