import type { Random } from './random.js';
import { requireNumber } from './errors.js';

/**
 * How long to wait before retry number `attempt` (1 = the wait after the first
 * failure). `previousDelayMs` is the last delay returned (0 at first), for
 * strategies that build on it.
 *
 * @example
 * const backoff: Backoff = { delayMs: (attempt) => attempt * 100 };
 * @example
 * // a plain function stands in too: retry({ backoff: (attempt) => 2 ** attempt * 10 })
 */
export interface Backoff {
  delayMs(attempt: number, previousDelayMs: number, random: Random): number;
}

/** The function form of a {@link Backoff}. */
export type BackoffFunction = (attempt: number, previousDelayMs: number, random: Random) => number;

/** Accepts a Backoff or a plain function and returns a Backoff. */
export function toBackoff(backoff: Backoff | BackoffFunction): Backoff {
  return typeof backoff === 'function' ? { delayMs: backoff } : backoff;
}

/**
 * The same delay every time.
 *
 * @example
 * retry({ backoff: constantBackoff(250) }); // 250 ms between attempts
 * @example
 * constantBackoff(-1); // throws HS_INVALID_POLICY_OPTIONS
 */
export function constantBackoff(delayMs: number): Backoff {
  requireNumber('delayMs', delayMs, 0);
  return { delayMs: () => delayMs };
}

/**
 * `initialDelayMs × factor^(attempt-1)`, capped at `maxDelayMs`, with optional
 * jitter: `'full'` picks uniformly in [0, d), `'equal'` in [d/2, d), `'none'`
 * (the default) uses d.
 *
 * @example
 * exponentialBackoff({ initialDelayMs: 1000, maxDelayMs: 60_000 }); // 1 s, 2 s, 4 s, … 60 s
 * @example
 * exponentialBackoff({ factor: 0.5 }); // throws HS_INVALID_POLICY_OPTIONS (factor must be ≥ 1)
 */
export function exponentialBackoff(
  options: { initialDelayMs?: number; maxDelayMs?: number; factor?: number; jitter?: 'full' | 'equal' | 'none' } = {},
): Backoff {
  const initial = requireNumber('initialDelayMs', options.initialDelayMs ?? 100, 0);
  const max = requireNumber('maxDelayMs', options.maxDelayMs ?? 30_000, initial);
  const factor = requireNumber('factor', options.factor ?? 2, 1);
  const jitter = options.jitter ?? 'none';
  return {
    delayMs(attempt, _previous, random) {
      const delay = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
      if (jitter === 'full') return random() * delay;
      if (jitter === 'equal') return delay / 2 + (random() * delay) / 2;
      return delay;
    },
  };
}

/**
 * "Decorrelated jitter" (AWS architecture blog): each delay is uniform in
 * [initial, 3 × previous], capped at `maxDelayMs`. Spreads retrying clients
 * apart while still growing; the default backoff of {@link retry}.
 *
 * @example
 * decorrelatedJitterBackoff({ initialDelayMs: 100, maxDelayMs: 30_000 });
 * @example
 * decorrelatedJitterBackoff({ initialDelayMs: 10, maxDelayMs: 5 }); // throws HS_INVALID_POLICY_OPTIONS
 */
export function decorrelatedJitterBackoff(options: { initialDelayMs?: number; maxDelayMs?: number } = {}): Backoff {
  const initial = requireNumber('initialDelayMs', options.initialDelayMs ?? 100, 0);
  const max = requireNumber('maxDelayMs', options.maxDelayMs ?? 30_000, initial);
  return {
    delayMs(_attempt, previousDelayMs, random) {
      const upper = Math.max(initial, previousDelayMs * 3);
      return Math.min(max, initial + random() * (upper - initial));
    },
  };
}
