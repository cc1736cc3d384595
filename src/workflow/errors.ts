import { HomeostatError } from '../errors/homeostat-error.js';
import type { SerializedError } from '../store/records.js';

/**
 * The workflow code no longer matches the run's recorded history (a step was renamed,
 * removed or reordered). The run is parked rather than re-executed blindly.
 */
export class DeterminismError extends HomeostatError {
  constructor(runId: string, seq: number, expected: string, found: string) {
    super(
      'HS_DETERMINISM',
      `run ${runId}: history entry #${seq} is ${expected}, but the workflow code now asks for ${found}; ` +
        'the run is parked — deploy code that matches its history, or redrive it from an earlier step',
      { retryable: false },
    );
  }
}

/** The run was cancelled; thrown inside the workflow at its next durable operation. */
export class CancelledError extends HomeostatError {
  constructor(runId: string) {
    super('HS_CANCELLED', `run ${runId} was cancelled`, { retryable: false });
  }
}

/** The whole run exceeded its per-workflow timeout. */
export class WorkflowTimeoutError extends HomeostatError {
  constructor(runId: string, timeoutMs: number) {
    super('HS_WORKFLOW_TIMEOUT', `run ${runId} exceeded its workflow timeout of ${timeoutMs} ms`, { retryable: false });
  }
}

/** A payload (input, step result, output, signal) is larger than the configured limit. */
export class PayloadTooLargeError extends HomeostatError {
  readonly bytes: number;
  readonly limit: number;
  constructor(what: string, bytes: number, limit: number) {
    super('HS_PAYLOAD_TOO_LARGE', `${what} is ${bytes} bytes, over the ${limit}-byte payload limit`, {
      retryable: false,
    });
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** A value cannot be stored as JSON (a function, a BigInt, a cycle). */
export class UnserializableError extends HomeostatError {
  constructor(what: string, cause: unknown) {
    super('HS_UNSERIALIZABLE', `${what} cannot be stored as JSON: ${(cause as Error)?.message ?? String(cause)}`, {
      retryable: false,
      cause,
    });
  }
}

/**
 * A step failed terminally (retries exhausted or a non-retryable error). The same
 * error is thrown on the first execution and on every replay, so workflow code that
 * catches it behaves identically both times.
 */
export class StepFailedError extends HomeostatError {
  readonly step: string;
  /** The code of the underlying error, if it had one (e.g. `HS_TIMEOUT`). */
  readonly causeCode: string | undefined;
  readonly causeName: string;
  readonly causeMessage: string;
  readonly attempts: number;
  constructor(step: string, cause: SerializedError, attempts: number) {
    super('HS_STEP_FAILED', `step "${step}" failed after ${attempts} attempt(s): ${cause.name}: ${cause.message}`, {
      retryable: false,
    });
    this.step = step;
    this.causeCode = cause.code;
    this.causeName = cause.name;
    this.causeMessage = cause.message;
    this.attempts = attempts;
  }
}

/** A child workflow ended in failure or cancellation. */
export class ChildFailedError extends HomeostatError {
  readonly childId: string;
  constructor(childId: string, status: string, cause: SerializedError | null) {
    super(
      'HS_CHILD_FAILED',
      `child run ${childId} ended ${status}${cause ? `: ${cause.name}: ${cause.message}` : ''}`,
      { retryable: false },
    );
    this.childId = childId;
  }
}

/** No worker has registered a workflow of this name. */
export class UnknownWorkflowError extends HomeostatError {
  constructor(name: string, known: string[]) {
    super(
      'HS_UNKNOWN_WORKFLOW',
      `unknown workflow ${JSON.stringify(name)}; known: ${known.length ? known.join(', ') : '(none registered yet)'}`,
      { retryable: false },
    );
  }
}

/** Input given as text (CLI, API) is not valid JSON. */
export class InvalidInputError extends HomeostatError {
  constructor(message: string, cause?: unknown) {
    super('HS_INVALID_INPUT', message, { retryable: false, cause });
  }
}

/** A compensation failed terminally; the saga could not fully undo the run's effects. */
export class CompensationFailedError extends HomeostatError {
  constructor(runId: string, failures: string[], original: SerializedError | null) {
    super(
      'HS_COMPENSATION_FAILED',
      `run ${runId}: ${failures.length} compensation(s) failed (${failures.join('; ')})` +
        (original ? ` while undoing: ${original.name}: ${original.message}` : ''),
      { retryable: false },
    );
  }
}

/**
 * This execution of the run stopped here (its worker lost the run, is handing it back, or
 * parked it); the run itself goes on elsewhere or waits. Seen by steps as their signal's
 * abort reason.
 */
export class ExecutionHaltedError extends HomeostatError {
  constructor(runId: string, why: string) {
    super('HS_EXECUTION_HALTED', `run ${runId}: this execution stopped (${why}); the run is not failed`, { retryable: false });
  }
}
