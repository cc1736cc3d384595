import { isHomeostatError } from '../errors/homeostat-error.js';
import type { Clock } from '../resilience/clock.js';
import type { Random } from '../resilience/random.js';
import type { RunRecord, SerializedError, TerminalRunStatus } from '../store/records.js';
import type { RunStore } from '../store/store.js';
import type { WorkflowDefinition } from './define-workflow.js';
import { CancelledError, CompensationFailedError, DeterminismError, WorkflowTimeoutError } from './errors.js';
import { decodePayload, encodePayload, serializeError } from './payload.js';
import { RunContext, type Halt } from './run-context.js';
import type { EngineEvents } from './engine-events.js';
import { traceExecution, type ExecutionTrace } from './run-tracing.js';
import { tracingOn } from '../telemetry/tracing.js';

/** setTimeout's largest delay; longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ExecutorDeps {
  store: RunStore;
  clock: Clock;
  random: Random;
  payloadLimit: number;
  inMemoryWaitMs: number;
  nudge: () => void;
  events: EngineEvents;
}

/** How one execution of a run ended, from this worker's point of view. */
export type ExecutionResult =
  | { kind: 'finished'; status: TerminalRunStatus }
  | { kind: 'suspended'; wakeAt: number | null }
  | { kind: 'lost' };

/**
 * Execute a claimed run: replay its history through the workflow function, then
 * record the outcome — completed, failed (after compensating), cancelled (after
 * compensating), parked (determinism), or suspended until a wake-up.
 *
 * `register` receives the live context so the worker can deliver cancellations.
 */
export function executeRun(
  run: RunRecord,
  definition: WorkflowDefinition,
  deps: ExecutorDeps,
  register: (ctx: RunContext) => void,
  /** The run was created by this worker a moment ago: its history is empty, skip reading it. */
  fresh = false,
): Promise<ExecutionResult> {
  if (tracingOn()) return traceExecution(run, (trace) => execute(run, definition, deps, register, fresh, trace));
  return execute(run, definition, deps, register, fresh);
}

async function execute(run: RunRecord, definition: WorkflowDefinition, deps: ExecutorDeps, register: (ctx: RunContext) => void, fresh: boolean, trace?: ExecutionTrace): Promise<ExecutionResult> {
  const { store, clock } = deps;
  const fence = { runId: run.id, epoch: run.epoch };
  const { steps, failedAttempts } = fresh
    ? { steps: [], failedAttempts: new Map<number, number>() }
    : await store.loadHistory(run.id, run.generation);
  const ctx = new RunContext(run, steps, failedAttempts, deps, trace);
  register(ctx);
  if (run.cancelRequested) ctx.interrupt(new CancelledError(run.id));

  let deadlineTimer: NodeJS.Timeout | undefined;
  if (run.deadlineAt !== null) {
    const timeoutMs = run.deadlineAt - run.createdAt;
    const interruptAtDeadline = () => ctx.interrupt(new WorkflowTimeoutError(run.id, timeoutMs));
    const remaining = run.deadlineAt - clock.now();
    if (remaining <= 0) interruptAtDeadline();
    // Beyond setTimeout's range the execution will have been suspended and re-claimed
    // long before; the check above catches the deadline then.
    else if (remaining <= MAX_TIMER_MS) deadlineTimer = setTimeout(interruptAtDeadline, remaining).unref();
  }

  try {
    const settled = await Promise.race([
      Promise.resolve()
        .then(() => definition.fn(ctx, decodePayload(run.input)))
        .then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      ctx.halted,
    ]);
    const halt: Halt | undefined = ctx.haltState ?? ('kind' in settled ? settled : undefined);
    if (halt) return await applyHalt(halt, run, deps);

    const outcome = settled as { ok: true; value: unknown } | { ok: false; error: unknown };
    if (outcome.ok) {
      const unreached = ctx.unreachedHistory();
      if (unreached) {
        const error = new DeterminismError(run.id, unreached.seq, `${unreached.kind} "${unreached.name}"`, 'the end of the workflow');
        return await applyHalt({ kind: 'park', error }, run, deps);
      }
      let output: string | null;
      try {
        output = encodePayload(outcome.value, `output of workflow "${run.workflow}"`, deps.payloadLimit);
      } catch (error) {
        return await failAndCompensate(ctx, run, error, deps);
      }
      await store.finishRun(fence, { status: 'completed', output, error: null }, clock.now());
      deps.events.emit({ type: 'run-finished', runId: run.id, workflow: run.workflow, status: 'completed' });
      return { kind: 'finished', status: 'completed' };
    }
    return await failAndCompensate(ctx, run, outcome.error, deps);
  } catch (error) {
    if (isHomeostatError(error, 'HS_FENCED')) return lost(run, deps);
    throw error;
  } finally {
    if (deadlineTimer) clearTimeout(deadlineTimer);
  }
}

async function applyHalt(halt: Halt, run: RunRecord, deps: ExecutorDeps): Promise<ExecutionResult> {
  const fence = { runId: run.id, epoch: run.epoch };
  switch (halt.kind) {
    case 'fenced':
      return lost(run, deps);
    case 'store-error':
      throw halt.error;
    case 'park':
      await deps.store.finishRun(fence, { status: 'parked', output: null, error: serializeError(halt.error) }, deps.clock.now());
      deps.events.emit({ type: 'run-finished', runId: run.id, workflow: run.workflow, status: 'parked', error: serializeError(halt.error) });
      return { kind: 'finished', status: 'parked' };
    case 'suspend':
      await deps.store.suspendRun(fence, halt.wakeAt, halt.conditions, deps.clock.now());
      return { kind: 'suspended', wakeAt: halt.wakeAt };
  }
}

async function failAndCompensate(ctx: RunContext, run: RunRecord, error: unknown, deps: ExecutorDeps): Promise<ExecutionResult> {
  const fence = { runId: run.id, epoch: run.epoch };
  const original = serializeError(error);
  const failures = await ctx.compensate();
  if (ctx.haltState) return applyHalt(ctx.haltState, run, deps);
  const wasCancelled = isHomeostatError(original, 'HS_CANCELLED');
  const status = wasCancelled && failures.length === 0 ? 'cancelled' : 'failed';
  const recorded: SerializedError = failures.length ? serializeError(new CompensationFailedError(run.id, failures, original)) : original;
  await deps.store.finishRun(fence, { status, output: null, error: recorded }, deps.clock.now());
  deps.events.emit({ type: 'run-finished', runId: run.id, workflow: run.workflow, status, error: recorded });
  return { kind: 'finished', status };
}

function lost(run: RunRecord, deps: ExecutorDeps): ExecutionResult {
  deps.events.emit({ type: 'run-lost', runId: run.id, workflow: run.workflow, epoch: run.epoch });
  return { kind: 'lost' };
}
