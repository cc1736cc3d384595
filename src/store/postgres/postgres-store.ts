import type pg from 'pg';
import type { CheckpointWrites } from '../checkpoint-writes.js';
import type { Store } from '../store.js';
import type { AttemptRecord, Fence, NewRun, RunFilter, RunRecord, SerializedError, StepRecord, TerminalRunStatus, WakeConditions } from '../records.js';
import { isRedrivable } from '../records.js';
import { FencedError, InvalidRunStateError, RunNotFoundError, StoreOpenError, StoreUnavailableError } from '../store-errors.js';
import { ConnectionPool, parsePostgresUrl, redact, type PostgresStoreOptions, type PostgresTarget } from './connection.js';
import { migrate } from './migrate.js';
import { PostgresExecutor } from './postgres-executor.js';
import { SharedTablesStore } from '../sql/shared-tables-store.js';
import { toAttemptRecord, toRunRecord, toStepRecord, type AttemptRow, type RunRow, type StepRow } from '../rows.js';
import { WorkNotifier, workChannel } from './work-notifier.js';
import * as sql from './statements.js';

export type { PostgresStoreOptions, PostgresDurability } from './connection.js';

/**
 * The store for many machines: any number of worker and controller processes on any
 * hosts share one PostgreSQL database. Runs are claimed with `FOR UPDATE SKIP LOCKED`,
 * every owner write is fenced by the run's epoch under a row lock, and new or newly-due
 * work is announced with NOTIFY (see {@link PostgresStore.watch}).
 *
 * Connection failures surface as `HS_STORE_UNAVAILABLE` (retryable) and never leave a
 * half-written change: the engine hands the run back and retries it from its history.
 * The runs are written here (statements.ts: row locks, NOTIFY, per-statement durability);
 * every other port comes from {@link SharedTablesStore}.
 */
export class PostgresStore extends SharedTablesStore implements Store {
  readonly schema: string;
  private readonly db: ConnectionPool;
  private readonly target: PostgresTarget;
  private readonly channel: string;
  /** `synchronous_commit` for checkpoints and heartbeats: `off` in durability `normal`. */
  private readonly checkpointCommit: 'on' | 'off';
  /** For each run executing here: the server incarnation its history was loaded from. */
  private readonly loadedIn = new Map<string, number>();
  private readonly notifiers = new Set<WorkNotifier>();

  /** The shared tables' statements on this pool: what a step's `alongside` writes run through. */
  private readonly executor: PostgresExecutor;

  private constructor(target: PostgresTarget, db: ConnectionPool) {
    const executor = new PostgresExecutor(db);
    super(executor);
    this.executor = executor;
    this.target = target;
    this.db = db;
    this.schema = target.schema;
    this.channel = workChannel(target.schema);
    this.checkpointCommit = target.durability === 'normal' ? 'off' : 'on';
  }

  /**
   * Connect, create the schema if needed and bring it up to date (concurrent first
   * starts are serialised by an advisory lock).
   * @example const store = await PostgresStore.open('postgres://app@db:5432/prod?schema=homeostat');
   * @example await PostgresStore.open('postgres://nobody@127.0.0.1:1/x') // throws HS_STORE_OPEN
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const target = parsePostgresUrl(url, options);
    const db = new ConnectionPool(target);
    try {
      await migrate(db, target.schema);
    } catch (cause) {
      await db.end().catch(() => undefined);
      throw new StoreOpenError('HS_STORE_OPEN', `cannot open PostgreSQL store ${redact(url)}: ${(cause as Error).message}`, cause);
    }
    return new PostgresStore(target, db);
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    const { rows } = await this.db.query<RunRow>('creating a run', sql.CREATE_RUN, [
      run.id,
      run.workflow,
      run.input,
      run.ownerId ? 'running' : 'pending',
      run.ownerId ?? null,
      run.ownerId ? 1 : 0,
      run.parentId ?? null,
      run.deadlineAt ?? null,
      run.now,
      this.channel,
      run.traceparent ?? null,
      run.tracestate ?? null,
    ]);
    if (rows[0]) return { run: toRunRecord(rows[0]), created: true };
    const existing = await this.getRun(run.id);
    if (!existing) throw new StoreUnavailableError(`run ${run.id} was neither created nor found; retry`);
    return { run: existing, created: false };
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.db.query<RunRow>('reading a run', 'SELECT * FROM runs WHERE id = $1', [id]);
    return rows[0] ? toRunRecord(rows[0]) : undefined;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status?.length) {
      params.push(filter.status);
      where.push(`status = ANY($${params.length}::text[])`);
    }
    if (filter.workflow) {
      params.push(filter.workflow);
      where.push(`workflow = $${params.length}`);
    }
    if (filter.parentId) {
      params.push(filter.parentId);
      where.push(`parent_id = $${params.length}`);
    }
    params.push(filter.limit ?? 100);
    const text = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, row_seq DESC LIMIT $${params.length}`;
    const { rows } = await this.db.query<RunRow>('listing runs', text, params);
    return rows.map(toRunRecord);
  }

  async registerWorkflows(names: string[], now: number): Promise<void> {
    if (names.length === 0) return;
    await this.db.query('registering workflows', sql.REGISTER_WORKFLOWS, [names, now]);
  }

  async knownWorkflows(): Promise<string[]> {
    const { rows } = await this.db.query<{ name: string }>('listing workflows', 'SELECT name FROM workflow_types ORDER BY name');
    return rows.map((row) => row.name);
  }

  async heartbeat(workerId: string, leaseExpiresAt: number, now: number): Promise<{ cancelRequested: string[] }> {
    const { rows } = await this.db.query<{ id: string }>('renewing a worker lease', sql.HEARTBEAT, [workerId, leaseExpiresAt, now, this.checkpointCommit]);
    return { cancelRequested: rows.map((row) => row.id) };
  }

  async releaseWorker(workerId: string, now: number): Promise<void> {
    await this.db.query('releasing a worker', sql.RELEASE_WORKER, [workerId, now, this.channel]);
  }

  async claimRuns(workerId: string, workflows: string[], limit: number, now: number): Promise<RunRecord[]> {
    if (limit <= 0 || workflows.length === 0) return [];
    const { rows } = await this.db.query<RunRow>('claiming runs', sql.CLAIM_RUNS, [workerId, workflows, limit, now]);
    return rows.map(toRunRecord);
  }

  async nextWakeAt(workflows: string[]): Promise<number | null> {
    const { rows } = await this.db.query<{ wake: number | null }>('reading the next wake-up', sql.NEXT_WAKE, [workflows]);
    return rows[0]?.wake ?? null;
  }

  async loadHistory(runId: string, generation: number) {
    let incarnation = 0;
    const { rows } = await this.db.query<{ steps: StepRow[]; attempts: [number, number][] }>(
      'loading a run history',
      sql.LOAD_HISTORY,
      [runId, generation],
      () => (incarnation = this.db.incarnation),
    );
    this.loadedIn.set(runId, incarnation);
    const row = rows[0]!;
    return { steps: row.steps.map(toStepRecord), failedAttempts: new Map(row.attempts) };
  }

  /**
   * Refuse an owner write when the server restarted since this run's history was read
   * here: in `normal` durability a crash may have rolled back the last checkpoints, and
   * writing past such a gap would leave a history that replays wrongly. The engine then
   * reloads the history and continues from what is really recorded.
   */
  private checkIncarnation(fence: Fence): () => void {
    return () => {
      const loaded = this.loadedIn.get(fence.runId);
      if (loaded !== undefined && loaded !== this.db.incarnation) {
        this.loadedIn.delete(fence.runId);
        throw new StoreUnavailableError(`run ${fence.runId}: the database restarted since its history was loaded; reloading it`);
      }
    };
  }

  async saveStep(fence: Fence, step: StepRecord, alongside?: CheckpointWrites): Promise<void> {
    const params = [...stepParams(fence, step), this.checkpointCommit];
    if (alongside === undefined) {
      const result = await this.db.query('recording a step', sql.SAVE_STEP, params, this.checkIncarnation(fence));
      if (result.rowCount === 0) await this.refuse(fence, step);
      return;
    }
    if (alongside.executor !== this.executor) {
      // Another database's statements cannot join this transaction: theirs commit first.
      await alongside.executor.transaction('writing alongside a checkpoint', alongside.statements);
      return this.saveStep(fence, step);
    }
    // The step first (it takes the run's fence row FOR SHARE), then the statements, which a
    // refused step (it changed nothing) skips. The transaction's synchronous_commit is the checkpoint's.
    const saved = await this.db.transaction(
      'recording a step',
      async (client) => {
        const result = await client.query(sql.SAVE_STEP, params);
        if (result.rowCount === 0) return false;
        await this.executor.runOn(client, alongside.statements);
        return true;
      },
      this.checkIncarnation(fence),
    );
    if (!saved) await this.refuse(fence, step);
  }

  /** A fenced write changed nothing: say whether the fence or a duplicate refused it. */
  private async refuse(fence: Fence, step?: StepRecord): Promise<never> {
    const { rows } = await this.db.query<{ epoch: number }>('checking a fence', 'SELECT epoch FROM runs WHERE id = $1', [fence.runId]);
    if (rows[0]?.epoch !== fence.epoch) this.fenced(fence);
    throw new InvalidRunStateError(fence.runId, `already recorded at step #${step?.seq ?? '?'}`, 'record a step of');
  }

  private fenced(fence: Fence): never {
    this.loadedIn.delete(fence.runId);
    throw new FencedError(fence.runId, fence.epoch);
  }

  async recordAttempt(fence: Fence, attempt: AttemptRecord): Promise<void> {
    const result = await this.db.query(
      'recording an attempt',
      sql.RECORD_ATTEMPT,
      [
        fence.runId,
        fence.epoch,
        attempt.seq,
        attempt.generation,
        attempt.attempt,
        attempt.startedAt,
        attempt.finishedAt,
        JSON.stringify(attempt.error),
        this.checkpointCommit,
      ],
      this.checkIncarnation(fence),
    );
    if (result.rowCount === 0) this.fenced(fence);
  }

  async listAttempts(runId: string): Promise<AttemptRecord[]> {
    const { rows } = await this.db.query<AttemptRow>('listing attempts', 'SELECT * FROM attempts WHERE run_id = $1 ORDER BY id', [runId]);
    return rows.map(toAttemptRecord);
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    const { rows } = await this.db.query<StepRow>('listing steps', 'SELECT * FROM steps WHERE run_id = $1 ORDER BY seq', [runId]);
    return rows.map(toStepRecord);
  }

  async suspendRun(fence: Fence, wakeAt: number | null, conditions: WakeConditions, now: number): Promise<void> {
    // Lock the run row first: a signal or a finishing child updates this row after
    // inserting, so it either committed before the lock (and the check below, a new
    // statement with a new snapshot, sees it) or waits and then finds the run waiting.
    await this.db.transaction(
      'suspending a run',
      async (client) => {
        const locked = await client.query<{ epoch: number }>('SELECT epoch FROM runs WHERE id = $1 FOR UPDATE', [fence.runId]);
        if (locked.rows[0]?.epoch !== fence.epoch) this.fenced(fence);
        await client.query(sql.SUSPEND_RUN, [fence.runId, wakeAt, conditions.signals ?? [], conditions.children ?? [], now, this.channel]);
      },
      this.checkIncarnation(fence),
    );
    this.loadedIn.delete(fence.runId);
  }

  async finishRun(
    fence: Fence,
    outcome: { status: TerminalRunStatus; output: string | null; error: SerializedError | null },
    now: number,
  ): Promise<void> {
    const { rows } = await this.db.query<{ finished: number }>(
      'finishing a run',
      sql.FINISH_RUN,
      [fence.runId, fence.epoch, outcome.status, outcome.output, outcome.error ? JSON.stringify(outcome.error) : null, now, this.channel],
      this.checkIncarnation(fence),
    );
    if (rows[0]?.finished !== 1) this.fenced(fence);
    this.loadedIn.delete(fence.runId);
  }

  async sendSignal(runId: string, name: string, payload: string | null, now: number): Promise<boolean> {
    const { rows } = await this.db.query<{ inserted: number }>('sending a signal', sql.SEND_SIGNAL, [runId, name, payload, now, this.channel]);
    return rows[0]?.inserted === 1;
  }

  async consumeSignal(fence: Fence, name: string, step: StepRecord): Promise<{ payload: string | null } | undefined> {
    return this.db.transaction(
      'consuming a signal',
      async (client) => {
        const locked = await client.query<{ epoch: number }>('SELECT epoch FROM runs WHERE id = $1 FOR SHARE', [fence.runId]);
        if (locked.rows[0]?.epoch !== fence.epoch) this.fenced(fence);
        const { rows } = await client.query<{ id: number; payload: string | null }>(sql.OLDEST_SIGNAL, [fence.runId, name]);
        const signal = rows[0];
        if (!signal) return undefined;
        const saved = await client.query(sql.SAVE_STEP, [...stepParams(fence, { ...step, output: signal.payload }), 'on']);
        if (saved.rowCount === 0) throw new InvalidRunStateError(fence.runId, `already recorded at step #${step.seq}`, 'record a step of');
        await client.query('UPDATE signals SET consumed_at = $1 WHERE id = $2', [step.finishedAt ?? step.startedAt, signal.id]);
        return { payload: signal.payload };
      },
      this.checkIncarnation(fence),
    );
  }

  async requestCancel(runId: string, now: number): Promise<RunRecord | undefined> {
    const error = JSON.stringify({ name: 'CancelledError', code: 'HS_CANCELLED', message: `run ${runId} was cancelled` });
    return this.db.transaction('cancelling a run', async (client) => {
      // A run that never started has nothing to compensate: cancel it in place.
      const cancelled = await client.query(sql.CANCEL_UNSTARTED, [runId, now, error]);
      if (cancelled.rowCount === 0) await client.query(sql.REQUEST_CANCEL, [runId, now, this.channel]);
      const { rows } = await client.query<RunRow>('SELECT * FROM runs WHERE id = $1', [runId]);
      return rows[0] ? toRunRecord(rows[0]) : undefined;
    });
  }

  async redrive(runId: string, fromSeq: number, now: number): Promise<RunRecord> {
    return this.db.transaction('redriving a run', async (client) => {
      const { rows } = await client.query<RunRow>('SELECT * FROM runs WHERE id = $1 FOR UPDATE', [runId]);
      const row = rows[0];
      if (!row) throw new RunNotFoundError(runId);
      if (!isRedrivable(row.status)) throw new InvalidRunStateError(runId, row.status, 'redrive');
      await client.query("DELETE FROM steps WHERE run_id = $1 AND (seq >= $2 OR kind = 'compensation')", [runId, fromSeq]);
      const updated = await client.query<RunRow>(sql.REDRIVE, [runId, now, this.channel]);
      return toRunRecord(updated.rows[0]!);
    });
  }

  /**
   * LISTEN for new and newly-due runs on a dedicated connection, re-established after
   * any loss (with one catch-up call to `onWork`, as notifications sent meanwhile are lost).
   */
  async watch(onWork: () => void): Promise<() => Promise<void>> {
    const notifier = new WorkNotifier(this.target, onWork);
    this.notifiers.add(notifier);
    await notifier.start();
    return async () => {
      this.notifiers.delete(notifier);
      await notifier.stop();
    };
  }

  /** The pool, for tests and tools that need raw SQL (e.g. to kill connections). */
  get pool(): pg.Pool {
    return this.db.pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.notifiers].map((notifier) => notifier.stop()));
    this.notifiers.clear();
    await this.db.end();
  }
}

function stepParams(fence: Fence, step: StepRecord): unknown[] {
  return [
    fence.runId,
    fence.epoch,
    step.seq,
    step.name,
    step.kind,
    step.status,
    step.output,
    step.error ? JSON.stringify(step.error) : null,
    step.attempts,
    step.startedAt,
    step.finishedAt,
  ];
}
