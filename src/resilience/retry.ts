import { abortReason } from './abort.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Random } from './random.js';
import { decorrelatedJitterBackoff, toBackoff, type Backoff, type BackoffFunction } from './backoff.js';
import { requireNumber } from './errors.js';
import { EventEmitter, type Subscribe } from './events.js';
import { neverAbortedSignal, type Policy } from './policy.js';

/** What a retried function receives. */
export interface RetryContext {
  readonly signal: AbortSignal;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Total attempts, the first included (default 3; `Infinity` allowed with `maxElapsedMs`). */
  maxAttempts?: number;
  /** No retry starts once this much time has passed since the first attempt. */
  maxElapsedMs?: number;
  /** Delays between attempts (default: decorrelated jitter, 100 ms initial, 30 s max). */
  backoff?: Backoff | BackoffFunction;
  /** Which failures are worth another attempt (default {@link isRetryable}). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Cap for a retry-after carried by the error (default 60 000 ms). */
  maxRetryAfterMs?: number;
  clock?: Clock;
  random?: Random;
}

/** Emitted before each backoff sleep. */
export interface RetryEvent {
  /** The attempt that failed. */
  readonly attempt: number;
  readonly error: unknown;
  readonly delayMs: number;
}

/** Emitted when the policy stops retrying and rethrows. */
export interface GiveUpEvent {
  readonly attempts: number;
  readonly error: unknown;
  readonly reason: 'not-retryable' | 'max-attempts' | 'max-elapsed' | 'aborted';
}

/**
 * A retry policy; see {@link retry}.
 *
 * @example
 * const data = await retry().execute(({ attempt }) => fetchJson(url, attempt));
 * @example
 * retry().onGiveUp(({ error, attempts }) => log.warn({ attempts }, String(error)));
 */
export interface RetryPolicy extends Policy<RetryContext> {
  execute<T>(fn: (context: RetryContext) => Promise<T> | T, signal?: AbortSignal): Promise<T>;
  /** Before each backoff sleep. */
  readonly onRetry: Subscribe<RetryEvent>;
  /** When the last error is rethrown. */
  readonly onGiveUp: Subscribe<GiveUpEvent>;
}

/**
 * Runs a function again when it fails, waiting a backoff between attempts.
 * Gives up after `maxAttempts` attempts or `maxElapsedMs`, at the first error
 * `shouldRetry` rejects, or when the caller's signal aborts; then it rethrows the
 * **last error itself**. A retry-after carried by the error (`retryAfterMs`,
 * e.g. from an HTTP 429) lengthens the wait, capped at `maxRetryAfterMs`.
 *
 * @example
 * const policy = retry({ maxAttempts: 5, backoff: exponentialBackoff({ initialDelayMs: 200 }) });
 * const user = await policy.execute(({ signal }) => api.getUser(id, { signal }));
 * @example
 * // a TerminalError (retryable: false) stops at once and is rethrown as is
 * await retry().execute(() => { throw new TerminalError('invalid id'); }); // rejects, 1 attempt
 */
export function retry(options: RetryOptions = {}): RetryPolicy {
  return new RetryPolicyImpl(options);
}

/**
 * The default retry predicate: false when the error says `retryable: false`
 * (a {@link TerminalError}, an abort), else true.
 *
 * @example isRetryable(new Error('ECONNRESET')) // true
 * @example isRetryable(new TerminalError('bad input')) // false
 */
export function isRetryable(error: unknown): boolean {
  return !(typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false);
}

/**
 * The retry-after an error carries as a numeric `retryAfterMs` property, if any.
 *
 * @example retryAfterMs(Object.assign(new Error('429'), { retryAfterMs: 2000 })) // 2000
 * @example retryAfterMs(new Error('boom')) // undefined
 */
export function retryAfterMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Milliseconds to wait from an HTTP `Retry-After` header: delay-seconds or an
 * HTTP-date (a past date gives 0). Undefined when the value is neither.
 *
 * @example parseRetryAfter('120', Date.now()) // 120_000
 * @example parseRetryAfter('soon', Date.now()) // undefined
 */
export function parseRetryAfter(headerValue: string, nowMs: number): number | undefined {
  const text = headerValue.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

class RetryPolicyImpl implements RetryPolicy {
  private readonly maxAttempts: number;
  private readonly maxElapsedMs: number | undefined;
  private readonly backoff: Backoff;
  private readonly shouldRetry: (error: unknown, attempt: number) => boolean;
  private readonly maxRetryAfterMs: number;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly retried = new EventEmitter<RetryEvent>();
  private readonly gaveUp = new EventEmitter<GiveUpEvent>();
  readonly onRetry = this.retried.subscribe;
  readonly onGiveUp = this.gaveUp.subscribe;

  constructor(options: RetryOptions) {
    this.maxAttempts = requireNumber('maxAttempts', options.maxAttempts ?? 3, 1, true);
    this.maxElapsedMs =
      options.maxElapsedMs === undefined ? undefined : requireNumber('maxElapsedMs', options.maxElapsedMs, 0, true);
    this.backoff = toBackoff(options.backoff ?? decorrelatedJitterBackoff());
    this.shouldRetry = options.shouldRetry ?? isRetryable;
    this.maxRetryAfterMs = requireNumber('maxRetryAfterMs', options.maxRetryAfterMs ?? 60_000, 0, true);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  async execute<T>(fn: (context: RetryContext) => Promise<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    const startedAt = this.maxElapsedMs === undefined ? 0 : this.clock.now();
    let previousDelayMs = 0;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw abortReason(signal);
      try {
        return await fn({ signal, attempt });
      } catch (error) {
        const delayMs = this.nextDelay(error, attempt, previousDelayMs, startedAt, signal);
        if (delayMs === undefined) throw error;
        previousDelayMs = delayMs;
        // an abort here rejects with the abort reason, promptly
        await this.clock.sleep(delayMs, signal);
      }
    }
  }

  /** The wait before the next attempt, or undefined to give up (after emitting why). */
  private nextDelay(
    error: unknown,
    attempt: number,
    previousDelayMs: number,
    startedAt: number,
    signal: AbortSignal,
  ): number | undefined {
    let reason: GiveUpEvent['reason'] | undefined;
    let delayMs = 0;
    if (signal.aborted) reason = 'aborted';
    else if (!this.shouldRetry(error, attempt)) reason = 'not-retryable';
    else if (attempt >= this.maxAttempts) reason = 'max-attempts';
    else {
      delayMs = Math.max(0, this.backoff.delayMs(attempt, previousDelayMs, this.random));
      const carried = retryAfterMs(error);
      if (carried !== undefined) delayMs = Math.max(delayMs, Math.min(carried, this.maxRetryAfterMs));
      if (this.maxElapsedMs !== undefined && this.clock.now() + delayMs - startedAt > this.maxElapsedMs) {
        reason = 'max-elapsed';
      }
    }
    if (reason !== undefined) {
      if (this.gaveUp.hasListeners) this.gaveUp.emit({ attempts: attempt, error, reason });
      return undefined;
    }
    if (this.retried.hasListeners) this.retried.emit({ attempt, error, delayMs });
    return delayMs;
  }
}
