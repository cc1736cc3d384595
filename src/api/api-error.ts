import { HomeostatError, isHomeostatError } from '../errors/homeostat-error.js';

/** A request the API refuses, with its HTTP status: `HS_API_UNAUTHORIZED` (401), `HS_API_FORBIDDEN` (403), … */
export class ApiError extends HomeostatError {
  constructor(
    code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(code, message, { retryable: false });
  }
}

/** The store cannot serve the request now (unreachable, disk full, file lost or damaged): 503 with its own code, not an anonymous 500. */
const STORE_FAULTS = new Set(['HS_STORE_UNAVAILABLE', 'HS_STORE_FULL', 'HS_STORE_LOST', 'HS_STORE_CORRUPT', 'HS_STORE_IO']);

/** The body of every error response. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/**
 * The HTTP status for an error: an {@link ApiError}'s own; fastify's 4xx (bad JSON, body
 * too large, schema validation) as they are; homeostat codes by kind; anything else 500.
 */
export function statusOf(error: unknown): { status: number; code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError) return { status: error.statusCode, code: error.code, message };
  const fastify = error as { statusCode?: unknown; code?: unknown; validation?: unknown };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500 && !isHomeostatError(error)) {
    const code = fastify.statusCode === 413 ? 'HS_API_BODY_TOO_LARGE' : fastify.statusCode === 415 ? 'HS_API_UNSUPPORTED_MEDIA_TYPE' : 'HS_API_INVALID_REQUEST';
    return { status: fastify.statusCode, code, message };
  }
  if (isHomeostatError(error)) {
    const code = error.code;
    const status =
      code === 'HS_INVALID_RUN_STATE' || code === 'HS_APPROVAL_DECIDED' || code === 'HS_INCIDENT_RESOLVED'
        ? 409
        : code === 'HS_INTERNAL_WORKFLOW'
          ? 403
        : code.endsWith('_NOT_FOUND') || code === 'HS_UNKNOWN_WORKFLOW'
          ? 404
          : code === 'HS_PAYLOAD_TOO_LARGE'
            ? 413
            : code.startsWith('HS_INVALID_') || code.startsWith('HS_CONFIG_') || code === 'HS_UNSERIALIZABLE' || code === 'HS_API_INVALID_REQUEST'
              ? 400
              : STORE_FAULTS.has(code)
                ? 503
                : 500;
    return status === 500 ? { status, code: 'HS_API_INTERNAL', message: `internal error (${code}); see the server log` } : { status, code, message };
  }
  return { status: 500, code: 'HS_API_INTERNAL', message: 'internal error; see the server log' };
}
