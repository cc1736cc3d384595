import { HomeostatError } from '../errors/homeostat-error.js';

/**
 * Thrown by user code to say "retrying cannot help": retry policies and the
 * workflow engine stop at once and surface this error (code `HS_TERMINAL`,
 * `retryable: false`).
 *
 * @example
 * if (response.status === 404) throw new TerminalError(`no order ${id}`);
 * @example
 * // a retry policy gives up at the first TerminalError
 * await retry({ maxAttempts: 5 }).execute(() => { throw new TerminalError('bad input'); });
 * // → rejects after one attempt with that TerminalError
 */
export class TerminalError extends HomeostatError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('HS_TERMINAL', message, { retryable: false, cause: options.cause });
  }
}
