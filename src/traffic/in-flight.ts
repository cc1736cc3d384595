/**
 * Requests (or, in `tcp`, connections) in flight per replica instance, across every front
 * door: what least-requests balances on and what a drain waits for.
 *
 * @example const done = inFlight.begin('api#0'); … done(); // done() twice counts once
 * @example await inFlight.drained('api#0', 10_000) // true once api#0 has nothing in flight
 */
export class InFlight {
  private readonly counts = new Map<string, number>();
  private readonly idle = new Map<string, (() => void)[]>();

  of(instance: string): number {
    return this.counts.get(instance) ?? 0;
  }

  /** Every instance with something in flight, and how much. */
  entries(): [string, number][] {
    return [...this.counts];
  }

  /** One more in flight on `instance`; the function returned ends it (once, however often called). */
  begin(instance: string): () => void {
    this.counts.set(instance, this.of(instance) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = this.of(instance) - 1;
      if (left > 0) {
        this.counts.set(instance, left);
        return;
      }
      this.counts.delete(instance);
      for (const wake of this.idle.get(instance)?.splice(0) ?? []) wake();
    };
  }

  /**
   * Resolves true once `instance` has nothing in flight, false when `timeoutMs` passed first.
   * The caller has already stopped routing to it, so the count only goes down.
   */
  drained(instance: string, timeoutMs: number): Promise<boolean> {
    if (this.of(instance) === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.idle.get(instance) ?? [];
      this.idle.set(instance, waiters);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const at = waiters.indexOf(wake);
        if (at >= 0) waiters.splice(at, 1);
        resolve(false);
      }, timeoutMs);
      waiters.push(wake);
    });
  }
}
