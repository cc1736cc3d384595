import { HomeostatError } from '../errors/homeostat-error.js';

/** A mistake in how the command was called; exits with status 2 and the usage hint. */
export class UsageError extends HomeostatError {
  constructor(message: string) {
    super('HS_USAGE', message, { retryable: false });
  }
}
