import { abortReason } from './abort.js';
import { systemClock, type Clock } from './clock.js';
import { RateLimitedError, requireNumber } from './errors.js';
import { EventEmitter, type Subscribe } from './events.js';
import { neverAbortedContext, neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

/** Options of {@link tokenBucket}. */
export interface TokenBucketOptions {
  /** Most tokens held: the largest burst. */
  capacity: number;
  /** Tokens added per second, continuously. */
  refillPerSecond: number;
  /** Tokens at start (default `capacity`). */
  initialTokens?: number;
  /** `execute` waits up to this long for a token before rejecting (default 0: reject at once). */
  maxWaitMs?: number;
  clock?: Clock;
}

/**
 * A token-bucket rate limiter; see {@link tokenBucket}.
 *
 * @example
 * if (limiter.tryAcquire()) send(); else drop();
 * @example
 * limiter.onRejected(({ retryAfterMs }) => log.debug({ retryAfterMs }, 'rate limited'));
 */
export interface TokenBucket extends Policy {
  /** Tokens available now (fractional). */
  readonly tokens: number;
  /** Takes `count` tokens if available. */
  tryAcquire(count?: number): boolean;
  /** Milliseconds until `count` tokens are available (0 when they are now). */
  retryAfterMs(count?: number): number;
  readonly onRejected: Subscribe<{ readonly retryAfterMs: number }>;
}

/**
 * Allows bursts of up to `capacity` calls and `refillPerSecond` calls per second
 * on average. `execute` takes a token or rejects with {@link RateLimitedError}
 * (`HS_RATE_LIMITED`, carrying `retryAfterMs`), after waiting up to `maxWaitMs`
 * for one (an abortable wait that reserves its token, so waiters are served in order).
 *
 * @example
 * const limiter = tokenBucket({ capacity: 10, refillPerSecond: 2 });
 * await limiter.execute(() => api.post(event));
 * @example
 * const strict = tokenBucket({ capacity: 1, refillPerSecond: 1 });
 * await strict.execute(send);
 * await strict.execute(send); // rejects: HS_RATE_LIMITED, next token in 1000 ms
 */
export function tokenBucket(options: TokenBucketOptions): TokenBucket {
  return new TokenBucketImpl(options);
}

class TokenBucketImpl implements TokenBucket {
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly maxWaitMs: number;
  private readonly clock: Clock;
  private available: number;
  private updatedAt: number;
  private readonly rejections = new EventEmitter<{ readonly retryAfterMs: number }>();
  readonly onRejected = this.rejections.subscribe;

  constructor(options: TokenBucketOptions) {
    this.capacity = requireNumber('capacity', options.capacity, 1);
    this.perMs = requireNumber('refillPerSecond', options.refillPerSecond, 0) / 1000;
    this.maxWaitMs = requireNumber('maxWaitMs', options.maxWaitMs ?? 0, 0, true);
    this.clock = options.clock ?? systemClock;
    this.available = Math.min(this.capacity, requireNumber('initialTokens', options.initialTokens ?? this.capacity, 0));
    this.updatedAt = this.clock.now();
  }

  get tokens(): number {
    this.refill();
    return this.available;
  }

  tryAcquire(count = 1): boolean {
    this.refill();
    if (this.available < count) return false;
    this.available -= count;
    return true;
  }

  retryAfterMs(count = 1): number {
    this.refill();
    const missing = count - this.available;
    if (missing <= 0) return 0;
    return this.perMs === 0 ? Infinity : missing / this.perMs;
  }

  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (signal.aborted) throw abortReason(signal);
    const context = signal === neverAbortedSignal ? neverAbortedContext : { signal };
    if (this.tryAcquire()) return fn(context);
    const waitMs = this.retryAfterMs();
    if (waitMs > this.maxWaitMs) {
      if (this.rejections.hasListeners) this.rejections.emit({ retryAfterMs: waitMs });
      throw new RateLimitedError(waitMs, `no token in a bucket of ${this.capacity}`);
    }
    this.available -= 1; // reserve: later callers queue behind this one
    try {
      await this.clock.sleep(waitMs, signal);
    } catch (error) {
      this.refill();
      this.available = Math.min(this.capacity, this.available + 1); // give the reservation back
      throw error;
    }
    return fn(context);
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.updatedAt) {
      this.available = Math.min(this.capacity, this.available + (now - this.updatedAt) * this.perMs);
      this.updatedAt = now;
    }
  }
}
