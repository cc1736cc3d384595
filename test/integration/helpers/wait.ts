/** Resolve after `ms` milliseconds (at once, on the next turn, when `ms` ≤ 0). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * Poll `check` until it returns a value other than `undefined`/`false`, or fail with
 * `message` (and the last value `describe` gives) once `timeoutMs` has passed.
 */
export async function waitUntil<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number; message: string; describe?: () => string | Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) {
      const detail = options.describe ? `: ${await options.describe()}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.message}${detail}`);
    }
    await delay(options.intervalMs ?? 25);
  }
}
