import { isHomeostatError } from '../errors/homeostat-error.js';
import type { Clock } from '../resilience/clock.js';
import { toMillis, type Duration } from '../resilience/duration.js';
import type { Random } from '../resilience/random.js';
import type { Fence, RunRecord, StepKind, StepRecord, WakeConditions } from '../store/records.js';
import type { RunStore } from '../store/store.js';
import type { WorkflowDefinition } from './define-workflow.js';
import type { EngineEvents } from './engine-events.js';
import { CancelledError, ChildFailedError, DeterminismError, ExecutionHaltedError, StepFailedError } from './errors.js';
import { decodePayload, encodePayload } from './payload.js';
import { beginRunStart, traceStep, type ExecutionTrace } from './run-tracing.js';
import { writeAlone, type CheckpointCompanion } from './checkpoint-companion.js';
import { runStep, type StepRunRequest } from './step-runner.js';
import { tracingOn } from '../telemetry/tracing.js';
import type {
  ChildHandle,
  StartChildOptions,
  StepContext,
  StepOptions,
  WaitForSignalOptions,
  WorkflowContext,
} from './workflow-context.js';

/** Why a run stopped executing before its function settled. */
export type Halt =
  | { kind: 'suspend'; wakeAt: number | null; conditions: WakeConditions }
  | { kind: 'park'; error: DeterminismError }
  | { kind: 'fenced'; error: Error }
  /** The store failed (not the workflow): the worker retries the execution later. */
  | { kind: 'store-error'; error: unknown };

export interface RunContextDeps {
  store: RunStore;
  clock: Clock;
  random: Random;
  payloadLimit: number;
  /** Waits shorter than this stay in memory; longer ones suspend the run and free the worker. */
  inMemoryWaitMs: number;
  /** Tell the local worker that new work (a child run) exists. */
  nudge: () => void;
  /** Where step timings go (the `step-finished` event), when someone listens. */
  events?: EngineEvents;
}

interface Compensation {
  /** The compensated step's position: compensations are ordered by it, not by completion time. */
  seq: number;
  name: string;
  undo: () => Promise<unknown> | unknown;
}

/** Resolves never: what an operation returns once the run is halting. */
const NEVER = new Promise<never>(() => undefined);

/**
 * One execution of one run: replays recorded history, records new operations, and
 * decides when the run must halt (suspend for a durable wait, park on a determinism
 * error, or drop it after losing ownership).
 */
export class RunContext implements WorkflowContext {
  readonly runId: string;
  readonly workflowName: string;
  readonly signal: AbortSignal;
  /** Resolves when the run must stop executing; the executor races it with the function. */
  readonly halted: Promise<Halt>;

  private readonly run: RunRecord;
  private readonly fence: Fence;
  private readonly deps: RunContextDeps;
  private readonly history: Map<number, StepRecord>;
  private readonly failedAttempts: Map<number, number>;
  private readonly abort = new AbortController();
  private readonly compensations: Compensation[] = [];
  private readonly waits: { wakeAt: number | null; conditions: WakeConditions }[] = [];
  private nextSeq = 1;
  private inflight = 0;
  private halt: Halt | undefined;
  private suspending = false;
  private compensating = false;
  private compensationAbort = new AbortController();
  private resolveHalt!: (halt: Halt) => void;

  /** Tracing on: this execution's trace, which its steps and child runs hang from (run-tracing.ts). */
  private readonly trace: ExecutionTrace | undefined;

  constructor(run: RunRecord, history: StepRecord[], failedAttempts: Map<number, number>, deps: RunContextDeps, trace?: ExecutionTrace) {
    this.run = run;
    this.trace = trace;
    this.runId = run.id;
    this.workflowName = run.workflow;
    this.fence = { runId: run.id, epoch: run.epoch };
    this.deps = deps;
    this.history = new Map(history.map((step) => [step.seq, step]));
    this.failedAttempts = failedAttempts;
    this.signal = this.abort.signal;
    this.halted = new Promise<Halt>((resolve) => (this.resolveHalt = resolve));
  }

  /** Stop the run at its next durable operation with `reason` (cancellation or workflow timeout). */
  interrupt(reason: Error): void {
    if (!this.abort.signal.aborted) this.abort.abort(reason);
  }

  /**
   * Stop executing this run here without recording anything (the worker is stopping and
   * hands the run back): in-flight steps see their signal abort, retries stop, and every
   * later durable operation never settles. The executor reports the run as lost.
   */
  abandon(): void {
    void this.haltWith({ kind: 'fenced', error: new Error(`run ${this.runId} was handed back by its stopping worker`) });
  }

  get haltState(): Halt | undefined {
    return this.halt;
  }

  /** Recorded entries the code never reached: a sign the code changed under the run. */
  unreachedHistory(): StepRecord | undefined {
    for (const step of this.history.values()) {
      if (step.seq >= this.nextSeq && step.kind !== 'compensation') return step;
    }
    return undefined;
  }

  // ---- durable operations -------------------------------------------------------------

  async step<T>(name: string, fn: (step: StepContext) => Promise<T> | T, options: StepOptions<T> = {}): Promise<T> {
    return this.durableStep(name, 'step', fn, options);
  }

  private async durableStep<T>(
    name: string,
    kind: StepKind,
    fn: (step: StepContext) => Promise<T> | T,
    options: StepOptions<T>,
  ): Promise<T> {
    if (this.halt || this.suspending) return NEVER;
    const seq = this.nextSeq++;
    const recorded = this.replayed(seq, name, kind);
    if (recorded) {
      if (recorded.status === 'failed') throw new StepFailedError(name, recorded.error!, recorded.attempts);
      const value = decodePayload<T>(recorded.output);
      this.addCompensation(seq, name, value, options);
      return value;
    }
    this.throwIfInterrupted();
    this.inflight++;
    const startedAt = this.deps.clock.now();
    try {
      const request: StepRunRequest<T> = {
        runId: this.runId,
        seq,
        generation: this.run.generation,
        name,
        fn,
        options,
        priorFailedAttempts: this.failedAttempts.get(seq) ?? 0,
        runSignal: this.compensating ? this.compensationAbort.signal : this.abort.signal,
        payloadLimit: this.deps.payloadLimit,
      };
      const { store, clock, random } = this.deps;
      const outcome = this.trace && tracingOn()
        ? await traceStep({ name, seq, kind }, this.trace, (trace) => runStep(Object.assign(request, { trace }), store, this.fence, clock, random))
        : await runStep(request, store, this.fence, clock, random);
      const finishedAt = this.deps.clock.now();
      if (outcome.ok) {
        await this.save({ seq, name, kind, status: 'completed', output: outcome.output, error: null, attempts: outcome.attempts, startedAt, finishedAt }, outcome.companion);
        this.reportStep(name, 'completed', outcome.attempts, finishedAt - startedAt);
        const value = decodePayload<T>(outcome.output);
        this.addCompensation(seq, name, value, options);
        return value;
      }
      await this.save({ seq, name, kind, status: 'failed', output: null, error: outcome.error, attempts: outcome.attempts, startedAt, finishedAt });
      this.reportStep(name, 'failed', outcome.attempts, finishedAt - startedAt);
      throw new StepFailedError(name, outcome.error, outcome.attempts);
    } catch (error) {
      // Only the step's own terminal failure and the run's interruption reach the workflow
      // code; a store failure is not the workflow's fault and must not fail the run.
      if (error instanceof StepFailedError || this.isInterruption(error)) throw error;
      return this.haltOnStoreError(error);
    } finally {
      this.inflight--;
      this.maybeSuspend();
    }
  }

  sleep(duration: Duration): Promise<void> {
    return this.sleepOp('sleep', () => this.deps.clock.now() + toMillis(duration));
  }

  sleepUntil(timeMs: number): Promise<void> {
    return this.sleepOp('sleepUntil', () => timeMs);
  }

  private async sleepOp(name: string, wakeTime: () => number): Promise<void> {
    if (this.halt || this.suspending) return NEVER;
    const seq = this.nextSeq++;
    const recorded = this.replayed(seq, name, 'sleep');
    let wakeAt: number;
    if (recorded) {
      wakeAt = decodePayload<{ wakeAt: number }>(recorded.output).wakeAt;
    } else {
      this.throwIfInterrupted();
      wakeAt = wakeTime();
      const now = this.deps.clock.now();
      await this.save({ seq, name, kind: 'sleep', status: 'completed', output: JSON.stringify({ wakeAt }), error: null, attempts: 1, startedAt: now, finishedAt: now });
    }
    return this.waitUntil(wakeAt, {});
  }

  /** Wait until `wakeAt`: in memory when it is near, otherwise by suspending the run. */
  private async waitUntil(wakeAt: number, conditions: WakeConditions): Promise<void> {
    const remaining = wakeAt - this.deps.clock.now();
    if (remaining <= 0) return;
    this.throwIfInterrupted();
    if (remaining <= this.deps.inMemoryWaitMs) {
      // Counted as in flight so a suspension triggered meanwhile waits for this sleep.
      this.inflight++;
      try {
        await this.deps.clock.sleep(remaining, this.abort.signal);
      } finally {
        this.inflight--;
        this.maybeSuspend();
      }
      return;
    }
    return this.suspendUntil(this.capByDeadline(wakeAt), conditions);
  }

  async waitForSignal<T = unknown>(name: string, options: WaitForSignalOptions = {}): Promise<T | undefined> {
    if (this.halt || this.suspending) return NEVER;
    const seq = this.nextSeq++;
    const recorded = this.replayed(seq, name, 'signal');
    if (recorded?.status === 'completed') return decodePayload<T>(recorded.output);
    if (recorded?.status === 'failed') return undefined; // timed out
    this.throwIfInterrupted();
    const now = this.deps.clock.now();
    let deadline: number | null;
    if (recorded) {
      deadline = decodePayload<{ deadline: number | null }>(recorded.output).deadline;
    } else {
      deadline = options.timeout === undefined ? null : now + toMillis(options.timeout);
      await this.save({ seq, name, kind: 'signal', status: 'waiting', output: JSON.stringify({ deadline }), error: null, attempts: 1, startedAt: now, finishedAt: null });
    }
    const step: StepRecord = { runId: this.runId, seq, name, kind: 'signal', status: 'completed', output: null, error: null, attempts: 1, startedAt: recorded?.startedAt ?? now, finishedAt: now };
    const received = await this.guard(() => this.deps.store.consumeSignal(this.fence, name, step));
    if (received) return decodePayload<T>(received.payload);
    if (deadline !== null && now >= deadline) {
      await this.save({ ...step, status: 'failed', error: { name: 'SignalTimeout', code: 'HS_SIGNAL_TIMEOUT', message: `no "${name}" signal before the timeout` } });
      return undefined;
    }
    return this.suspendUntil(deadline === null ? this.capByDeadline(null) : this.capByDeadline(deadline), { signals: [name] });
  }

  async now(): Promise<number> {
    return this.recordValue('now', 'now', () => this.deps.clock.now());
  }

  async random(): Promise<number> {
    return this.recordValue('random', 'random', () => this.deps.random());
  }

  private async recordValue(name: string, kind: StepKind, produce: () => number): Promise<number> {
    if (this.halt || this.suspending) return NEVER;
    const seq = this.nextSeq++;
    const recorded = this.replayed(seq, name, kind);
    if (recorded) return decodePayload<number>(recorded.output);
    this.throwIfInterrupted();
    const value = produce();
    const now = this.deps.clock.now();
    await this.save({ seq, name, kind, status: 'completed', output: JSON.stringify(value), error: null, attempts: 1, startedAt: now, finishedAt: now });
    return value;
  }

  async startChild<I, O>(workflow: WorkflowDefinition<I, O> | string, input: I, options: StartChildOptions = {}): Promise<ChildHandle<O>> {
    if (this.halt || this.suspending) return NEVER;
    const workflowName = typeof workflow === 'string' ? workflow : workflow.name;
    const seq = this.nextSeq++;
    const recorded = this.replayed(seq, workflowName, 'child-start');
    let childId: string;
    if (recorded) {
      childId = decodePayload<{ childId: string }>(recorded.output).childId;
    } else {
      this.throwIfInterrupted();
      childId = options.id ?? `${this.runId}.${seq}`;
      const now = this.deps.clock.now();
      const input_ = encodePayload(input, `input of child ${workflowName}`, this.deps.payloadLimit);
      // The child's trace continues this run's: its start is a child of this execution's span.
      const traced = this.trace && tracingOn() ? beginRunStart(workflowName, childId, this.runId, this.trace.context) : undefined;
      const created = await this.guard(() =>
        this.deps.store.createRun({
          id: childId,
          workflow: workflowName,
          input: input_,
          parentId: this.runId,
          deadlineAt: null,
          traceparent: traced?.traceparent ?? null,
          tracestate: traced?.tracestate ?? null,
          now,
        }),
      );
      traced?.end(created.created);
      await this.save({ seq, name: workflowName, kind: 'child-start', status: 'completed', output: JSON.stringify({ childId }), error: null, attempts: 1, startedAt: now, finishedAt: now });
      this.deps.nudge();
    }
    return { id: childId, result: () => this.childResult<O>(childId) };
  }

  async child<I, O>(workflow: WorkflowDefinition<I, O> | string, input: I, options: StartChildOptions = {}): Promise<O> {
    const handle = await this.startChild(workflow, input, options);
    return handle.result();
  }

  private async childResult<O>(childId: string): Promise<O> {
    if (this.halt || this.suspending) return NEVER;
    const seq = this.nextSeq++;
    const recorded = this.replayed(seq, childId, 'child-result');
    if (recorded?.status === 'completed') return decodePayload<O>(recorded.output);
    if (recorded?.status === 'failed') throw new ChildFailedError(childId, 'failed', recorded.error);
    this.throwIfInterrupted();
    const child = await this.guard(() => this.deps.store.getRun(childId));
    const now = this.deps.clock.now();
    const base = { seq, name: childId, kind: 'child-result' as const, attempts: 1, startedAt: now, finishedAt: now };
    if (child?.status === 'completed') {
      await this.save({ ...base, status: 'completed', output: child.output, error: null });
      return decodePayload<O>(child.output);
    }
    if (!child || child.status === 'failed' || child.status === 'cancelled' || child.status === 'parked') {
      const error = child?.error ?? { name: 'ChildMissing', message: `child run ${childId} does not exist` };
      await this.save({ ...base, status: 'failed', output: null, error: { ...error, stack: undefined } });
      throw new ChildFailedError(childId, child?.status ?? 'missing', error);
    }
    // Not finished: nothing is recorded at this position; the child's completion makes
    // this run due again and replay reaches the same position.
    return this.suspendUntil(this.capByDeadline(null), { children: [childId] });
  }

  // ---- compensation (saga) ------------------------------------------------------------

  /**
   * Undo completed steps in reverse order, each as a durable step of its own, so a
   * crash mid-way resumes the remaining compensations without repeating finished ones.
   * Returns the names of compensations that failed terminally.
   */
  async compensate(): Promise<string[]> {
    this.compensating = true;
    this.compensationAbort = new AbortController();
    const failures: string[] = [];
    // Reverse *call* order (seq), not reverse completion order: parallel steps complete in
    // a different order on replay (recorded ones resolve at once), and the compensation
    // entries must land at the same history positions after a takeover mid-compensation.
    const ordered = [...this.compensations].sort((x, y) => y.seq - x.seq);
    for (const compensation of ordered) {
      if (this.halt) break;
      try {
        // Once the run halts (fence lost, history mismatch) a durable step returns a promise
        // that never settles; racing `halted` lets compensation stop instead of hanging forever.
        await Promise.race([
          this.durableStep(`compensate:${compensation.name}`, 'compensation', () => compensation.undo(), {
            retry: { maxAttempts: 5, initialDelay: 200, maxDelay: 10_000 },
          }),
          this.halted,
        ]);
      } catch (error) {
        // A halt (e.g. a determinism error on a compensation entry) is not a compensation
        // failure: stop here and let the executor apply it (park / drop), rather than
        // rethrowing into the worker, which retried the run forever.
        if (this.halt) break;
        failures.push(`${compensation.name}: ${(error as Error).message}`);
      }
    }
    return failures;
  }

  // ---- internals ----------------------------------------------------------------------

  /** The recorded entry at `seq`, after checking that the code still asks for the same thing. */
  private replayed(seq: number, name: string, kind: StepKind): StepRecord | undefined {
    const recorded = this.history.get(seq);
    if (!recorded) return undefined;
    if (recorded.name !== name || recorded.kind !== kind) {
      const error = new DeterminismError(this.runId, seq, `${recorded.kind} "${recorded.name}"`, `${kind} "${name}"`);
      this.haltWith({ kind: 'park', error }).catch(() => undefined);
      throw error;
    }
    return recorded;
  }

  private reportStep(step: string, status: 'completed' | 'failed', attempts: number, durationMs: number): void {
    const events = this.deps.events;
    if (events?.hasListeners) {
      events.emit({ type: 'step-finished', runId: this.runId, workflow: this.workflowName, step, status, attempts, durationMs });
    }
  }

  private addCompensation<T>(seq: number, name: string, value: T, options: StepOptions<T>): void {
    const undo = options.compensate;
    if (undo) this.compensations.push({ seq, name, undo: () => undo(value) });
  }

  private throwIfInterrupted(): void {
    if (this.compensating) return;
    if (this.abort.signal.aborted) {
      const reason: unknown = this.abort.signal.reason;
      throw reason instanceof Error ? reason : new CancelledError(this.runId);
    }
  }

  private capByDeadline(wakeAt: number | null): number | null {
    const deadline = this.run.deadlineAt;
    if (deadline === null || this.compensating) return wakeAt;
    return wakeAt === null ? deadline : Math.min(wakeAt, deadline);
  }

  /** Record a step; with `companion`, its writes in the same commit (made on their own if the step cannot be recorded). */
  private async save(entry: Omit<StepRecord, 'runId'>, companion?: CheckpointCompanion): Promise<void> {
    if (companion === undefined) {
      await this.guard(() => this.deps.store.saveStep(this.fence, { runId: this.runId, ...entry }));
      return;
    }
    await this.guard(() =>
      this.deps.store.saveStep(this.fence, { runId: this.runId, ...entry }, companion).catch((error: unknown) => {
        writeAlone(companion);
        throw error;
      }),
    );
  }

  /**
   * Run a store call. Its failures halt the execution instead of reaching workflow code:
   * losing the fence drops the run; any other store error hands it back for a retry.
   */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      return this.haltOnStoreError(error);
    }
  }

  private haltOnStoreError(error: unknown): Promise<never> {
    if (isHomeostatError(error, 'HS_FENCED')) return this.haltWith({ kind: 'fenced', error });
    return this.haltWith({ kind: 'store-error', error });
  }

  private isInterruption(error: unknown): boolean {
    return (
      (this.abort.signal.aborted && error === this.abort.signal.reason) ||
      (this.compensationAbort.signal.aborted && error === this.compensationAbort.signal.reason)
    );
  }

  private suspendUntil(wakeAt: number | null, conditions: WakeConditions): Promise<never> {
    this.waits.push({ wakeAt, conditions });
    this.suspending = true;
    // Let operations started in the same turn (Promise.all of waits) register too.
    setImmediate(() => this.maybeSuspend());
    return NEVER;
  }

  private maybeSuspend(): void {
    if (!this.suspending || this.inflight > 0 || this.halt) return;
    let wakeAt: number | null = null;
    const conditions: Required<WakeConditions> = { signals: [], children: [] };
    for (const wait of this.waits) {
      if (wait.wakeAt !== null) wakeAt = wakeAt === null ? wait.wakeAt : Math.min(wakeAt, wait.wakeAt);
      conditions.signals.push(...(wait.conditions.signals ?? []));
      conditions.children.push(...(wait.conditions.children ?? []));
    }
    void this.haltWith({ kind: 'suspend', wakeAt, conditions });
  }

  private haltWith(halt: Halt): Promise<never> {
    if (!this.halt) {
      this.halt = halt;
      this.resolveHalt(halt);
      // A suspension happens only with nothing in flight, so there is nothing to stop; any
      // other halt means this execution must stop now (its work would be refused or wasted).
      if (halt.kind !== 'suspend' && !this.abort.signal.aborted) {
        this.abort.abort(new ExecutionHaltedError(this.runId, halt.kind));
      }
    }
    return NEVER;
  }
}
