import type { AttemptRecord, ModelAttemptRecord, RunRecord, StepRecord } from '../../store/records.js';
import { anyJson, arrayOf, boolean, closedObject, nullableNumber, nullableText, number, oneOf, text, type JsonSchema } from './json-schema.js';
import { parsedPayload } from './parsed-payload.js';
import { nullableErrorShape, serializedErrorSchema, serializedErrorShape, type SerializedErrorShape } from './serialized-error.js';

const RUN_STATUSES = ['pending', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'parked'] as const;
const STEP_KINDS = ['step', 'sleep', 'signal', 'now', 'random', 'child-start', 'child-result', 'compensation'] as const;
const nullableError: JsonSchema = { ...serializedErrorSchema, type: ['object', 'null'] };

function runProperties(payload: JsonSchema): Record<string, JsonSchema> {
  return {
    id: text,
    workflow: text,
    input: payload,
    status: oneOf(RUN_STATUSES),
    output: payload,
    error: nullableError,
    ownerId: nullableText,
    epoch: number,
    wakeAt: nullableNumber,
    parentId: nullableText,
    deadlineAt: nullableNumber,
    cancelRequested: boolean,
    generation: number,
    createdAt: number,
    updatedAt: number,
    finishedAt: nullableNumber,
    traceparent: nullableText,
    tracestate: nullableText,
  };
}

/** A run in a list, or as a cancel or redrive answers it: input and output as the JSON text stored. */
export const runSchema = closedObject(runProperties(nullableText));
/** A run shown alone: input and output parsed (text that is not JSON stays text). */
export const runDetailSchema = closedObject(runProperties(anyJson));

export interface RunShape<Payload = string | null> {
  id: string;
  workflow: string;
  input: Payload;
  status: RunRecord['status'];
  output: Payload;
  error: SerializedErrorShape | null;
  ownerId: string | null;
  epoch: number;
  wakeAt: number | null;
  parentId: string | null;
  deadlineAt: number | null;
  cancelRequested: boolean;
  generation: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** W3C Trace Context the run's executions continue (null: started with tracing off): find the run's trace by it. */
  traceparent: string | null;
  tracestate: string | null;
}

export function runShape(run: RunRecord): RunShape {
  return runWith(run, run.input, run.output);
}

export function runDetailShape(run: RunRecord): RunShape<unknown> {
  return runWith(run, parsedPayload(run.input), parsedPayload(run.output));
}

function runWith<Payload>(run: RunRecord, input: Payload, output: Payload): RunShape<Payload> {
  return {
    id: run.id,
    workflow: run.workflow,
    input,
    status: run.status,
    output,
    error: nullableErrorShape(run.error),
    ownerId: run.ownerId,
    epoch: run.epoch,
    wakeAt: run.wakeAt,
    parentId: run.parentId,
    deadlineAt: run.deadlineAt,
    cancelRequested: run.cancelRequested,
    generation: run.generation,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
    traceparent: run.traceparent,
    tracestate: run.tracestate,
  };
}

/** One entry of a run's history; `output` parsed. */
export const stepSchema = closedObject({
  runId: text,
  seq: number,
  name: text,
  kind: oneOf(STEP_KINDS),
  status: oneOf(['completed', 'failed', 'waiting']),
  output: anyJson,
  error: nullableError,
  attempts: number,
  startedAt: number,
  finishedAt: nullableNumber,
});

export function stepShape(step: StepRecord) {
  return {
    runId: step.runId,
    seq: step.seq,
    name: step.name,
    kind: step.kind,
    status: step.status,
    output: parsedPayload(step.output),
    error: nullableErrorShape(step.error),
    attempts: step.attempts,
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
  };
}

/** One failed attempt of a step. */
export const attemptSchema = closedObject({ runId: text, seq: number, generation: number, attempt: number, startedAt: number, finishedAt: number, error: serializedErrorSchema });

export function attemptShape(attempt: AttemptRecord) {
  return {
    runId: attempt.runId,
    seq: attempt.seq,
    generation: attempt.generation,
    attempt: attempt.attempt,
    startedAt: attempt.startedAt,
    finishedAt: attempt.finishedAt,
    error: serializedErrorShape(attempt.error),
  };
}

/**
 * One attempt of a model step: provider, model, tokens, cost (micro-units of the prices'
 * currency, as the ledger keeps them), latency, outcome, the schema's complaints (redacted,
 * parsed into a list). `status`: `reserved` while in flight, `settled`, or `released` (its
 * execution died; nothing counted).
 */
export const modelAttemptSchema = closedObject({
  id: number,
  runId: text,
  workflow: text,
  stepSeq: number,
  step: text,
  stepAttempt: number,
  callAttempt: number,
  day: text,
  provider: text,
  model: text,
  promptHash: text,
  status: oneOf(['reserved', 'settled', 'released']),
  reservedTokens: number,
  reservedCostMicros: number,
  outcome: nullableText,
  tokensIn: number,
  tokensOut: number,
  costMicros: number,
  latencyMs: nullableNumber,
  startedAt: number,
  finishedAt: nullableNumber,
  error: nullableText,
  validationErrors: { type: ['array', 'null'], items: text },
});

export function modelAttemptShape(attempt: ModelAttemptRecord) {
  return {
    id: attempt.id,
    runId: attempt.runId,
    workflow: attempt.workflow,
    stepSeq: attempt.stepSeq,
    step: attempt.step,
    stepAttempt: attempt.stepAttempt,
    callAttempt: attempt.callAttempt,
    day: attempt.day,
    provider: attempt.provider,
    model: attempt.model,
    promptHash: attempt.promptHash,
    status: attempt.status,
    reservedTokens: attempt.reservedTokens,
    reservedCostMicros: attempt.reservedCostMicros,
    outcome: attempt.outcome,
    tokensIn: attempt.tokensIn,
    tokensOut: attempt.tokensOut,
    costMicros: attempt.costMicros,
    latencyMs: attempt.latencyMs,
    startedAt: attempt.startedAt,
    finishedAt: attempt.finishedAt,
    error: attempt.error,
    validationErrors: attempt.validationErrors === null ? null : (JSON.parse(attempt.validationErrors) as string[]),
  };
}

export const runDetailAnswerSchema = closedObject({ run: runDetailSchema, steps: arrayOf(stepSchema), attempts: arrayOf(attemptSchema), modelAttempts: arrayOf(modelAttemptSchema) });
