import { HomeostatError } from '../errors/homeostat-error.js';
import type { ServiceSpawnProblem } from './config-spawnability.js';
import type { SpawnFailure } from './service-supervisor.js';

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
 * A reload could not start a new spec: `failed` lists the replicas that did not start; the
 * previous config was put back (`notRestored`: replicas whose previous spec did not start
 * either, left retrying with backoff). `problems`: the check before anything was stopped
 * failed instead, and nothing was touched.
 */
export class ReloadFailedError extends HomeostatError {
  constructor(
    readonly services: { changed: string[]; added: string[]; removed: string[] },
    readonly failed: SpawnFailure[],
    readonly notRestored: SpawnFailure[],
    readonly problems: ServiceSpawnProblem[] = [],
  ) {
    const reasons = problems.length > 0 ? problems.map((p) => p.message) : failed.map((f) => `${f.instance}: ${f.message}`);
    const after =
      problems.length > 0
        ? 'nothing was stopped'
        : notRestored.length > 0
          ? `the previous spec was put back but did not start either (${notRestored.map((f) => `${f.instance}: ${f.message}`).join('; ')}); retrying with backoff`
          : `the previous spec was put back and started (${[...services.changed, ...services.removed].join(', ') || 'no service to restart'}${services.added.length > 0 ? `; not added: ${services.added.join(', ')}` : ''})`;
    super('HS_RELOAD_FAILED', `the new config could not be started: ${reasons.join('; ')}; ${after}`, { retryable: false });
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
