import { systemClock, type Clock } from '../resilience/clock.js';

/**
 * Wait until `isHealthy()` has held for `healthyForMs` without a break, or `timeoutMs`
 * passes. Polls every `pollMs` (default 100 ms).
 * @example await verifyHealthy(() => control.isHealthy('api'), { healthyForMs: 2_000, timeoutMs: 30_000 }) // { ok: true, … }
 * @example await verifyHealthy(() => false, { healthyForMs: 1, timeoutMs: 500 }) // { ok: false, detail: 'not healthy for 1 ms within 500 ms' }
 */
export async function verifyHealthy(
  isHealthy: () => boolean,
  options: { healthyForMs: number; timeoutMs: number; pollMs?: number; clock?: Clock; signal?: AbortSignal },
): Promise<{ ok: boolean; detail: string; tookMs: number }> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  let healthySince: number | undefined;
  for (;;) {
    const now = clock.now();
    if (isHealthy()) {
      healthySince ??= now;
      if (now - healthySince >= options.healthyForMs) return { ok: true, detail: `healthy for ${options.healthyForMs} ms`, tookMs: now - started };
    } else {
      healthySince = undefined;
    }
    if (now - started >= options.timeoutMs) return { ok: false, detail: `not healthy for ${options.healthyForMs} ms within ${options.timeoutMs} ms`, tookMs: now - started };
    await clock.sleep(options.pollMs ?? 100, options.signal);
  }
}
