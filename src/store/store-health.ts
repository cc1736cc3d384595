/**
 * What is wrong with the store, if anything:
 * - `full`: writes fail for lack of disk space (reads work; clears on the next successful write);
 * - `lost`: its file was deleted or replaced under the running process (permanent);
 * - `corrupt`: SQLite found a damaged page (permanent);
 * - `io`: a disk I/O error (clears on the next successful write).
 */
export type StoreFault = 'full' | 'lost' | 'corrupt' | 'io';

export interface StoreHealthChange {
  /** undefined: healthy again. */
  fault: StoreFault | undefined;
  previous: StoreFault | undefined;
  /** The error that caused it (absent on recovery). */
  error?: Error;
}

/**
 * The store's health as its calls see it, for whoever must say so loudly (metrics,
 * logs, the console): the current fault, failed calls counted by error code, and a
 * listener told at each change (into a fault, between faults, back to healthy).
 * A full disk or an I/O error clears after writes succeed for `healthyAfterMs`;
 * a lost or corrupt store stays so.
 *
 * @example store.health?.onChange(({ fault }) => console.error(fault ? `store ${fault}` : 'store healthy again'));
 * @example health.noteFailure('full', error); health.fault // 'full'
 */
export class StoreHealth {
  fault: StoreFault | undefined;
  lastError: Error | undefined;
  /** Failed calls by error code (`HS_STORE_FULL`, …) since the store opened. */
  readonly failures = new Map<string, number>();
  private readonly listeners = new Set<(change: StoreHealthChange) => void>();
  private lastFailureAt = 0;

  /**
   * @param healthyAfterMs a full disk or an I/O error is over only once writes have gone
   *   through for this long with none failing: on a nearly full disk some writes fit
   *   (SQLite reuses WAL frames) while others do not, and the fault must not flap.
   */
  constructor(private readonly healthyAfterMs = 5_000) {}

  onChange(listener: (change: StoreHealthChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  noteFailure(fault: StoreFault, error: Error & { code?: string }): void {
    this.failures.set(error.code ?? 'unknown', (this.failures.get(error.code ?? 'unknown') ?? 0) + 1);
    this.lastError = error;
    this.lastFailureAt = Date.now();
    // A permanent fault is not replaced by a passing one.
    if (this.fault === fault || this.fault === 'lost' || this.fault === 'corrupt') return;
    this.change(fault, error);
  }

  /** A write went through: a full disk or an I/O error is over if none failed for a while. */
  noteWriteOk(): void {
    if ((this.fault === 'full' || this.fault === 'io') && Date.now() - this.lastFailureAt >= this.healthyAfterMs) this.change(undefined);
  }

  private change(fault: StoreFault | undefined, error?: Error): void {
    const previous = this.fault;
    this.fault = fault;
    if (fault === undefined) this.lastError = undefined;
    for (const listener of this.listeners) {
      try {
        listener({ fault, previous, ...(error ? { error } : {}) });
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
