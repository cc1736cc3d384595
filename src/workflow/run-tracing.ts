import { context, isSpanContextValid, trace, SpanStatusCode, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { RunRecord, TerminalRunStatus } from '../store/records.js';
import { contextFrom, contextManagerPresent, failSpan, traceHeaders, tracer } from '../telemetry/tracing.js';
import type { StepContext } from './workflow-context.js';

/**
 * The spans of durable runs. A run outlives any one process, so it is not one span: its
 * start is a short span, `homeostat.run.start` (a child of whatever span started it — the
 * loop's remediation, a parent run), whose W3C context is stored with the run; every
 * execution of the run (the first, after a suspension, a takeover by another worker, a
 * restart, a redrive) is a `homeostat.run` span under it. So a run is one trace wherever
 * and however often it executes. Under an execution: `homeostat.step` per executed step
 * (replayed ones are not executed again and get none), which is also its first attempt's
 * span, and `homeostat.attempt` per retry ({@link StepTrace}).
 *
 * Contexts are handed down explicitly (run → step → retry, a child run's start under the
 * execution) and each step function gets its span's W3C context as `traceparent`. Only where a
 * context manager is registered (the application's, or `homeostat up`'s; see
 * telemetry/tracing.ts) is the execution's and each step's span also entered as the active one
 * — once per execution and once per step, not per attempt — so the spans and log lines of the
 * application's own instrumentation nest under them. Without one, entering would do nothing.
 *
 * Every function here is called only when `tracingOn()` (telemetry/tracing.ts) is true: callers check first,
 * so the engine's hot path costs a boolean check with tracing off.
 */

/** The trace context a new run is stored with, and the start span to end once it is created. */
export interface RunStart {
  traceparent: string | null;
  tracestate: string | null;
  end(created: boolean): void;
}

/**
 * Begin `homeostat.run.start` for a run about to be created, under `parent`: a parent run's
 * execution, or by default the caller's active span (if a context manager tracks one).
 */
export function beginRunStart(workflow: string, runId: string, parentRunId?: string, parent: Context = context.active()): RunStart {
  const span = tracer().startSpan('homeostat.run.start', {
    attributes: { 'homeostat.run.id': runId, 'homeostat.workflow.name': workflow, ...(parentRunId ? { 'homeostat.run.parent_id': parentRunId } : {}) },
  }, parent);
  const headers = traceHeaders(trace.setSpan(parent, span));
  return {
    traceparent: headers.traceparent ?? null,
    tracestate: headers.tracestate ?? null,
    end(created) {
      span.setAttribute('homeostat.run.created', created);
      span.end();
    },
  };
}

/** How one execution of a run ended, as {@link traceExecution} records it. */
export type ExecutionEnd = { kind: 'finished'; status: TerminalRunStatus } | { kind: 'suspended' } | { kind: 'lost' };

/**
 * An execution's trace, handed to its run context: the context its steps and child runs hang
 * from, and whether to enter their spans as the active ones (a context manager is registered).
 */
export interface ExecutionTrace {
  readonly context: Context;
  readonly activates: boolean;
}

/** Run one execution of `run` inside its `homeostat.run` span (a child of the run's stored start). */
export function traceExecution<R extends ExecutionEnd | undefined>(run: RunRecord, execute: (trace: ExecutionTrace) => Promise<R>): Promise<R> {
  const parent = contextFrom(run.traceparent, run.tracestate);
  const span = tracer().startSpan(
    'homeostat.run',
    { attributes: { 'homeostat.run.id': run.id, 'homeostat.workflow.name': run.workflow, 'homeostat.run.epoch': run.epoch, 'homeostat.run.generation': run.generation } },
    parent,
  );
  const execution: ExecutionTrace = { context: trace.setSpan(parent, span), activates: contextManagerPresent() };
  const traced = async () => {
    try {
      const result = await execute(execution);
      const status = result === undefined ? 'retrying' : result.kind === 'finished' ? result.status : result.kind;
      span.setAttribute('homeostat.run.status', status);
      if (status === 'failed' || status === 'parked') span.setStatus({ code: SpanStatusCode.ERROR, message: `run ${status}` });
      return result;
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  return execution.activates ? context.with(execution.context, traced) : traced();
}

/**
 * How a step's attempts are traced, handed to the step runner by {@link traceStep}. The first
 * attempt runs in the step's own span — most steps have one attempt, and a span per attempt
 * besides the span per step doubled what tracing exported for nothing the step span does not
 * say already — and a failure of it is an exception event on the step span. Every retry
 * (attempt 2 on, counted across takeovers) gets its own `homeostat.attempt` span under the
 * step, so the calls of each retry are told apart.
 */
export interface StepTrace {
  attempt<T>(number: number, run: (trace: AttemptTrace) => Promise<T> | T): Promise<T> | T;
}

/** The W3C context a step function receives (`StepContext.traceparent`, `tracestate`). */
export type AttemptTrace = Pick<StepContext, 'traceparent' | 'tracestate'>;

/**
 * Run one step's attempts inside its `homeostat.step` span, a child of the execution's: the
 * first attempt's own, and the active span while they run where a context manager is
 * registered (the step function's spans and log lines are then its).
 *
 * Under a span that is not recorded — an execution the sampler left out — the step gets no
 * span: it would not be recorded either under the parent-based default, and under any other
 * standard sampler it would hang from a parent nobody exported. Its attempts then see the
 * execution's context (its trace id, the flag "not sampled"), which is what the services they
 * call need to leave the trace out too; so a sampled-out run costs two spans, not one a step.
 */
export function traceStep<R extends { ok: boolean; attempts: number; error?: { code?: string } }>(
  step: { name: string; seq: number; kind: string },
  execution: ExecutionTrace,
  run: (trace: StepTrace) => Promise<R>,
): Promise<R> {
  const parent = trace.getSpan(execution.context);
  if (parent && !parent.isRecording()) return run({ attempt: (_number, attempt) => attempt(unrecordedContext(parent)) });
  const span = tracer().startSpan('homeostat.step', { attributes: { 'homeostat.step.name': step.name, 'homeostat.step.seq': step.seq, 'homeostat.step.kind': step.kind } }, execution.context);
  // The step's own context (a copy of the execution's with this span) only when something
  // needs it: entering it as the active one, or a retry's span hanging from it.
  let within: Context | undefined = execution.activates ? trace.setSpan(execution.context, span) : undefined;
  const attempts: StepTrace = {
    attempt: (number, attempt) => (number === 1 ? firstAttempt(span, attempt) : traceRetry((within ??= trace.setSpan(execution.context, span)), execution.activates, step.name, number, attempt)),
  };
  const traced = async () => {
    try {
      const outcome = await run(attempts);
      span.setAttributes({ 'homeostat.step.status': outcome.ok ? 'completed' : 'failed', 'homeostat.step.attempts': outcome.attempts });
      if (!outcome.ok) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'step failed' });
        if (outcome.error?.code) span.setAttribute('homeostat.error.code', outcome.error.code);
      }
      return outcome;
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  return within ? context.with(within, traced) : traced();
}

/** The first attempt, in the step's span (already active): a failure is an exception event on it. */
function firstAttempt<T>(stepSpan: Span, attempt: (trace: AttemptTrace) => Promise<T> | T): Promise<T> | T {
  const failed = (error: unknown) => {
    stepSpan.addEvent('exception', exceptionAttributes(error, 1));
    throw error;
  };
  try {
    const value = attempt(w3cContext(stepSpan));
    return value instanceof Promise ? value.catch(failed) : value;
  } catch (error) {
    return failed(error);
  }
}

/** A retry, inside its own `homeostat.attempt` span under the step (the active one if `activates`). */
function traceRetry<T>(stepContext: Context, activates: boolean, stepName: string, number: number, attempt: (trace: AttemptTrace) => Promise<T> | T): Promise<T> {
  const span = tracer().startSpan('homeostat.attempt', { attributes: { 'homeostat.step.name': stepName, 'homeostat.attempt.number': number } }, stepContext);
  const traced = async () => {
    try {
      const value = await attempt(w3cContext(span));
      span.setAttribute('homeostat.attempt.outcome', 'ok');
      return value;
    } catch (error) {
      span.setAttribute('homeostat.attempt.outcome', 'error');
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  return activates ? context.with(trace.setSpan(stepContext, span), traced) : traced();
}

/**
 * `span`'s W3C Trace Context, formatted directly (version 00): the step function is promised a
 * W3C `traceparent` whatever propagator the application registered, and this skips the
 * propagator's carrier object on every attempt. A recording span's ids were made by the SDK
 * and are valid; only others (a remote or no-op parent's) are checked, by two regular
 * expressions.
 */
function w3cContext(span: Span): AttemptTrace {
  const spanContext = span.spanContext();
  if (!span.isRecording() && !isSpanContextValid(spanContext)) return {};
  const { traceId, spanId, traceFlags, traceState } = spanContext;
  const traceparent = `00-${traceId}-${spanId}-${traceFlags & 1 ? '01' : '00'}`;
  const tracestate = traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

// An unrecorded execution's context, formatted once for all its steps' attempts (validating the
// ids takes a regular expression apiece); weak, so it goes with the span.
const unrecordedContexts = new WeakMap<Span, AttemptTrace>();

function unrecordedContext(span: Span): AttemptTrace {
  let carried = unrecordedContexts.get(span);
  if (!carried) unrecordedContexts.set(span, (carried = w3cContext(span)));
  return carried;
}

/** The semantic-conventions `exception` event of a failed first attempt, with its number and error code. */
function exceptionAttributes(error: unknown, number: number): Attributes {
  const attributes: Attributes = { 'homeostat.attempt.number': number };
  if (error instanceof Error) {
    attributes['exception.type'] = error.name;
    attributes['exception.message'] = error.message;
    if (error.stack) attributes['exception.stacktrace'] = error.stack;
  } else {
    attributes['exception.message'] = String(error);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') attributes['homeostat.error.code'] = code;
  return attributes;
}
