import type { Duration } from '../resilience/duration.js';
import type { WorkflowDefinition } from './define-workflow.js';

/** What a step function receives. */
export interface StepContext {
  /** Aborted when the step times out, or the run is cancelled or times out. */
  signal: AbortSignal;
  /** 1-based attempt number, counted across worker takeovers. */
  attempt: number;
  runId: string;
  stepName: string;
  /** The step's position in the run's history: with `runId`, what identifies this step across takeovers. */
  seq: number;
  /**
   * W3C `traceparent` of the span this attempt runs in (the step's, `homeostat.step`, for the
   * first attempt; its own `homeostat.attempt` for a retry; the execution's when the run is
   * sampled out), when tracing is on: send it (with `tracestate`) as HTTP headers so the
   * services a step calls join the run's trace. Undefined with tracing off. Spans a step
   * creates with `@opentelemetry/api` are children of that span already (it is the active span).
   * @example await fetch(url, { headers: step.traceparent ? { traceparent: step.traceparent } : {} })
   */
  traceparent?: string;
  tracestate?: string;
}

/** An error class, or an error `code` / `name` string. */
export type ErrorMatcher = string | (abstract new (...args: never[]) => Error);

export interface StepRetryOptions {
  /** Total attempts including the first (default 3). */
  maxAttempts?: number;
  /** First backoff delay (default 100 ms); doubles (`factor`) each attempt. */
  initialDelay?: Duration;
  /** Cap on one backoff delay (default 30 s). */
  maxDelay?: Duration;
  factor?: number;
  /** `full` (default) draws each delay uniformly in [0, computed]; `equal` in [computed/2, computed]. */
  jitter?: 'full' | 'equal' | 'none';
  /** Errors never retried, besides any whose `retryable` is false. */
  nonRetryable?: ErrorMatcher[];
  /** Cap on a retry-after carried by an error (`retryAfterMs`), default 60 s. */
  maxRetryAfter?: Duration;
}

export interface StepOptions<T> {
  /** Retry policy for this step, or `false` for a single attempt. */
  retry?: StepRetryOptions | false;
  /** Per-attempt timeout; the step's `signal` aborts when it expires (a retryable `HS_TIMEOUT`). */
  timeout?: Duration;
  /** Undo this step's effect; runs durably, in reverse order, if the run later fails or is cancelled. */
  compensate?: (result: T) => Promise<unknown> | unknown;
  /** Override the engine's payload limit for this step's result. */
  maxPayloadBytes?: number;
}

export interface WaitForSignalOptions {
  /** Give up after this long; the wait then resolves to `undefined`. */
  timeout?: Duration;
}

export interface StartChildOptions {
  /** The child's run id (default: derived from the parent's id and position, so replay finds it). */
  id?: string;
}

/** A started child run. */
export interface ChildHandle<O> {
  readonly id: string;
  /** Wait (durably) for the child's output; throws `HS_CHILD_FAILED` if it failed or was cancelled. */
  result(): Promise<O>;
}

/**
 * The durable operations a workflow may use. Each is recorded in the run's history
 * in call order; on replay, recorded operations return their stored result.
 *
 * Concurrency: `Promise.all` over durable operations is replay-safe (positions are
 * taken in call order). `Promise.race` between a step and a long durable wait is not:
 * the wait suspends the run, and on replay the recorded wait may win. Race a wait
 * against time with its own `timeout` option instead (`waitForSignal(name, { timeout })`).
 */
export interface WorkflowContext {
  readonly runId: string;
  readonly workflowName: string;
  /** Aborted when the run is cancelled or its workflow timeout passes. */
  readonly signal: AbortSignal;

  /**
   * Run `fn` at most once to completion for this run: its result is checkpointed
   * before the workflow continues.
   * @example const page = await ctx.step('fetch', ({ signal }) => fetch(url, { signal }).then((r) => r.text()), { timeout: '10s' });
   * @example await ctx.step('charge', () => { throw new TerminalError('card declined'); }); // throws HS_STEP_FAILED, no retry
   */
  step<T>(name: string, fn: (step: StepContext) => Promise<T> | T, options?: StepOptions<T>): Promise<T>;
  /** Durable sleep: survives restarts; long sleeps release the worker. */
  sleep(duration: Duration): Promise<void>;
  /** Durable sleep until an absolute time (ms since epoch). */
  sleepUntil(timeMs: number): Promise<void>;
  /**
   * Wait for `engine.signal(runId, name, payload)`; signals sent earlier are queued.
   * Resolves to the payload, or `undefined` when the timeout passes first.
   * @example const approved = await ctx.waitForSignal<boolean>('approve', { timeout: '1d' });
   */
  waitForSignal<T = unknown>(name: string, options?: WaitForSignalOptions): Promise<T | undefined>;
  /** The current time, recorded so replay sees the same value. */
  now(): Promise<number>;
  /** A uniform number in [0, 1), recorded so replay sees the same value. */
  random(): Promise<number>;
  /** Start a child workflow; its id is recorded so replay does not start it twice. */
  startChild<I, O>(workflow: WorkflowDefinition<I, O> | string, input: I, options?: StartChildOptions): Promise<ChildHandle<O>>;
  /** Start a child workflow and wait for its output. */
  child<I, O>(workflow: WorkflowDefinition<I, O> | string, input: I, options?: StartChildOptions): Promise<O>;
}
