import { HomeostatError } from '../errors/homeostat-error.js';

/**
 * A call ran past its time limit (code `HS_TIMEOUT`, retryable).
 *
 * @example
 * await timeout(500).execute(({ signal }) => fetch(url, { signal }));
 * @example
 * try { await timeout(500).execute(slow); } catch (e) { if (isHomeostatError(e, 'HS_TIMEOUT')) … }
 */
export class TimeoutError extends HomeostatError {
  /** The limit that was exceeded. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, options: { cause?: unknown } = {}) {
    super('HS_TIMEOUT', `the operation timed out after ${timeoutMs} ms`, { retryable: true, cause: options.cause });
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A circuit breaker refused the call because it is open (code
 * `HS_BROKEN_CIRCUIT`, retryable). `retryAfterMs` says when it will admit a
 * probe, so a surrounding retry waits that long instead of hammering it.
 *
 * @example
 * await breaker.execute(callBackend); // closed: runs
 * @example
 * catch (e) { if (isHomeostatError(e, 'HS_BROKEN_CIRCUIT')) serveFromCache(); }
 */
export class BrokenCircuitError extends HomeostatError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super('HS_BROKEN_CIRCUIT', `the circuit is open; it admits a probe call in ${Math.ceil(retryAfterMs)} ms`, {
      retryable: true,
    });
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A bulkhead had no free slot and no room (or no time) left in its queue (code
 * `HS_BULKHEAD_REJECTED`, retryable).
 *
 * @example
 * await bulkhead({ maxConcurrent: 4 }).execute(work);
 * @example
 * catch (e) { if (isHomeostatError(e, 'HS_BULKHEAD_REJECTED')) shedLoad(); }
 */
export class BulkheadRejectedError extends HomeostatError {
  /** `'full'`: slots and queue were full; `'queue-timeout'`: waited in the queue too long. */
  readonly reason: 'full' | 'queue-timeout';
  constructor(reason: 'full' | 'queue-timeout', detail: string) {
    super('HS_BULKHEAD_REJECTED', `the bulkhead rejected the call: ${detail}`, { retryable: true });
    this.reason = reason;
  }
}

/**
 * A rate limiter or action budget had no token left (code `HS_RATE_LIMITED`,
 * retryable); `retryAfterMs` says when one is due.
 *
 * @example
 * await tokenBucket({ capacity: 10, refillPerSecond: 5 }).execute(send);
 * @example
 * catch (e) { if (isHomeostatError(e, 'HS_RATE_LIMITED')) later(e.retryAfterMs); }
 */
export class RateLimitedError extends HomeostatError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, detail: string) {
    super('HS_RATE_LIMITED', `rate limited: ${detail}; next token in ${Math.ceil(retryAfterMs)} ms`, {
      retryable: true,
    });
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * An adaptive concurrency limit refused the call because the current limit is
 * reached (code `HS_CONCURRENCY_LIMITED`, retryable).
 *
 * @example
 * await limiter.execute(callBackend);
 * @example
 * catch (e) { if (isHomeostatError(e, 'HS_CONCURRENCY_LIMITED')) reply503(); }
 */
export class ConcurrencyLimitedError extends HomeostatError {
  readonly limit: number;
  constructor(limit: number) {
    super('HS_CONCURRENCY_LIMITED', `the adaptive concurrency limit (${limit} in flight) is reached`, {
      retryable: true,
    });
    this.limit = limit;
  }
}

/**
 * A policy was constructed with options that cannot work (code
 * `HS_INVALID_POLICY_OPTIONS`, not retryable): fix the code or config.
 *
 * @example
 * retry({ maxAttempts: 3 }); // fine
 * @example
 * retry({ maxAttempts: 0 }); // throws HS_INVALID_POLICY_OPTIONS
 */
export class InvalidPolicyOptionsError extends HomeostatError {
  constructor(message: string) {
    super('HS_INVALID_POLICY_OPTIONS', message, { retryable: false });
  }
}

/** Throws {@link InvalidPolicyOptionsError} unless `value` is a number ≥ `min` (Infinity allowed when `allowInfinity`). */
export function requireNumber(name: string, value: number, min: number, allowInfinity = false): number {
  const ok = typeof value === 'number' && !Number.isNaN(value) && value >= min && (allowInfinity || Number.isFinite(value));
  if (!ok) throw new InvalidPolicyOptionsError(`${name} must be a ${allowInfinity ? '' : 'finite '}number ≥ ${min}, got ${String(value)}`);
  return value;
}
