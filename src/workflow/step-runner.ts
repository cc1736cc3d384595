import { exponentialBackoff } from '../resilience/backoff.js';
import { isRetryable, retry } from '../resilience/retry.js';
import { timeout as timeoutPolicy } from '../resilience/timeout.js';
import type { Clock } from '../resilience/clock.js';
import { toMillis } from '../resilience/duration.js';
import type { Random } from '../resilience/random.js';
import type { RunStore } from '../store/store.js';
import type { Fence, SerializedError } from '../store/records.js';
import { CompanionSlot, writeAlone, type CheckpointCompanion } from './checkpoint-companion.js';
import { encodePayload, serializeError } from './payload.js';
import type { AttemptTrace, StepTrace } from './run-tracing.js';
import type { ErrorMatcher, StepContext, StepOptions, StepRetryOptions } from './workflow-context.js';

const DEFAULT_RETRY: Required<Pick<StepRetryOptions, 'maxAttempts'>> = { maxAttempts: 3 };

export interface StepRunRequest<T> {
  runId: string;
  seq: number;
  generation: number;
  name: string;
  fn: (step: StepContext) => Promise<T> | T;
  options: StepOptions<T>;
  /** Failed attempts already recorded for this step before a takeover. */
  priorFailedAttempts: number;
  /** Aborted on cancellation or workflow timeout: those stop the step without recording it as failed. */
  runSignal: AbortSignal;
  payloadLimit: number;
  /** Tracing on: how the attempts are traced (run-tracing.ts); absent with tracing off. */
  trace?: StepTrace;
}

export type StepRunOutcome =
  | { ok: true; output: string | null; attempts: number; companion: CheckpointCompanion | undefined }
  | { ok: false; error: SerializedError; attempts: number };

/**
 * Run one step's attempts under its retry and timeout policies (the shared ones from
 * `resilience/`), recording every failed attempt before backing off, so the dead-letter
 * history is complete even if this worker dies mid-backoff.
 *
 * Returns the encoded result or the terminal error; throws only when the run itself
 * was aborted (cancelled, timed out) or the fence refused a write.
 */
export async function runStep<T>(
  request: StepRunRequest<T>,
  store: RunStore,
  fence: Fence,
  clock: Clock,
  random: Random,
): Promise<StepRunOutcome> {
  const { options, runSignal } = request;
  const retryOptions = options.retry === false ? { maxAttempts: 1 } : { ...DEFAULT_RETRY, ...options.retry };
  const maxAttempts = Math.max(1, (retryOptions.maxAttempts ?? 3) - request.priorFailedAttempts);
  const nonRetryable = 'nonRetryable' in retryOptions ? retryOptions.nonRetryable ?? [] : [];
  const policy = retry({
    maxAttempts,
    backoff: exponentialBackoff({
      initialDelayMs: toMillis((retryOptions as StepRetryOptions).initialDelay ?? 100),
      maxDelayMs: toMillis((retryOptions as StepRetryOptions).maxDelay ?? 30_000),
      factor: (retryOptions as StepRetryOptions).factor ?? 2,
      jitter: (retryOptions as StepRetryOptions).jitter ?? 'full',
    }),
    shouldRetry: (error) => !storeFailure && !runSignal.aborted && isRetryable(error) && !matchesAny(error, nonRetryable),
    maxRetryAfterMs: toMillis((retryOptions as StepRetryOptions).maxRetryAfter ?? 60_000),
    clock,
    random,
  });
  // Aggressive: a step that ignores its abort signal must not hang the run; the attempt
  // fails at the deadline (and is retried) even if the callee keeps running.
  const perAttempt =
    options.timeout === undefined ? undefined : timeoutPolicy(toMillis(options.timeout), { clock, strategy: 'aggressive' });

  let attempts = request.priorFailedAttempts;
  // A failure to record an attempt is the store's, not the step's: never retried as a
  // step failure, and rethrown as is so the run is retried later rather than failed.
  let storeFailure: { error: unknown } | undefined;
  // The succeeding attempt's writes to commit with the checkpoint (checkpoint-companion.ts).
  let companion: CheckpointCompanion | undefined;
  try {
    const output = await policy.execute(async ({ signal }) => {
      attempts++;
      const attempt = attempts;
      const startedAt = clock.now();
      const slot = new CompanionSlot();
      try {
        const call = (stepSignal: AbortSignal, traced?: AttemptTrace) =>
          request.fn(
            slot.contextOf(
              traced ? { signal: stepSignal, attempt, runId: request.runId, stepName: request.name, seq: request.seq, ...traced } : { signal: stepSignal, attempt, runId: request.runId, stepName: request.name, seq: request.seq },
            ),
          );
        // Tracing off: the same calls as without tracing, no closure more per attempt.
        const value = request.trace
          ? await request.trace.attempt(attempt, (traced) => stopWaitingOnAbort(perAttempt ? perAttempt.execute(({ signal: s }) => call(s, traced), signal) : call(signal, traced), runSignal))
          : await stopWaitingOnAbort(perAttempt ? perAttempt.execute(({ signal: s }) => call(s), signal) : call(signal), runSignal);
        const output = encodePayload(value, `step "${request.name}" result`, options.maxPayloadBytes ?? request.payloadLimit);
        companion = slot.take();
        return output;
      } catch (error) {
        slot.discard();
        if (runSignal.aborted) throw error;
        try {
          await store.recordAttempt(fence, {
            runId: request.runId,
            seq: request.seq,
            generation: request.generation,
            attempt,
            startedAt,
            finishedAt: clock.now(),
            error: serializeError(error),
          });
        } catch (recordError) {
          storeFailure = { error: recordError };
        }
        throw error;
      }
    }, runSignal);
    return { ok: true, output, attempts, companion };
  } catch (error) {
    // Taken by an attempt that succeeded, but the step is not going to be checkpointed.
    if (companion) writeAlone(companion);
    if (runSignal.aborted) throw runSignal.reason;
    if (storeFailure) throw storeFailure.error;
    return { ok: false, error: serializeError(error), attempts };
  }
}

function matchesAny(error: unknown, matchers: ErrorMatcher[]): boolean {
  if (matchers.length === 0) return false;
  const coded = error as { code?: unknown; name?: unknown };
  return matchers.some((matcher) =>
    typeof matcher === 'string'
      ? coded?.code === matcher || coded?.name === matcher
      : error instanceof (matcher as abstract new (...args: never[]) => Error),
  );
}

/**
 * Settle with `work`, or reject with the abort reason as soon as `signal` aborts: a step
 * that ignores its signal must not hold up cancellation or the workflow timeout.
 */
function stopWaitingOnAbort<T>(work: Promise<T> | T, signal: AbortSignal): Promise<T> | T {
  if (!(work instanceof Promise)) return work;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
