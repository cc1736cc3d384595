import type { RunRecord, RunStatus, SerializedError, StepKind, StepRecord, StepStatus } from '../records.js';

/** A `runs` row as SQLite returns it. */
export interface RunRow {
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
  cancel_requested: number;
  generation: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** A `steps` row as SQLite returns it. */
export interface StepRow {
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

export function toRunRecord(row: RunRow): RunRecord {
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
    cancelRequested: row.cancel_requested === 1,
    generation: row.generation,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function toStepRecord(row: StepRow): StepRecord {
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
