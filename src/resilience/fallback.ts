import { EventEmitter, type Subscribe } from './events.js';
import { neverAbortedContext, neverAbortedSignal, type PolicyContext } from './policy.js';

/** Options of {@link fallback}. */
export interface FallbackOptions {
  /** Which failures get the fallback (default: all but the caller's own abort). */
  shouldFallback?: (error: unknown) => boolean;
}

/**
 * A fallback; see {@link fallback}.
 *
 * @example
 * const price = await withCachedPrice.execute(() => pricing.current(sku));
 * @example
 * withCachedPrice.onFallback(({ error }) => log.warn({ error }, 'served the cached price'));
 */
export interface FallbackPolicy<R> {
  execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T | R>;
  readonly onFallback: Subscribe<{ readonly error: unknown }>;
}

/**
 * Replaces a failure with a value, or with the result of `handler(error)`.
 * A caller's abort is never replaced: it propagates.
 *
 * @example
 * const withDefault = fallback(() => ({ items: [] }));
 * const page = await withDefault.execute(() => catalogue.page(1)); // [] when the catalogue fails
 * @example
 * const onlyTimeouts = fallback('n/a', { shouldFallback: (e) => isHomeostatError(e, 'HS_TIMEOUT') });
 * await onlyTimeouts.execute(() => { throw new TerminalError('no'); }); // rejects: not a timeout
 */
export function fallback<R>(
  handler: R | ((error: unknown) => R | Promise<R>),
  options: FallbackOptions = {},
): FallbackPolicy<R> {
  const shouldFallback = options.shouldFallback ?? (() => true);
  const used = new EventEmitter<{ readonly error: unknown }>();
  return {
    async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal: AbortSignal = neverAbortedSignal) {
      try {
        return await fn(signal === neverAbortedSignal ? neverAbortedContext : { signal });
      } catch (error) {
        if (signal.aborted || !shouldFallback(error)) throw error;
        if (used.hasListeners) used.emit({ error });
        return typeof handler === 'function' ? await (handler as (error: unknown) => R | Promise<R>)(error) : handler;
      }
    },
    onFallback: used.subscribe,
  };
}
