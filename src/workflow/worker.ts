import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isHomeostatError } from '../errors/homeostat-error.js';
import type { RunRecord } from '../store/records.js';
import type { RunStore } from '../store/store.js';
import type { WorkflowDefinition } from './define-workflow.js';
import { CancelledError } from './errors.js';
import { serializeError } from './payload.js';
import type { RunContext } from './run-context.js';
import { executeRun, type ExecutionResult, type ExecutorDeps } from './run-executor.js';

export interface WorkerOptions {
  /** Stable id for this worker (default: host, pid and a random suffix). */
  workerId?: string;
  /** Runs executed at once by this worker (default 100). */
  concurrency?: number;
  /** How often the lease is renewed (default 200 ms). */
  heartbeatIntervalMs?: number;
  /**
   * How long the lease lasts without a heartbeat (default 800 ms). After it expires
   * another worker takes the runs over; a shorter lease means faster takeover but less
   * tolerance for event-loop stalls (a stalled worker is fenced, never corrupting).
   */
  leaseMs?: number;
  /** How often the queue is polled for new, due and orphaned runs (default 100 ms). */
  pollIntervalMs?: number;
  /** Back-off before retrying a run whose execution hit an unexpected error (default 1 s). */
  errorRetryDelayMs?: number;
}

/**
 * Claims and executes runs: keeps its lease alive with heartbeats, polls the queue for
 * pending, due and orphaned runs (taking over those of dead workers), and delivers
 * cancellations to the runs it executes.
 */
export class Worker {
  readonly id: string;
  private readonly store: RunStore;
  private readonly workflows: Map<string, WorkflowDefinition>;
  private readonly deps: ExecutorDeps;
  private readonly concurrency: number;
  private readonly heartbeatIntervalMs: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly errorRetryDelayMs: number;
  private readonly active = new Map<string, RunContext | null>();
  private readonly executions = new Set<Promise<unknown>>();
  private readonly executionsByRun = new Map<string, Promise<unknown>>();
  private running = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private loopDone: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;
  private nudged = false;
  /** The last claim filled every free slot (or there was none): more work may be queued. */
  private backlog = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private unwatch: (() => Promise<void>) | undefined;

  constructor(store: RunStore, workflows: Map<string, WorkflowDefinition>, deps: ExecutorDeps, options: WorkerOptions = {}) {
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.store = store;
    this.workflows = workflows;
    this.deps = deps;
    this.concurrency = options.concurrency ?? 100;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 200;
    this.leaseMs = options.leaseMs ?? 800;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.errorRetryDelayMs = options.errorRetryDelayMs ?? 1_000;
  }

  get activeRuns(): number {
    return this.active.size;
  }

  get hasCapacity(): boolean {
    return this.running && this.active.size < this.concurrency;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.store.registerWorkflows([...this.workflows.keys()], this.deps.clock.now());
    // A worker restarted under the same id would otherwise renew the dead process's lease
    // and strand its runs; releasing first hands them back (and fences the old process).
    await this.store.releaseWorker(this.id, this.deps.clock.now());
    await this.heartbeat();
    this.unwatch = await this.store.watch?.(() => this.nudge());
    this.running = true;
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatIntervalMs);
    // First poll on the next macrotask, so listeners attached right after start see its claims.
    this.loopDone = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.pollLoop());
  }

  /** Poll now rather than at the next interval (new work was just created here). */
  nudge(): void {
    this.nudged = true;
    this.wakeLoop?.();
  }

  /**
   * Execute a run this worker already owns (created with `ownerId` = this worker).
   * `fresh`: it was created just now, so its history is known to be empty.
   */
  runOwned(run: RunRecord, fresh = false): Promise<ExecutionResult | undefined> {
    return this.launch(run, fresh);
  }

  /** The execution of `runId` in this worker, if one is under way (settles when it stops here). */
  executionOf(runId: string): Promise<unknown> | undefined {
    return this.executionsByRun.get(runId);
  }

  /** Deliver a cancellation to a run executing here, if it is. */
  interrupt(runId: string): boolean {
    const ctx = this.active.get(runId);
    if (!ctx) return false;
    ctx.interrupt(new CancelledError(runId));
    return true;
  }

  /**
   * Stop claiming, let running executions finish for up to `graceMs`, then hand every
   * run still owned back to the queue so other workers continue at once.
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.heartbeatTimer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await this.unwatch?.();
    this.wakeLoop?.();
    await this.loopDone;
    if (this.executions.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.executions]),
        new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    // Executions still going after the grace period must stop *here* before their runs are
    // handed back: otherwise a step in retry backoff kept starting attempts (running its
    // side effect again, concurrently with the worker that takes the run over) and late
    // results reached the workflow code of a worker that had already stopped.
    for (const ctx of this.active.values()) ctx?.abandon();
    await this.store.releaseWorker(this.id, this.deps.clock.now());
  }

  private async heartbeat(): Promise<void> {
    try {
      const now = this.deps.clock.now();
      const { cancelRequested } = await this.store.heartbeat(this.id, now + this.leaseMs, now);
      for (const runId of cancelRequested) this.interrupt(runId);
    } catch (error) {
      this.deps.events.emit({ type: 'worker-error', message: 'heartbeat failed', error: serializeError(error) });
    }
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      this.nudged = false;
      try {
        const capacity = this.concurrency - this.active.size;
        this.backlog = capacity <= 0;
        if (capacity > 0) {
          const claimed = await this.store.claimRuns(this.id, [...this.workflows.keys()], capacity, this.deps.clock.now());
          for (const run of claimed) {
            this.deps.events.emit({ type: 'run-claimed', runId: run.id, workflow: run.workflow, epoch: run.epoch, takeover: run.epoch > 1 });
            void this.launch(run);
          }
          this.backlog = claimed.length === capacity;
          if (claimed.length === capacity) continue;
        }
      } catch (error) {
        this.deps.events.emit({ type: 'worker-error', message: 'claiming runs failed', error: serializeError(error) });
      }
      if (this.nudged || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.pollIntervalMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wakeLoop = done;
      });
      this.wakeLoop = undefined;
    }
  }

  private retryLater(run: RunRecord): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.running) void this.relaunchIfStillOwned(run);
    }, this.errorRetryDelayMs);
    this.retryTimers.add(timer);
  }

  /**
   * Execute a run kept through a store outage again — only if it is still ours. The
   * outage may have outlasted our lease and another worker taken the run over; its
   * steps would then run a second time here (fenced at the checkpoint, but run). Renewing
   * the lease first means nobody can take the run between the check and the execution.
   */
  private async relaunchIfStillOwned(run: RunRecord): Promise<void> {
    try {
      const now = this.deps.clock.now();
      await this.store.heartbeat(this.id, now + this.leaseMs, now);
      const current = await this.store.getRun(run.id);
      if (current?.ownerId !== this.id || current.epoch !== run.epoch) {
        this.deps.events.emit({ type: 'run-lost', runId: run.id, workflow: run.workflow, epoch: run.epoch });
        return;
      }
    } catch {
      if (this.running) this.retryLater(run);
      return;
    }
    if (this.running) void this.launch(run);
  }

  private launch(run: RunRecord, fresh = false): Promise<ExecutionResult | undefined> {
    const definition = this.workflows.get(run.workflow);
    this.active.set(run.id, null);
    let result: ExecutionResult | undefined;
    const execution = (async () => {
      try {
        if (!definition) throw new Error(`workflow "${run.workflow}" is not registered in this worker`);
        result = await executeRun(run, definition, this.deps, (ctx) => this.active.set(run.id, ctx), fresh);
        return result;
      } catch (error) {
        // An unexpected failure (e.g. the database was unavailable): hand the run back to
        // the queue for a later retry. If even that fails the store is down: keep the run
        // (we still own its epoch) and execute it again here after the delay.
        this.deps.events.emit({ type: 'worker-error', message: `executing run ${run.id} failed`, error: serializeError(error) });
        const now = this.deps.clock.now();
        try {
          await this.store.suspendRun({ runId: run.id, epoch: run.epoch }, now + this.errorRetryDelayMs, {}, now);
        } catch (releaseError) {
          if (!isHomeostatError(releaseError, 'HS_FENCED')) this.retryLater(run);
        }
        return undefined;
      } finally {
        this.active.delete(run.id);
        // A freed slot is worth an immediate claim only when work may be queued: the last
        // claim filled every slot, or this run did not finish (suspended: it may be due at
        // once; failed: retried). Otherwise the poll interval (or a nudge from a local start
        // or the store's watch) picks up new runs; claiming after every finished run cost
        // a claim query (~100 µs on SQLite) per run.
        if (this.running && (this.backlog || result?.kind !== 'finished')) this.nudge();
      }
    })();
    this.executions.add(execution);
    this.executionsByRun.set(run.id, execution);
    void execution.finally(() => {
      this.executions.delete(execution);
      if (this.executionsByRun.get(run.id) === execution) this.executionsByRun.delete(run.id);
    });
    return execution;
  }
}
