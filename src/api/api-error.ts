import { ERROR_CODES, isErrorCode, type ErrorCode } from '../errors/error-codes.js';
import { HomeostatError, isHomeostatError } from '../errors/homeostat-error.js';

/**
 * A request the API refuses: `HS_API_UNAUTHORIZED`, `HS_API_FORBIDDEN`, … answered with the
 * registry's HTTP status for the code, or `statusCode` when a route answers it differently.
 */
export class ApiError extends HomeostatError {
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, statusCode: number = ERROR_CODES[code].httpStatus) {
    super(code, message, { retryable: false });
    this.statusCode = statusCode;
  }
}

/** The body of every error response. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** What fastify's own 4xx refusals (bad JSON, body too large, schema validation) are answered as. */
function codeOfFastifyStatus(status: number): ErrorCode {
  if (status === 413) return 'HS_API_BODY_TOO_LARGE';
  if (status === 415) return 'HS_API_UNSUPPORTED_MEDIA_TYPE';
  return 'HS_API_INVALID_REQUEST';
}

/**
 * The HTTP status for an error: an {@link ApiError}'s own; fastify's 4xx as they are;
 * homeostat codes by the registry (error-codes.ts); anything else, and codes the registry
 * answers with 500, as `HS_API_INTERNAL` without details (the server log has them).
 */
export function statusOf(error: unknown): { status: number; code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError) return { status: error.statusCode, code: error.code, message };
  const fastify = error as { statusCode?: unknown; code?: unknown; validation?: unknown };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500 && !isHomeostatError(error)) {
    return { status: fastify.statusCode, code: codeOfFastifyStatus(fastify.statusCode), message };
  }
  if (isHomeostatError(error)) {
    const code = error.code;
    // A code from a store record or another version may be unknown here: not the caller's fault.
    const status = isErrorCode(code) ? ERROR_CODES[code].httpStatus : 500;
    return status === 500 ? { status, code: 'HS_API_INTERNAL', message: `internal error (${code}); see the server log` } : { status, code, message };
  }
  return { status: 500, code: 'HS_API_INTERNAL', message: 'internal error; see the server log' };
}
