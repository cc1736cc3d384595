import { abortReason } from '../resilience/abort.js';
import type { Clock, Timer } from '../resilience/clock.js';

interface Sleeper {
  readonly due: number;
  readonly sequence: number;
  fire(): void;
  active: boolean;
}

/**
 * A {@link Clock} that only moves when a test says so: `advance(ms)` fires every
 * sleep and timer that falls due, in due order, letting promise chains run
 * between them, so code that sleeps again after waking (retry loops) works in
 * a single `advance`.
 *
 * @example
 * const clock = new ManualClock();
 * const done = retry({ clock, backoff: constantBackoff(1000) }).execute(flaky);
 * await clock.advance(1000); // the retry's backoff elapses instantly
 * @example
 * const controller = new AbortController();
 * const slept = clock.sleep(5000, controller.signal);
 * controller.abort(); // `slept` rejects with the abort reason; pendingSleeps drops by one
 */
export class ManualClock implements Clock {
  private current: number;
  private sequence = 0;
  private sleepers: Sleeper[] = [];

  /** Starts at `startMs` (default 0, the epoch). */
  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Sleeps and timers that have not fired or been cancelled. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.remove(sleeper);
        reject(abortReason(signal!));
      };
      const sleeper = this.schedule(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  setTimer(ms: number, callback: () => void): Timer {
    const sleeper = this.schedule(ms, callback);
    return { cancel: () => this.remove(sleeper), ref: () => undefined, unref: () => undefined };
  }

  /**
   * Moves time forward by `ms`, firing due sleeps in order; after each one the
   * microtask queue drains, so follow-up sleeps that fall due are fired too.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    await flush();
    for (;;) {
      const next = this.sleepers[0];
      if (next === undefined || next.due > target) break;
      this.sleepers.shift();
      next.active = false;
      this.current = Math.max(this.current, next.due);
      next.fire();
      await flush();
    }
    this.current = target;
    await flush();
  }

  /** Sets the time without firing anything (e.g. to simulate a restored process). */
  set(nowMs: number): void {
    this.current = nowMs;
  }

  private schedule(ms: number, fire: () => void): Sleeper {
    const sleeper: Sleeper = { due: this.current + Math.max(0, ms), sequence: this.sequence++, fire, active: true };
    let index = this.sleepers.length;
    while (index > 0 && this.sleepers[index - 1]!.due > sleeper.due) index--;
    this.sleepers.splice(index, 0, sleeper);
    return sleeper;
  }

  private remove(sleeper: Sleeper): void {
    if (!sleeper.active) return;
    sleeper.active = false;
    const index = this.sleepers.indexOf(sleeper);
    if (index >= 0) this.sleepers.splice(index, 1);
  }
}

/** Resolves after every queued microtask (and those they queue) has run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
