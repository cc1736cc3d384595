import { HomeostatError } from '../errors/homeostat-error.js';

/**
 * The error to reject with when `signal` aborts: its own reason when that is an
 * Error (so a caller's typed reason travels through), otherwise a typed
 * `HS_ABORTED`.
 */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new HomeostatError('HS_ABORTED', 'the operation was aborted', { retryable: false, cause: reason });
}

/** Throws the abort reason when `signal` has already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}
