/** What every policy hands to the function it runs. */
export interface PolicyContext {
  /** Aborts when the caller aborts or the policy gives up on this call (a timeout, a lost hedge race). */
  readonly signal: AbortSignal;
}

/**
 * The one shape every resilience policy has, so that any of them — and any
 * object of the user's with this method — composes with {@link pipeline}.
 *
 * @example
 * const result = await policy.execute(({ signal }) => fetch(url, { signal }));
 * @example
 * // the caller's signal cancels the whole execution
 * const controller = new AbortController();
 * const pending = policy.execute(work, controller.signal);
 * controller.abort(); // pending rejects with the abort reason
 */
export interface Policy<C extends PolicyContext = PolicyContext> {
  execute<T>(fn: (context: C) => Promise<T> | T, signal?: AbortSignal): Promise<T>;
}

/**
 * A signal that never aborts, shared by every call made without a signal so
 * that the hot path allocates no AbortController. Useful to a user's own
 * {@link Policy} for the same reason.
 *
 * @example
 * execute(fn, signal = neverAbortedSignal) { return Promise.resolve(fn({ signal })); }
 * @example
 * neverAbortedSignal.aborted; // always false — never abort it (there is no controller to do so)
 */
export const neverAbortedSignal: AbortSignal = new AbortController().signal;

/** The context handed to callees when the caller passed no signal: shared, frozen, allocation-free (internal). */
export const neverAbortedContext: PolicyContext = Object.freeze({ signal: neverAbortedSignal });

/** `value` is a promise or another thenable (internal). */
export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
