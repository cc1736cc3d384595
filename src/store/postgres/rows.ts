import type { RunRecord, RunStatus, SerializedError, StepKind, StepRecord, StepStatus } from '../records.js';

/** A `runs` row as the pg driver returns it (BIGINTs parsed to numbers by the store). */
export interface PgRunRow {
  id: string;
  workflow: string;
  input: string | null;
  status: RunStatus;
  output: string | null;
  error: string | null;
  owner_id: string | null;
  epoch: number;
  wake_at: number | null;
  parent_id: string | null;
  deadline_at: number | null;
  cancel_requested: boolean;
  generation: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** A `steps` row, from a query or from `json_agg` (where BIGINTs are JSON numbers too). */
export interface PgStepRow {
  run_id: string;
  seq: number;
  name: string;
  kind: StepKind;
  status: StepStatus;
  output: string | null;
  error: string | null;
  attempts: number;
  started_at: number;
  finished_at: number | null;
}

export interface PgAttemptRow {
  run_id: string;
  seq: number;
  generation: number;
  attempt: number;
  started_at: number;
  finished_at: number;
  error: string;
}

export function toRunRecord(row: PgRunRow): RunRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    input: row.input,
    status: row.status,
    output: row.output,
    error: row.error ? (JSON.parse(row.error) as SerializedError) : null,
    ownerId: row.owner_id,
    epoch: row.epoch,
    wakeAt: row.wake_at,
    parentId: row.parent_id,
    deadlineAt: row.deadline_at,
    cancelRequested: row.cancel_requested,
    generation: row.generation,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function toStepRecord(row: PgStepRow): StepRecord {
  return {
    runId: row.run_id,
    seq: row.seq,
    name: row.name,
    kind: row.kind,
    status: row.status,
    output: row.output,
    error: row.error ? (JSON.parse(row.error) as SerializedError) : null,
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
