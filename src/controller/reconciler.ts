/** What a reconcile asks for next: nothing, or another look after `requeueAfter` ms. */
export interface ReconcileResult {
  requeueAfter?: number;
}

/**
 * The level-based reconciler (controller-runtime's `Reconciler`): given only a key, it
 * re-reads the current state for that key and acts on it — never on an event's
 * contents, so a missed or duplicated event cannot mislead it. A thrown error requeues
 * the key with backoff; a terminal one (`retryable: false`, e.g. `TerminalError`) stops
 * and is reported.
 *
 * @example
 * const reconciler: Reconciler = { reconcile: async (key) => (await healthy(key)) ? {} : { requeueAfter: 1_000 } };
 * @example
 * reconcilerFromFunction(async () => { throw new TerminalError('unknown service'); }); // reported, not retried
 */
export interface Reconciler {
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;
}

/** A plain function as a {@link Reconciler}. */
export function reconcilerFromFunction(fn: (key: string, signal: AbortSignal) => Promise<ReconcileResult | void>): Reconciler {
  return { reconcile: fn };
}
