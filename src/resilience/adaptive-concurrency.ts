import { systemClock, type Clock } from './clock.js';
import { ConcurrencyLimitedError, InvalidPolicyOptionsError, requireNumber } from './errors.js';
import { EventEmitter, type Subscribe } from './events.js';
import { neverAbortedContext, neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';
import { isRetryable } from './retry.js';

/** Options of {@link adaptiveConcurrency}. */
export interface AdaptiveConcurrencyOptions {
  /** A call slower than this is a sign of overload. */
  latencyThresholdMs: number;
  /** Starting limit (default 10). */
  initialLimit?: number;
  /** Floor of the limit (default 1). */
  minLimit?: number;
  /** Ceiling of the limit (default 1000). */
  maxLimit?: number;
  /** Multiplies the limit on overload (default 0.9). */
  decreaseFactor?: number;
  /** Which errors signal overload (default: retryable ones — a timeout, a 503 — but not a TerminalError). */
  isOverload?: (error: unknown) => boolean;
  clock?: Clock;
}

/**
 * An adaptive concurrency limit; see {@link adaptiveConcurrency}.
 *
 * @example
 * limiter.onLimitChange(({ limit }) => metrics.gauge('concurrency_limit', limit));
 * @example
 * if (limiter.inFlight >= limiter.limit) shedEarly();
 */
export interface AdaptiveConcurrency extends Policy {
  /** The current limit (whole calls). */
  readonly limit: number;
  readonly inFlight: number;
  readonly onLimitChange: Subscribe<{ readonly limit: number; readonly reason: 'increase' | 'overload' }>;
}

/**
 * AIMD concurrency control (as in TCP congestion control): each call that
 * finishes fast while the limit was in use raises the limit by `1/limit`
 * (about +1 per round of calls); a call slower than `latencyThresholdMs`, or an
 * overload error, multiplies it by `decreaseFactor`. Calls beyond the limit are
 * rejected at once with {@link ConcurrencyLimitedError} (`HS_CONCURRENCY_LIMITED`),
 * so as latency rises the system sheds load instead of queueing it.
 *
 * @example
 * const limiter = adaptiveConcurrency({ latencyThresholdMs: 250, initialLimit: 20 });
 * const reply = await limiter.execute(({ signal }) => backend.call(request, { signal }));
 * @example
 * // at the limit, the next call is refused without running
 * await limiter.execute(work); // rejects with HS_CONCURRENCY_LIMITED when `inFlight` ≥ `limit`
 */
export function adaptiveConcurrency(options: AdaptiveConcurrencyOptions): AdaptiveConcurrency {
  return new AimdLimiter(options);
}

class AimdLimiter implements AdaptiveConcurrency {
  private estimate: number;
  private running = 0;
  private readonly minLimit: number;
  private readonly maxLimit: number;
  private readonly decreaseFactor: number;
  private readonly latencyThresholdMs: number;
  private readonly isOverload: (error: unknown) => boolean;
  private readonly clock: Clock;
  private readonly changed = new EventEmitter<{ readonly limit: number; readonly reason: 'increase' | 'overload' }>();
  readonly onLimitChange = this.changed.subscribe;

  constructor(options: AdaptiveConcurrencyOptions) {
    this.latencyThresholdMs = requireNumber('latencyThresholdMs', options.latencyThresholdMs, 0);
    this.minLimit = requireNumber('minLimit', options.minLimit ?? 1, 1);
    this.maxLimit = requireNumber('maxLimit', options.maxLimit ?? 1000, this.minLimit);
    this.estimate = requireNumber('initialLimit', options.initialLimit ?? 10, this.minLimit);
    this.decreaseFactor = requireNumber('decreaseFactor', options.decreaseFactor ?? 0.9, 0);
    if (this.decreaseFactor >= 1) throw new InvalidPolicyOptionsError('decreaseFactor must be < 1');
    this.isOverload = options.isOverload ?? isRetryable;
    this.clock = options.clock ?? systemClock;
  }

  get limit(): number {
    return Math.floor(this.estimate);
  }

  get inFlight(): number {
    return this.running;
  }

  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (this.running >= this.limit) throw new ConcurrencyLimitedError(this.limit);
    const startedAt = this.clock.now();
    const inFlightAtStart = ++this.running;
    try {
      const value = await fn(signal === neverAbortedSignal ? neverAbortedContext : { signal });
      this.record(this.clock.now() - startedAt > this.latencyThresholdMs, inFlightAtStart);
      return value;
    } catch (error) {
      if (!signal.aborted) this.record(this.isOverload(error), inFlightAtStart);
      throw error;
    } finally {
      this.running--;
    }
  }

  private record(overloaded: boolean, inFlightAtStart: number): void {
    const before = this.limit;
    if (overloaded) this.estimate = Math.max(this.minLimit, this.estimate * this.decreaseFactor);
    // Grow only when the limit was actually used: an idle service says nothing about capacity.
    else if (inFlightAtStart * 2 >= before) this.estimate = Math.min(this.maxLimit, this.estimate + 1 / this.estimate);
    const after = this.limit;
    if (after !== before && this.changed.hasListeners) {
      this.changed.emit({ limit: after, reason: overloaded ? 'overload' : 'increase' });
    }
  }
}
