import { ERROR_CODES, type ErrorCode } from './error-codes.js';

/**
 * The base of every error homeostat throws. Each carries a stable `code` from the registry
 * (error-codes.ts, rendered as docs/errors.md) and says whether retrying may help: the
 * registry's default for the code unless the thrower knows better.
 *
 * Guards check the `code` field rather than `instanceof`, so errors that crossed a
 * process boundary (deserialised from the store) or come from a second copy of the
 * package are still recognised.
 *
 * This folder is a leaf: it imports nothing from outside it, so every other folder — `resilience/`
 * included — may use it.
 *
 * @example
 * throw new HomeostatError('HS_PAYLOAD_TOO_LARGE', 'step "fetch" returned 3 MiB', { retryable: false });
 * @example
 * if (isHomeostatError(error, 'HS_TIMEOUT')) retryLater();
 */
export class HomeostatError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
  }
}

/** An error shape with a stable code: ours, or one rebuilt from a stored record. */
export interface CodedError {
  code: string;
  message: string;
  retryable?: boolean;
}

/**
 * True when `error` carries a homeostat code (and, if given, this exact code).
 * @example isHomeostatError(err, 'HS_CANCELLED')
 */
export function isHomeostatError<Code extends ErrorCode>(error: unknown, code: Code): error is CodedError & Error & { code: Code };
export function isHomeostatError(error: unknown): error is CodedError & Error;
export function isHomeostatError(error: unknown, code?: ErrorCode): error is CodedError & Error {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown };
  if (typeof candidate.code !== 'string' || !candidate.code.startsWith('HS_')) return false;
  return code === undefined || candidate.code === code;
}
