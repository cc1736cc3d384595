import { abortReason } from './abort.js';
import { systemClock, type Clock } from './clock.js';
import { DeadlineQueue } from './deadline-queue.js';
import { requireNumber, TimeoutError } from './errors.js';
import { EventEmitter, type Subscribe } from './events.js';
import { isThenable, neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

/** Options of {@link timeout}. */
export interface TimeoutOptions {
  /**
   * `'cooperative'` (default): on expiry abort the callee's signal and wait for
   * it to settle. `'aggressive'`: abort it and reject at once, leaving the
   * callee running in the background.
   */
  strategy?: 'cooperative' | 'aggressive';
  clock?: Clock;
}

/** Emitted when a call's time runs out. */
export interface TimeoutEvent {
  readonly timeoutMs: number;
}

/**
 * A time limit; see {@link timeout}.
 *
 * @example
 * await timeout(2000).execute(({ signal }) => fetch(url, { signal }));
 * @example
 * timeout(2000).onTimeout(({ timeoutMs }) => metrics.count('timeouts', { timeoutMs }));
 */
export interface TimeoutPolicy extends Policy {
  readonly timeoutMs: number;
  readonly onTimeout: Subscribe<TimeoutEvent>;
}

/**
 * Limits how long a call may take. On expiry the callee's `signal` aborts with
 * a {@link TimeoutError} (`HS_TIMEOUT`, retryable) and the call rejects with
 * it: at once (`'aggressive'`), or once the callee settles (`'cooperative'`,
 * the default — a callee that still succeeds after the abort returns its
 * value). All calls of one policy share a single timer.
 *
 * @example
 * const body = await timeout(5000).execute(({ signal }) => fetch(url, { signal }).then((r) => r.text()));
 * @example
 * await timeout(10, { strategy: 'aggressive' }).execute(() => new Promise(() => {}));
 * // → rejects after 10 ms with HS_TIMEOUT "the operation timed out after 10 ms"
 */
export function timeout(ms: number, options: TimeoutOptions = {}): TimeoutPolicy {
  return new TimeoutPolicyImpl(requireNumber('timeout ms', ms, 0), options);
}

/** The callee's context; the AbortController behind `signal` is made only if someone reads it. */
class TimedContext implements PolicyContext {
  private controller: AbortController | undefined;
  private abortedWith: Error | undefined;
  private unlink: (() => void) | undefined;

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortedWith !== undefined) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  /** Forwards an abort of the caller's signal to the callee (and to `onAbort`). */
  link(parent: AbortSignal, onAbort: (reason: Error) => void = () => undefined): void {
    const forward = (): void => {
      const reason = abortReason(parent);
      this.abort(reason);
      onAbort(reason);
    };
    parent.addEventListener('abort', forward, { once: true });
    this.unlink = () => parent.removeEventListener('abort', forward);
  }

  abort(reason: Error): void {
    if (this.controller === undefined) this.abortedWith ??= reason;
    else this.controller.abort(reason);
  }

  dispose(): void {
    this.unlink?.();
  }
}

class TimeoutPolicyImpl implements TimeoutPolicy {
  private readonly aggressive: boolean;
  private readonly deadlines: DeadlineQueue;
  private readonly timedOut = new EventEmitter<TimeoutEvent>();
  readonly onTimeout = this.timedOut.subscribe;

  constructor(
    readonly timeoutMs: number,
    options: TimeoutOptions,
  ) {
    this.aggressive = options.strategy === 'aggressive';
    this.deadlines = new DeadlineQueue(options.clock ?? systemClock, timeoutMs);
  }

  execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    const context = new TimedContext();
    if (this.aggressive) return this.runAggressive(fn, context, signal);
    if (signal !== neverAbortedSignal) context.link(signal);
    return this.runCooperative(fn, context);
  }

  private async runCooperative<T>(fn: (context: PolicyContext) => Promise<T> | T, context: TimedContext): Promise<T> {
    let expired: TimeoutError | undefined;
    const entry = this.deadlines.add(() => {
      expired = this.expire();
      context.abort(expired);
    });
    try {
      return await fn(context);
    } catch (error) {
      throw expired === undefined || error === expired ? error : new TimeoutError(this.timeoutMs, { cause: error });
    } finally {
      this.deadlines.settle(entry);
      context.dispose();
    }
  }

  private runAggressive<T>(
    fn: (context: PolicyContext) => Promise<T> | T,
    context: TimedContext,
    signal: AbortSignal,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        this.deadlines.settle(entry);
        context.dispose();
      };
      const entry = this.deadlines.add(() => {
        const error = this.expire();
        context.abort(error);
        context.dispose();
        reject(error);
      });
      // aggressive means the caller's abort, too, stops the wait at once
      if (signal !== neverAbortedSignal) {
        context.link(signal, (reason) => {
          this.deadlines.settle(entry);
          reject(reason);
        });
      }
      try {
        const result = fn(context);
        if (!isThenable<T>(result)) {
          done();
          resolve(result);
          return;
        }
        result.then(
          (value) => {
            done();
            resolve(value);
          },
          (error: unknown) => {
            done();
            reject(error);
          },
        );
      } catch (error) {
        done();
        reject(error);
      }
    });
  }

  private expire(): TimeoutError {
    if (this.timedOut.hasListeners) this.timedOut.emit({ timeoutMs: this.timeoutMs });
    return new TimeoutError(this.timeoutMs);
  }
}
