import { abortReason } from './abort.js';

/**
 * A pending callback from {@link Clock.setTimer}. `unref()` lets the process
 * exit while the timer is pending (a policy's shared timer when no call is in
 * flight); `ref()` undoes that.
 */
export interface Timer {
  cancel(): void;
  ref(): void;
  unref(): void;
}

/**
 * Time as every timing component sees it. Injected so that tests can drive time
 * by hand (see `ManualClock` in `homeostat/testing`) instead of sleeping.
 *
 * @example
 * await clock.sleep(1000, signal); // one second, or until `signal` aborts
 * @example
 * await clock.sleep(1000, AbortSignal.abort()); // rejects at once with the abort reason
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Optional: calls `callback` after `ms`. Policies that share one timer among
   * many calls (timeout, bulkhead queue) use it; without it they fall back to
   * `sleep` and cannot unref.
   */
  setTimer?(ms: number, callback: () => void): Timer;
}

/**
 * The real clock: `Date.now()` and `setTimeout`.
 *
 * @example
 * retry({ clock: systemClock }); // the default everywhere
 * @example
 * await systemClock.sleep(10_000, AbortSignal.timeout(5)); // rejects after 5 ms with the TimeoutError reason
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (ms <= 0 && !signal) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      // setTimeout fires at once for delays past 2^31-1 ms (~24.8 days); cap rather than wake early.
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.min(Math.max(0, ms), 2 ** 31 - 1));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  setTimer(ms: number, callback: () => void): Timer {
    const handle = setTimeout(callback, Math.max(0, ms));
    return {
      cancel: () => clearTimeout(handle),
      ref: () => void handle.ref(),
      unref: () => void handle.unref(),
    };
  },
};

/**
 * A timer on any clock: its own `setTimer` when it has one, else an abortable `sleep` (internal).
 */
export function startTimer(clock: Clock, ms: number, callback: () => void): Timer {
  if (clock.setTimer) return clock.setTimer(ms, callback);
  const controller = new AbortController();
  clock.sleep(ms, controller.signal).then(callback, () => undefined);
  return { cancel: () => controller.abort(), ref: () => undefined, unref: () => undefined };
}
