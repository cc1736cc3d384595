import type { CheckpointWrites } from '../checkpoint-writes.js';
import type { ModelAttemptRecord, ModelProviderStateRecord, ModelSettlement, ModelSpend, ModelSpendLimit, NewModelReservation } from '../records.js';

/**
 * Model calls' attempts and the budget ledger they form (see docs/model-steps.md): every
 * attempt is reserved at its worst case before the call, atomically against every budget
 * it falls under, and settled with its real use after, so budgets hold across crashes,
 * workers and nodes.
 */
export interface ModelStore {
  /**
   * Record a reservation if, with it, the spend under every limit stays within it; one
   * transaction, serialised with other reservations. Refused: the first limit it would
   * break and that scope's spend before it.
   */
  reserveModelAttempt(
    reservation: NewModelReservation,
    limits: readonly ModelSpendLimit[],
  ): Promise<{ reserved: true; id: number; callAttempt: number } | { reserved: false; limit: ModelSpendLimit; spent: ModelSpend }>;
  /**
   * Settle a reservation with the attempt's outcome and real use. False when it is not open
   * (released meanwhile). `runId`, the attempt's run, lets the write share a commit with
   * other runs' writes of the same turn (SQLite's group commit).
   */
  settleModelAttempt(id: number, settlement: ModelSettlement, runId?: string): Promise<boolean>;
  /**
   * The same settlement as statements for a step's checkpoint to commit (a model call's
   * answering attempt: its bill and the call's result then become durable in one commit).
   */
  settlementWrites(id: number, settlement: ModelSettlement): CheckpointWrites;
  /**
   * Give back the open reservations of a call (`runId`, `stepSeq`): called when the call
   * starts executing, by the run's one owner, so any open one is from an execution that died.
   */
  releaseModelReservations(runId: string, stepSeq: number, now: number): Promise<number>;
  /**
   * Before a call executes: release its open reservations (as `releaseModelReservations`)
   * and return its settled answer (as `findModelReply`), reading once and writing only
   * when a reservation is open — on a first execution, one indexed read and no commit.
   */
  resumeModelCall(runId: string, stepSeq: number, now: number): Promise<string | undefined>;
  /** The validated answer of a call's settled `ok` attempt, if one exists (a takeover after the answer, before the checkpoint). */
  findModelReply(runId: string, stepSeq: number): Promise<string | undefined>;
  /** A run's model attempts, oldest first. */
  listModelAttempts(runId: string): Promise<ModelAttemptRecord[]>;
  /** Spend on a UTC day, of one workflow or (without it) of all. */
  modelSpend(day: string, workflow?: string): Promise<ModelSpend>;
  /**
   * Settled attempts that finished at or after `since` (ms), oldest first, at most `limit`:
   * what the controller turns into per-provider series.
   */
  listSettledModelAttempts(since: number, limit: number): Promise<ModelAttemptRecord[]>;
  /** Drain (take out of every chain), limit or restore a provider, for every process on this store. */
  setModelProviderState(state: ModelProviderStateRecord): Promise<void>;
  /** Every provider whose state was ever set. */
  listModelProviderStates(): Promise<ModelProviderStateRecord[]>;
}
