import type { AttemptRecord, RunRecord, RunStatus, SerializedError, StepKind, StepRecord, StepStatus } from './records.js';

/**
 * Rows of the engine's tables as both drivers return them (snake_case columns, numbers
 * for timestamps — the PostgreSQL driver parses its BIGINTs), and their mapping to
 * records. One mapping, so the two stores cannot drift apart.
 */
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
  /** SQLite has no boolean: 0/1 there, a boolean in PostgreSQL. */
  cancel_requested: number | boolean;
  generation: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  traceparent: string | null;
  tracestate: string | null;
}

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

export interface AttemptRow {
  run_id: string;
  seq: number;
  generation: number;
  attempt: number;
  started_at: number;
  finished_at: number;
  error: string;
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    input: row.input,
    status: row.status,
    output: row.output,
    error: parseError(row.error),
    ownerId: row.owner_id,
    epoch: row.epoch,
    wakeAt: row.wake_at,
    parentId: row.parent_id,
    deadlineAt: row.deadline_at,
    cancelRequested: row.cancel_requested === true || row.cancel_requested === 1,
    generation: row.generation,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    traceparent: row.traceparent ?? null,
    tracestate: row.tracestate ?? null,
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
    error: parseError(row.error),
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function toAttemptRecord(row: AttemptRow): AttemptRecord {
  return {
    runId: row.run_id,
    seq: row.seq,
    generation: row.generation,
    attempt: row.attempt,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: JSON.parse(row.error) as SerializedError,
  };
}

function parseError(text: string | null): SerializedError | null {
  return text ? (JSON.parse(text) as SerializedError) : null;
}
