import type { IncomingHttpHeaders } from 'node:http';

/** Methods whose repetition has the effect of one request (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * Whether a request may be sent again after its replica failed mid-way: an idempotent
 * method, or any method the caller marked with an `Idempotency-Key` (the caller's promise
 * that the server de-duplicates it). A POST without one may have taken effect before the
 * connection broke: sending it twice could charge a card twice.
 */
export function isIdempotent(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  return IDEMPOTENT_METHODS.has((method ?? 'GET').toUpperCase()) || headers['idempotency-key'] !== undefined;
}

/**
 * Whether the upstream error means the request never reached the replica: the connection
 * was refused (its process just exited, or not yet listening). Such a request may go to
 * another replica whatever its method.
 */
export function neverDelivered(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ECONNREFUSED';
}
