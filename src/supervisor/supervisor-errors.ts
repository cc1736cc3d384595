import { HomeostatError } from '../errors/homeostat-error.js';

/** An operation named a service the supervisor does not run (or an external one). */
export class UnknownServiceError extends HomeostatError {
  constructor(service: string, known: string[]) {
    super('HS_UNKNOWN_SERVICE', `no supervised service "${service}"; supervised: ${known.join(', ') || 'none'}`, { retryable: false });
  }
}

/** A replica count that is not a non-negative integer. */
export class InvalidReplicasError extends HomeostatError {
  constructor(service: string, replicas: number) {
    super('HS_INVALID_REPLICAS', `service "${service}": replicas must be a non-negative integer, got ${replicas}`, { retryable: false });
  }
}

/**
 * The protection against orphans is weaker than it should be: the reaper could not start
 * or exited, or the process ledger could not be written (a full disk). Supervision goes on;
 * reported as a warning, never thrown at the caller.
 */
export class OrphanGuardError extends HomeostatError {
  constructor(message: string, cause?: unknown) {
    super('HS_ORPHAN_GUARD_DEGRADED', message, { retryable: true, ...(cause === undefined ? {} : { cause }) });
  }
}
