import { HomeostatError } from '../errors/homeostat-error.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import { toMillis, type Duration } from '../resilience/duration.js';
import type { Random } from '../resilience/random.js';
import { openStore } from '../store/open-store.js';
import type { AttemptRecord, ModelAttemptRecord, RunFilter, RunRecord, StepRecord } from '../store/records.js';
import { isTerminal } from '../store/records.js';
import type { Store } from '../store/store.js';
import { RunNotFoundError } from '../store/store-errors.js';
import type { WorkflowDefinition } from './define-workflow.js';
import { EngineEvents, type EngineEventListener } from './engine-events.js';
import { CancelledError, InvalidInputError, UnknownWorkflowError } from './errors.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, decodePayload, encodePayload } from './payload.js';
import { newRunId } from './run-id.js';
import { Worker, type WorkerOptions } from './worker.js';
import { beginRunStart } from './run-tracing.js';
import { startTracing, tracingOn, type Tracing } from '../telemetry/tracing.js';

export interface EngineOptions {
  /** A store, or a store URL (default: `HOMEOSTAT_STORE`, else `sqlite:.homeostat/homeostat.db`). */
  store?: Store | string;
  /** Workflows this process can execute. */
  workflows?: WorkflowDefinition<never, unknown>[];
  /** Run a worker in this process (default: true when workflows are given). */
  worker?: boolean | WorkerOptions;
  /** Largest payload (input, step result, output, signal) in bytes (default 1 MiB). */
  maxPayloadBytes?: number;
  /** Durable waits shorter than this stay in memory instead of suspending (default 1 s). */
  inMemoryWaitMs?: number;
  /** Receives every engine event from the start, including claims made while opening. */
  onEvent?: EngineEventListener;
  clock?: Clock;
  random?: Random;
}

export interface StartOptions {
  /** Run id; starting again with an existing id returns that run (idempotent start). */
  id?: string;
  /** Deadline for this run, overriding the workflow's. */
  timeout?: Duration;
}

/** A started run. */
export interface RunHandle<O> {
  readonly id: string;
  /** True when this call created the run; false when the id already existed. */
  readonly created: boolean;
  /** Wait for the run to finish; resolves to its output or throws its error (`HS_RUN_FAILED`, `HS_CANCELLED`). */
  result(options?: { timeout?: Duration }): Promise<O>;
}

/** A run with its full recorded history, for `runs show` and the dashboard. */
export interface RunDetails {
  run: RunRecord;
  steps: StepRecord[];
  attempts: AttemptRecord[];
  /** Model steps' attempts (provider, model, tokens, cost, outcome), oldest first. */
  modelAttempts: ModelAttemptRecord[];
}

/** The run ended without output: failed, parked or cancelled. */
export class RunFailedError extends HomeostatError {
  readonly runId: string;
  readonly status: string;
  constructor(run: RunRecord) {
    super('HS_RUN_FAILED', `run ${run.id} ${run.status}: ${run.error ? `${run.error.name}: ${run.error.message}` : 'no error recorded'}`, {
      retryable: false,
    });
    this.runId = run.id;
    this.status = run.status;
  }
}

/**
 * The durable workflow engine: starts runs, executes them (with a worker in this
 * process, or leaves them to workers elsewhere), and controls them — signal, cancel,
 * redrive from the dead-letter queue.
 *
 * @example
 * const engine = await Engine.open({ workflows: [enrich] });
 * const run = await engine.start(enrich, { url: 'https://example.org' });
 * console.log(await run.result());
 * await engine.close();
 * @example
 * await engine.start('no-such-workflow', {}); // throws HS_UNKNOWN_WORKFLOW listing the known ones
 */
export class Engine {
  readonly store: Store;
  readonly worker: Worker | undefined;
  private readonly ownsStore: boolean;
  private readonly workflows: Map<string, WorkflowDefinition>;
  private readonly events = new EngineEvents();
  private readonly clock: Clock;
  private readonly payloadLimit: number;
  private readonly finishWaiters = new Map<string, Set<() => void>>();
  private tracing: Tracing | undefined;

  private constructor(store: Store, ownsStore: boolean, options: EngineOptions) {
    this.store = store;
    this.ownsStore = ownsStore;
    this.clock = options.clock ?? systemClock;
    this.payloadLimit = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.workflows = new Map();
    if (options.onEvent) this.events.on(options.onEvent);
    for (const definition of options.workflows ?? []) {
      const workflow = definition as unknown as WorkflowDefinition;
      if (this.workflows.has(workflow.name) && this.workflows.get(workflow.name) !== workflow) {
        throw new HomeostatError('HS_INVALID_WORKFLOW', `two different workflows are named "${workflow.name}"`);
      }
      this.workflows.set(workflow.name, workflow);
    }
    const wantWorker = options.worker ?? this.workflows.size > 0;
    this.worker = wantWorker
      ? new Worker(
          store,
          this.workflows,
          {
            store,
            clock: this.clock,
            random: options.random ?? Math.random,
            payloadLimit: this.payloadLimit,
            inMemoryWaitMs: options.inMemoryWaitMs ?? 1_000,
            nudge: () => this.worker?.nudge(),
            events: this.events,
          },
          typeof options.worker === 'object' ? options.worker : {},
        )
      : undefined;
    this.events.on((event) => {
      if (event.type !== 'run-finished') return;
      const waiters = this.finishWaiters.get(event.runId);
      if (waiters) for (const wake of waiters) wake();
    });
  }

  /**
   * Open the store, register workflows and start the worker (if any). Tracing starts too when
   * the `OTEL_*` variables ask for it (off by default; docs/integrations.md, "OpenTelemetry traces").
   */
  static async open(options: EngineOptions = {}): Promise<Engine> {
    // Tracing as the OTEL_* variables say (off by default), shared by every engine of the process.
    const tracing = await startTracing();
    let store: Store;
    try {
      store = typeof options.store === 'object' ? options.store : await openStore(options.store);
    } catch (error) {
      await tracing.stop();
      throw error;
    }
    const ownsStore = typeof options.store !== 'object';
    const engine = new Engine(store, ownsStore, options);
    engine.tracing = tracing;
    try {
      if (engine.workflows.size > 0) await store.registerWorkflows([...engine.workflows.keys()], engine.clock.now());
      await engine.worker?.start();
    } catch (error) {
      if (ownsStore) await store.close();
      await tracing.stop();
      throw error;
    }
    return engine;
  }

  /** Subscribe to engine events (runs finished, claimed, taken over, worker errors). */
  on(listener: EngineEventListener): () => void {
    return this.events.on(listener);
  }

  /**
   * Start a run of `workflow` (a definition, or a name registered by some worker).
   * With an `id` that already exists, returns the existing run instead (`created: false`).
   */
  async start<I, O>(workflow: WorkflowDefinition<I, O> | string, input: I, options: StartOptions = {}): Promise<RunHandle<O>> {
    const name = typeof workflow === 'string' ? workflow : workflow.name;
    const local = this.workflows.get(name);
    if (!local) {
      const known = await this.store.knownWorkflows();
      if (!known.includes(name)) throw new UnknownWorkflowError(name, known);
    }
    const now = this.clock.now();
    const timeout = options.timeout ?? local?.options.timeout ?? (typeof workflow === 'object' ? workflow.options.timeout : undefined);
    const runOnHere = local !== undefined && this.worker?.hasCapacity === true;
    const id = options.id ?? newRunId();
    const encoded = encodePayload(input, `input of workflow "${name}"`, this.payloadLimit);
    // The run's trace: a child of the caller's active span (the loop's remediation), stored
    // with the run so every execution of it, on any worker, continues it (run-tracing.ts).
    const traced = tracingOn() ? beginRunStart(name, id) : undefined;
    let created = false;
    let run: RunRecord;
    try {
      ({ run, created } = await this.store.createRun({
        id,
        workflow: name,
        input: encoded,
        deadlineAt: timeout === undefined ? null : now + toMillis(timeout),
        ownerId: runOnHere ? this.worker!.id : null,
        traceparent: traced?.traceparent ?? null,
        tracestate: traced?.tracestate ?? null,
        now,
      }));
    } finally {
      traced?.end(created);
    }
    if (created && runOnHere) void this.worker!.runOwned(run, true);
    else if (created) this.worker?.nudge();
    return { id: run.id, created, result: (opts) => this.result<O>(run.id, opts) };
  }

  /**
   * Start a run from text input (CLI, API): the input must be JSON.
   * @example await engine.startFromJson('enrich', '{"url":"https://example.org"}')
   * @example await engine.startFromJson('enrich', '{url:') // throws HS_INVALID_INPUT
   */
  async startFromJson(workflow: string, inputJson: string | undefined, options: StartOptions = {}): Promise<RunHandle<unknown>> {
    let input: unknown;
    if (inputJson !== undefined) {
      try {
        input = JSON.parse(inputJson);
      } catch (cause) {
        throw new InvalidInputError(`input is not valid JSON: ${(cause as Error).message}`, cause);
      }
    }
    return this.start(workflow, input, options);
  }

  /** Wait for a run to finish and return its output, or throw why it did not complete. */
  async result<O>(runId: string, options: { timeout?: Duration } = {}): Promise<O> {
    const deadline = options.timeout === undefined ? Infinity : this.clock.now() + toMillis(options.timeout);
    let pollMs = 20;
    for (;;) {
      // Executing here: wait for this execution to stop before reading the run at all.
      const local = this.worker?.executionOf(runId);
      if (local) await this.untilSettledOr(local, deadline);
      const run = await this.store.getRun(runId);
      if (!run) throw new RunNotFoundError(runId);
      if (run.status === 'completed') return decodePayload<O>(run.output);
      if (run.status === 'cancelled') throw new CancelledError(runId);
      if (isTerminal(run.status)) throw new RunFailedError(run);
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) {
        throw new HomeostatError('HS_TIMEOUT', `run ${runId} did not finish within the wait (it is ${run.status})`, { retryable: true });
      }
      // Woken at once by a local finish; polls for runs executed by other processes.
      await this.waitForFinish(runId, Math.min(pollMs, remaining));
      pollMs = Math.min(pollMs * 2, 1_000);
    }
  }

  private async untilSettledOr(work: Promise<unknown>, deadline: number): Promise<void> {
    if (deadline === Infinity) {
      await work.catch(() => undefined);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      work.catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - this.clock.now())))),
    ]);
    clearTimeout(timer);
  }

  private waitForFinish(runId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.finishWaiters.get(runId);
      if (!waiters) this.finishWaiters.set(runId, (waiters = new Set()));
      const wake = () => {
        clearTimeout(timer);
        waiters!.delete(wake);
        if (waiters!.size === 0) this.finishWaiters.delete(runId);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }

  /**
   * Send a signal to a run (queued if it is not waiting for it yet).
   * @example await engine.signal(runId, 'approve', { by: 'alice' });
   * @example await engine.signal('missing', 'approve'); // throws HS_RUN_NOT_FOUND
   */
  async signal(runId: string, name: string, payload: unknown = null): Promise<void> {
    const body = encodePayload(payload, `signal "${name}"`, this.payloadLimit);
    if (!(await this.store.sendSignal(runId, name, body, this.clock.now()))) throw new RunNotFoundError(runId);
    this.worker?.nudge();
  }

  /** Cancel a run: it stops at its next durable operation and runs its compensations. */
  async cancel(runId: string): Promise<RunRecord> {
    const run = await this.store.requestCancel(runId, this.clock.now());
    if (!run) throw new RunNotFoundError(runId);
    if (!this.worker?.interrupt(runId)) this.worker?.nudge();
    return run;
  }

  /**
   * Re-run a failed, parked or cancelled run from a step: by sequence number or name
   * (default: the failed step, or the earliest compensated step if compensations ran, so
   * no undone result is reused). Steps before it keep their recorded results.
   */
  async redrive(runId: string, options: { fromStep?: number | string } = {}): Promise<RunRecord> {
    const details = await this.describe(runId);
    const fromSeq = chooseRedriveSeq(details, options.fromStep);
    const run = await this.store.redrive(runId, fromSeq, this.clock.now());
    this.worker?.nudge();
    return run;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.store.getRun(runId);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    return this.store.listRuns(filter);
  }

  /** The dead-letter queue: runs that failed terminally or were parked. */
  async deadLetters(limit = 100): Promise<RunRecord[]> {
    return this.store.listRuns({ status: ['failed', 'parked'], limit });
  }

  async describe(runId: string): Promise<RunDetails> {
    const run = await this.store.getRun(runId);
    if (!run) throw new RunNotFoundError(runId);
    const [steps, attempts, modelAttempts] = await Promise.all([this.store.listSteps(runId), this.store.listAttempts(runId), this.store.listModelAttempts(runId)]);
    return { run, steps, attempts, modelAttempts };
  }

  /** Stop the worker (handing unfinished runs back to the queue), close the store, flush traces. */
  async close(graceMs = 5_000): Promise<void> {
    await this.worker?.stop(graceMs);
    if (this.ownsStore) await this.store.close();
    // The last engine (or `up`) to let go flushes the spans still batched.
    await this.tracing?.stop();
  }
}

function chooseRedriveSeq(details: RunDetails, fromStep: number | string | undefined): number {
  const { run, steps } = details;
  if (typeof fromStep === 'number') {
    if (!Number.isInteger(fromStep) || fromStep < 1) {
      throw new InvalidInputError(`fromStep must be a step number ≥ 1, got ${fromStep}`);
    }
    return fromStep;
  }
  if (typeof fromStep === 'string') {
    const match = steps.find((step) => step.name === fromStep && step.kind !== 'compensation');
    if (!match) throw new InvalidInputError(`run ${run.id} has no step named "${fromStep}"`);
    return match.seq;
  }
  const compensated = new Set(steps.filter((s) => s.kind === 'compensation').map((s) => s.name.replace(/^compensate:/, '')));
  const firstCompensated = steps.find((s) => s.kind !== 'compensation' && compensated.has(s.name));
  if (firstCompensated) return firstCompensated.seq;
  const failed = steps.find((s) => s.status === 'failed' && s.kind !== 'compensation');
  if (failed) return failed.seq;
  const lastRecorded = steps.filter((s) => s.kind !== 'compensation').at(-1);
  return lastRecorded ? lastRecorded.seq + 1 : 1;
}
