import type { CheckpointWrites } from '../checkpoint-writes.js';
import type { AttemptRecord, Fence, NewRun, RunFilter, RunRecord, SerializedError, StepRecord, TerminalRunStatus, WakeConditions } from '../records.js';

/**
 * Runs and their histories: what the workflow engine persists (runs, workflow types,
 * worker leases, steps, attempts, signals, cancellation and redrive). Every write on
 * behalf of a run owner takes a {@link Fence} and is applied only while the run's epoch
 * still equals the fence's; otherwise it throws `HS_FENCED` and changes nothing.
 * Each driver writes these itself: they are the benchmarked hot path, and the dialects'
 * statements differ (SQLite's group commit, PostgreSQL's row locks and NOTIFY).
 */
export interface RunStore {
  /** Create a run, or return the existing one with that id (idempotent start). */
  createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;

  /** Remember that a workflow type exists, so clients can reject unknown names. */
  registerWorkflows(names: string[], now: number): Promise<void>;
  knownWorkflows(): Promise<string[]>;

  /**
   * Extend this worker's lease (creating its row on first call). Returns the ids of
   * runs it owns whose cancellation was requested by someone else.
   */
  heartbeat(workerId: string, leaseExpiresAt: number, now: number): Promise<{ cancelRequested: string[] }>;
  /** Forget a worker and hand its unfinished runs back to the queue (graceful stop). */
  releaseWorker(workerId: string, now: number): Promise<void>;
  /**
   * Claim up to `limit` runs of these workflows that are pending, waiting and due, or
   * owned by a worker whose lease has expired. Each claimed run's epoch is bumped.
   * A worker whose own lease has lapsed (its heartbeats failing, e.g. after a database
   * outage) claims nothing: another worker could take the run from it at once, and both
   * would execute it.
   */
  claimRuns(workerId: string, workflows: string[], limit: number, now: number): Promise<RunRecord[]>;
  /** Earliest time a waiting run of these workflows becomes due, for the poller's sleep. */
  nextWakeAt(workflows: string[]): Promise<number | null>;

  /** The recorded history of a run, in sequence order, with failed-attempt counts per step. */
  loadHistory(runId: string, generation: number): Promise<{ steps: StepRecord[]; failedAttempts: Map<number, number> }>;
  /**
   * Record a step (insert, or complete a `waiting` entry of the same seq). `alongside`:
   * statements committed in the same transaction (all or none of them with the step), or,
   * when they are for another database, committed on their own just before it.
   */
  saveStep(fence: Fence, step: StepRecord, alongside?: CheckpointWrites): Promise<void>;
  recordAttempt(fence: Fence, attempt: AttemptRecord): Promise<void>;
  listAttempts(runId: string): Promise<AttemptRecord[]>;
  listSteps(runId: string): Promise<StepRecord[]>;

  /**
   * Park the run until `wakeAt` (null: until woken) and release ownership — unless a
   * wake condition already holds (a queued signal or finished child named in
   * `conditions`, or a cancellation requested meanwhile), in which case it becomes due at once.
   */
  suspendRun(fence: Fence, wakeAt: number | null, conditions: WakeConditions, now: number): Promise<void>;
  /** Finish the run and wake its parent, if it is waiting. */
  finishRun(
    fence: Fence,
    outcome: { status: TerminalRunStatus; output: string | null; error: SerializedError | null },
    now: number,
  ): Promise<void>;

  /** Queue a signal for a run and wake it if it waits. False when the run does not exist. */
  sendSignal(runId: string, name: string, payload: string | null, now: number): Promise<boolean>;
  /**
   * Atomically take the oldest unconsumed signal of `name` and complete the waiting
   * step `seq` with its payload. Returns undefined when none is queued.
   */
  consumeSignal(fence: Fence, name: string, step: StepRecord): Promise<{ payload: string | null } | undefined>;

  /**
   * Ask for a run to be cancelled. A pending or waiting run that nobody owns is claimed
   * away from the queue by making it due now, so a worker runs its compensations.
   */
  requestCancel(runId: string, now: number): Promise<RunRecord | undefined>;
  /**
   * Put a failed, parked or cancelled run back in the queue, dropping its history from
   * `fromSeq` on (compensation entries included). Bumps generation and epoch.
   */
  redrive(runId: string, fromSeq: number, now: number): Promise<RunRecord>;

  /**
   * Optional push notification of new or newly-due work (PostgreSQL's LISTEN/NOTIFY),
   * so workers need not wait for their next poll. Returns a function that stops it.
   * Stores without it are polled only.
   */
  watch?(onWork: () => void): Promise<() => Promise<void>>;
}
