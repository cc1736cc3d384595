import { toBackoff, type Backoff, type BackoffFunction } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { BrokenCircuitError, requireNumber } from './errors.js';
import { EventEmitter, type Subscribe } from './events.js';
import {
  createFailureWindow,
  type BreakerStrategy,
  type FailureWindow,
  type FailureWindowSnapshot,
} from './failure-window.js';
import { isThenable, neverAbortedContext, neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';
import type { Random } from './random.js';
import { isRetryable } from './retry.js';

/** `isolated`: held open by hand ({@link CircuitBreaker.isolate}) until `reset()`. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /** When to open (default: 5 consecutive failures). */
  strategy?: BreakerStrategy;
  /** How long it stays open before admitting probes: ms, or a backoff over successive re-openings (default 30 s). */
  halfOpenAfter?: number | Backoff | BackoffFunction;
  /** Probe calls admitted at once in half-open; this many successes close it (default 1). */
  halfOpenMaxCalls?: number;
  /** A probe still running after this long counts as failed and re-opens the breaker (default 60 s). */
  halfOpenDeadlineMs?: number;
  /** A call that succeeds but takes at least this long counts as a failure. */
  slowCallMs?: number;
  /** Which errors count against the dependency (default {@link isRetryable}: a TerminalError does not). */
  isFailure?: (error: unknown) => boolean;
  /** Start from a state saved with `toJSON()`. */
  initialState?: BreakerSnapshot;
  clock?: Clock;
  random?: Random;
}

/** Why a breaker changed state. */
export type TransitionReason =
  | 'failure-threshold'
  | 'half-open-after'
  | 'probe-succeeded'
  | 'probe-failed'
  | 'probe-deadline'
  | 'isolated'
  | 'reset';

/** Emitted on every transition. */
export interface BreakerStateChange {
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly reason: TransitionReason;
  readonly at: number;
}

/** The JSON-safe state of a breaker, for the Knowledge store across restarts. */
export interface BreakerSnapshot {
  readonly version: 1;
  readonly state: BreakerState;
  /** When an open breaker admits probes (ms since epoch). */
  readonly halfOpenAt: number;
  /** How many times it has re-opened from half-open in a row (drives a `halfOpenAfter` backoff). */
  readonly reopenings: number;
  readonly window: FailureWindowSnapshot;
}

/**
 * A circuit breaker; see {@link circuitBreaker}.
 *
 * @example
 * breaker.onStateChange(({ from, to, reason }) => monitor.symptom('breaker', { from, to, reason }));
 * @example
 * await store.save('breaker:payments', breaker.toJSON()); // survives a restart
 */
export interface CircuitBreaker extends Policy {
  /** The current state (due transitions — open → half-open, a probe past its deadline — are applied first). */
  readonly state: BreakerState;
  readonly onStateChange: Subscribe<BreakerStateChange>;
  /** A call rejected because the breaker is open. */
  readonly onRejected: Subscribe<{ readonly retryAfterMs: number }>;
  /** A call counted as a failure (`slow`: it succeeded too slowly). */
  readonly onFailure: Subscribe<{ readonly error: unknown; readonly slow: boolean }>;
  /** Holds the breaker open until {@link CircuitBreaker.reset}. */
  isolate(): void;
  /** Closes the breaker and forgets its history. */
  reset(): void;
  toJSON(): BreakerSnapshot;
}

/**
 * Stops calling a failing dependency for a while. Closed, it runs calls and
 * keeps their outcomes in its failure window; when the strategy says so it
 * opens and rejects calls with {@link BrokenCircuitError} (`HS_BROKEN_CIRCUIT`,
 * carrying `retryAfterMs`). After `halfOpenAfter` it admits up to
 * `halfOpenMaxCalls` probes: that many successes close it, one failure — or a
 * probe outliving `halfOpenDeadlineMs` — re-opens it. No timers: transitions are
 * applied when the breaker is next used or inspected.
 *
 * @example
 * const breaker = circuitBreaker({ strategy: { kind: 'time', windowMs: 30_000, failureRatio: 0.5, minimumThroughput: 20 } });
 * const quote = await breaker.execute(({ signal }) => pricing.quote(order, { signal }));
 * @example
 * const tripped = circuitBreaker({ strategy: { kind: 'consecutive', threshold: 1 } });
 * await tripped.execute(() => { throw new Error('down'); }).catch(() => {}); // opens
 * await tripped.execute(() => 'x'); // rejects with HS_BROKEN_CIRCUIT
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreakerImpl(options);
}

interface Probe {
  readonly generation: number;
  readonly startedAt: number;
}

class CircuitBreakerImpl implements CircuitBreaker {
  private current: BreakerState;
  private generation = 0;
  private halfOpenAt: number;
  private reopenings: number;
  private lastOpenDelayMs = 0;
  private probes: Probe[] = [];
  private probeSuccesses = 0;
  private readonly window: FailureWindow;
  private readonly needsTime: boolean;
  private readonly halfOpenAfter: Backoff;
  private readonly halfOpenMaxCalls: number;
  private readonly halfOpenDeadlineMs: number;
  private readonly slowCallMs: number | undefined;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly changed = new EventEmitter<BreakerStateChange>();
  private readonly rejected = new EventEmitter<{ readonly retryAfterMs: number }>();
  private readonly failed = new EventEmitter<{ readonly error: unknown; readonly slow: boolean }>();
  readonly onStateChange = this.changed.subscribe;
  readonly onRejected = this.rejected.subscribe;
  readonly onFailure = this.failed.subscribe;

  constructor(options: CircuitBreakerOptions) {
    const after = options.halfOpenAfter ?? 30_000;
    this.halfOpenAfter = typeof after === 'number' ? constant(requireNumber('halfOpenAfter', after, 0)) : toBackoff(after);
    this.halfOpenMaxCalls = requireNumber('halfOpenMaxCalls', options.halfOpenMaxCalls ?? 1, 1);
    this.halfOpenDeadlineMs = requireNumber('halfOpenDeadlineMs', options.halfOpenDeadlineMs ?? 60_000, 0, true);
    this.slowCallMs = options.slowCallMs === undefined ? undefined : requireNumber('slowCallMs', options.slowCallMs, 0);
    this.isFailure = options.isFailure ?? isRetryable;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    const saved = options.initialState;
    this.window = createFailureWindow(options.strategy ?? { kind: 'consecutive', threshold: 5 }, saved?.window);
    this.needsTime = this.window.usesTime || this.slowCallMs !== undefined;
    // Probes in flight died with the process that saved the state: restart half-open with none.
    this.current = saved?.state ?? 'closed';
    this.halfOpenAt = saved?.halfOpenAt ?? 0;
    this.reopenings = saved?.reopenings ?? 0;
  }

  get state(): BreakerState {
    if (this.current !== 'closed') this.applyDueTransitions(this.clock.now());
    return this.current;
  }

  execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (this.current !== 'closed') return this.executeNotClosed(fn, signal);
    const startedAt = this.needsTime ? this.clock.now() : 0;
    let result: Promise<T> | T;
    try {
      result = fn(signal === neverAbortedSignal ? neverAbortedContext : { signal });
    } catch (error) {
      this.recordClosedFailure(error, signal);
      return Promise.reject(error);
    }
    if (!isThenable<T>(result)) {
      this.recordClosedSuccess(startedAt);
      return Promise.resolve(result);
    }
    // The common case reuses two bound handlers: no closure per call.
    if (!this.needsTime && signal === neverAbortedSignal) {
      return Promise.resolve(result).then(this.onClosedSuccess, this.onClosedFailure) as Promise<T>;
    }
    return Promise.resolve(result).then(
      (value) => {
        this.recordClosedSuccess(startedAt);
        return value;
      },
      (error: unknown) => {
        this.recordClosedFailure(error, signal);
        throw error;
      },
    );
  }

  isolate(): void {
    this.generation++;
    this.probes = [];
    this.transition('isolated', 'isolated', this.clock.now());
  }

  reset(): void {
    this.generation++;
    this.probes = [];
    this.reopenings = 0;
    this.window.reset();
    this.transition('closed', 'reset', this.clock.now());
  }

  toJSON(): BreakerSnapshot {
    return {
      version: 1,
      state: this.state,
      halfOpenAt: this.halfOpenAt,
      reopenings: this.reopenings,
      window: this.window.snapshot(),
    };
  }

  private readonly onClosedSuccess = <T>(value: T): T => {
    this.recordClosedSuccess(0);
    return value;
  };

  private readonly onClosedFailure = (error: unknown): never => {
    this.recordClosedFailure(error, neverAbortedSignal);
    throw error;
  };

  private recordClosedSuccess(startedAt: number): void {
    if (this.current !== 'closed') return;
    if (!this.needsTime) {
      this.window.record(false, 0);
      return;
    }
    const now = this.clock.now();
    const slow = this.slowCallMs !== undefined && now - startedAt >= this.slowCallMs;
    if (slow && this.failed.hasListeners) this.failed.emit({ error: undefined, slow });
    if (this.window.record(slow, now)) this.open('failure-threshold', now);
  }

  private recordClosedFailure(error: unknown, signal: AbortSignal): void {
    // An abort by the caller, or an error that says nothing about the dependency, is no failure.
    if (this.current !== 'closed' || signal.aborted) return;
    const counted = this.isFailure(error);
    if (counted && this.failed.hasListeners) this.failed.emit({ error, slow: false });
    const now = this.window.usesTime ? this.clock.now() : 0;
    if (this.window.record(counted, now)) this.open('failure-threshold', this.clock.now());
  }

  private executeNotClosed<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal): Promise<T> {
    const now = this.clock.now();
    this.applyDueTransitions(now);
    if (this.current === 'closed') return this.execute(fn, signal);
    if (this.current === 'half-open' && this.probes.length < this.halfOpenMaxCalls) {
      return this.runProbe(fn, signal, now);
    }
    const retryAfterMs = this.retryAfter(now);
    if (this.rejected.hasListeners) this.rejected.emit({ retryAfterMs });
    return Promise.reject(new BrokenCircuitError(retryAfterMs));
  }

  private async runProbe<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal, now: number): Promise<T> {
    const probe: Probe = { generation: this.generation, startedAt: now };
    this.probes.push(probe);
    try {
      const value = await fn(signal === neverAbortedSignal ? neverAbortedContext : { signal });
      if (this.isCurrent(probe)) {
        const at = this.clock.now();
        if (this.slowCallMs !== undefined && at - now >= this.slowCallMs) this.open('probe-failed', at);
        else if (++this.probeSuccesses >= this.halfOpenMaxCalls) this.close('probe-succeeded', at);
        else this.release(probe);
      }
      return value;
    } catch (error) {
      if (this.isCurrent(probe)) {
        if (!signal.aborted && this.isFailure(error)) this.open('probe-failed', this.clock.now());
        else this.release(probe);
      }
      throw error;
    }
  }

  private isCurrent(probe: Probe): boolean {
    return probe.generation === this.generation && this.current === 'half-open';
  }

  private release(probe: Probe): void {
    this.probes = this.probes.filter((candidate) => candidate !== probe);
  }

  private applyDueTransitions(now: number): void {
    if (this.current === 'open' && now >= this.halfOpenAt) {
      this.generation++;
      this.probes = [];
      this.probeSuccesses = 0;
      this.transition('half-open', 'half-open-after', now);
    } else if (this.current === 'half-open') {
      const oldest = this.probes[0];
      if (oldest !== undefined && now - oldest.startedAt >= this.halfOpenDeadlineMs) this.open('probe-deadline', now);
    }
  }

  private retryAfter(now: number): number {
    if (this.current === 'open') return Math.max(0, this.halfOpenAt - now);
    if (this.current === 'half-open') {
      const oldest = this.probes[0];
      return oldest === undefined ? 0 : Math.max(0, oldest.startedAt + this.halfOpenDeadlineMs - now);
    }
    return this.lastOpenDelayMs; // isolated: no schedule; suggest the last open period
  }

  private open(reason: TransitionReason, now: number): void {
    if (this.current === 'half-open') this.reopenings++;
    const delayMs = Math.max(0, this.halfOpenAfter.delayMs(this.reopenings + 1, this.lastOpenDelayMs, this.random));
    this.lastOpenDelayMs = delayMs;
    this.halfOpenAt = now + delayMs;
    this.generation++;
    this.probes = [];
    this.window.reset();
    this.transition('open', reason, now);
  }

  private close(reason: TransitionReason, now: number): void {
    this.generation++;
    this.probes = [];
    this.reopenings = 0;
    this.lastOpenDelayMs = 0;
    this.window.reset();
    this.transition('closed', reason, now);
  }

  private transition(to: BreakerState, reason: TransitionReason, at: number): void {
    const from = this.current;
    this.current = to;
    if (from !== to && this.changed.hasListeners) this.changed.emit({ from, to, reason, at });
  }
}

function constant(delayMs: number): Backoff {
  return { delayMs: () => delayMs };
}
