import type { Logger } from '../../telemetry/logger.js';

/**
 * A warning said at most once per `everyMs` (default 10 s), whichever of its callers says
 * it: a store that fails fails for all of them, and its retries every 200 ms must not
 * flood the log.
 */
export function throttledWarning(logger: Pick<Logger, 'warn'>, options: { everyMs?: number; now?: () => number } = {}): (error: unknown, message: string) => void {
  const everyMs = options.everyMs ?? 10_000;
  const now = options.now ?? Date.now;
  let last = 0;
  return (error, message) => {
    if (now() - last < everyMs) return;
    last = now();
    logger.warn({ err: error }, message);
  };
}
