export interface CrashLoopOptions {
  /** This many restarts within `windowMs` is a crash loop. */
  restarts: number;
  windowMs: number;
  /** While looping, restarts are at least this far apart. */
  retryEveryMs: number;
}

/**
 * Counts restarts in a sliding window. Past the threshold the element is
 * crash-looping: restarts continue, but no closer than `retryEveryMs` — it never stops
 * silently, as PM2's `max_restarts` and systemd's `StartLimitBurst` do. Only a stable run
 * (see {@link CrashLoopDetector.markStable}) clears it.
 *
 * @example
 * const loop = new CrashLoopDetector({ restarts: 5, windowMs: 60_000, retryEveryMs: 30_000 });
 * loop.recordRestart(now); // { entered: false, looping: false } for the first four
 * @example
 * loop.markStable(); // true when it was looping: raise crash-loop-cleared
 */
export class CrashLoopDetector {
  private restartTimes: number[] = [];
  private isLooping = false;

  constructor(private readonly options: CrashLoopOptions) {}

  get looping(): boolean {
    return this.isLooping;
  }

  /** Restarts counted in the window ending at `now`. */
  countInWindow(now: number): number {
    this.restartTimes = this.restartTimes.filter((at) => at > now - this.options.windowMs);
    return this.restartTimes.length;
  }

  /** Record a restart at `now`; `entered` is true when this one started the loop. */
  recordRestart(now: number): { entered: boolean; looping: boolean; inWindow: number } {
    this.restartTimes.push(now);
    const inWindow = this.countInWindow(now);
    const entered = !this.isLooping && inWindow >= this.options.restarts;
    if (entered) this.isLooping = true;
    return { entered, looping: this.isLooping, inWindow };
  }

  /** The delay to use while looping: the policy's, but at least `retryEveryMs`. */
  delayFor(policyDelayMs: number): number {
    return this.isLooping ? Math.max(policyDelayMs, this.options.retryEveryMs) : policyDelayMs;
  }

  /** The instance stayed up long enough; returns true if this ends a crash loop. */
  markStable(): boolean {
    this.restartTimes = [];
    const was = this.isLooping;
    this.isLooping = false;
    return was;
  }
}
