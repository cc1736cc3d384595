import { context, trace, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { RunRecord, TerminalRunStatus } from '../store/records.js';
import { contextFrom, failSpan, traceHeaders, tracer } from '../telemetry/tracing.js';
import type { StepContext } from './workflow-context.js';

/**
 * The spans of durable runs. A run outlives any one process, so it is not one span: its
 * start is a short span, `homeostat.run.start` (a child of whatever span started it — the
 * loop's remediation, a parent run), whose W3C context is stored with the run; every
 * execution of the run (the first, after a suspension, a takeover by another worker, a
 * restart, a redrive) is a `homeostat.run` span under it. So a run is one trace wherever
 * and however often it executes. Under an execution: `homeostat.step` per executed step
 * (replayed ones are not executed again and get none), `homeostat.attempt` per attempt.
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

/** Begin `homeostat.run.start` for a run about to be created (under the active span, if any). */
export function beginRunStart(workflow: string, runId: string, parentRunId?: string): RunStart {
  const span = tracer().startSpan('homeostat.run.start', {
    attributes: { 'homeostat.run.id': runId, 'homeostat.workflow.name': workflow, ...(parentRunId ? { 'homeostat.run.parent_id': parentRunId } : {}) },
  });
  const headers = traceHeaders(trace.setSpan(context.active(), span));
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

/** Run one execution of `run` inside its `homeostat.run` span (a child of the run's stored start). */
export function traceExecution<R extends ExecutionEnd | undefined>(run: RunRecord, execute: () => Promise<R>): Promise<R> {
  const parent = contextFrom(run.traceparent, run.tracestate);
  const span = tracer().startSpan(
    'homeostat.run',
    { attributes: { 'homeostat.run.id': run.id, 'homeostat.workflow.name': run.workflow, 'homeostat.run.epoch': run.epoch, 'homeostat.run.generation': run.generation } },
    parent,
  );
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      const result = await execute();
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
  });
}

/** Run one step's attempts inside its `homeostat.step` span. */
export function traceStep<R extends { ok: boolean; attempts: number; error?: { code?: string } }>(
  step: { name: string; seq: number; kind: string },
  run: () => Promise<R>,
): Promise<R> {
  return tracer().startActiveSpan(
    'homeostat.step',
    { attributes: { 'homeostat.step.name': step.name, 'homeostat.step.seq': step.seq, 'homeostat.step.kind': step.kind } },
    async (span) => {
      try {
        const outcome = await run();
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
    },
  );
}

/**
 * Run one attempt inside its `homeostat.attempt` span; `attempt` receives the span's W3C
 * context for the step function (`StepContext.traceparent`), so user code can forward it.
 */
export function traceAttempt<T>(stepName: string, number: number, attempt: (trace: Pick<StepContext, 'traceparent' | 'tracestate'>) => Promise<T> | T): Promise<T> {
  return tracer().startActiveSpan('homeostat.attempt', { attributes: { 'homeostat.step.name': stepName, 'homeostat.attempt.number': number } }, async (span: Span) => {
    try {
      const headers = traceHeaders();
      const value = await attempt(headers.tracestate ? { traceparent: headers.traceparent, tracestate: headers.tracestate } : { traceparent: headers.traceparent });
      span.setAttribute('homeostat.attempt.outcome', 'ok');
      return value;
    } catch (error) {
      span.setAttribute('homeostat.attempt.outcome', 'error');
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}
