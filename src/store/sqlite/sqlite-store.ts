import Database from 'better-sqlite3';
import { dirname, resolve } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile } from '../private-state.js';
import type { CheckpointWrites } from '../checkpoint-writes.js';
import type { Store } from '../store.js';
import type { AttemptRecord, Fence, NewRun, RunFilter, RunRecord, SerializedError, StepRecord, TerminalRunStatus, WakeConditions } from '../records.js';
import { isRedrivable } from '../records.js';
import { TERMINAL_RUN_STATUSES_SQL } from '../sql/sql-lists.js';
import { FencedError, InvalidRunStateError, RunNotFoundError, StoreOpenError } from '../store-errors.js';
import { StoreHealth } from '../store-health.js';
import { guardStore } from './store-guard.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { GroupCommit } from './group-commit.js';
import { SqliteExecutor } from './sqlite-executor.js';
import { SharedTablesStore } from '../sql/shared-tables-store.js';
import { toAttemptRecord, toRunRecord, toStepRecord, type AttemptRow, type RunRow, type StepRow } from '../rows.js';

/**
 * How much a commit survives.
 * - `normal` (default): WAL with `synchronous=NORMAL`. A crash of any process loses
 *   nothing; a power loss or OS crash may roll back the last few commits (the file
 *   stays consistent).
 * - `full`: `synchronous=FULL`, an fsync per commit: survives power loss too.
 */
export type SqliteDurability = 'normal' | 'full';

export interface SqliteStoreOptions {
  durability?: SqliteDurability;
  /** How long a writer waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
  /** How often the file's identity is checked (a deleted or replaced file fails every call with HS_STORE_LOST). Default 2 s. */
  identityCheckEveryMs?: number;
  /** `PRAGMA quick_check` at open, refusing a corrupt file (default true). */
  integrityCheck?: boolean;
  /** A full disk counts as over once writes have succeeded this long with no failure (default 5 s). */
  healthyAfterMs?: number;
}

const CLAIMABLE = `
  SELECT r.id FROM runs r LEFT JOIN workers w ON w.id = r.owner_id
  WHERE r.workflow IN (SELECT value FROM json_each(@workflows))
    AND EXISTS (SELECT 1 FROM workers me WHERE me.id = @workerId AND me.lease_expires_at >= @now)
    AND (
      (r.status = 'pending' AND (r.owner_id IS NULL OR w.id IS NULL OR w.lease_expires_at < @now))
      OR (r.status = 'waiting' AND r.wake_at IS NOT NULL AND r.wake_at <= @now)
      OR (r.status = 'running' AND (w.id IS NULL OR w.lease_expires_at < @now))
    )
  ORDER BY r.created_at
  LIMIT @limit`;

/**
 * The embedded store: one SQLite file in WAL mode, shared safely by any number of
 * worker processes on one machine (SQLite's write lock serialises the fenced writes).
 * The runs are written here, on statements prepared once (the benchmarked hot path, with
 * its group commit); every other port comes from {@link SharedTablesStore}.
 */
export class SqliteStore extends SharedTablesStore implements Store {
  readonly path: string;
  /** Faults seen by this store's calls (full disk, lost file, corruption), for metrics and warnings. */
  readonly health: StoreHealth;
  private readonly db: Database.Database;
  private readonly statements: ReturnType<SqliteStore['prepare']>;
  /** Commits the writes of concurrent runs together (see GroupCommit). */
  private readonly commits: GroupCommit;
  /** The shared tables' statements on this connection: what a step's `alongside` writes run through. */
  private readonly executor: SqliteExecutor;

  private constructor(path: string, db: Database.Database, health: StoreHealth) {
    const commits = new GroupCommit(db);
    const executor = new SqliteExecutor(db, commits);
    super(executor);
    this.executor = executor;
    this.path = path;
    this.health = health;
    this.db = db;
    this.statements = this.prepare();
    this.commits = commits;
    this.saveStepWith = db.transaction((fence: Fence, step: StepRecord, statements: CheckpointWrites['statements']) => {
      const info = this.statements.upsertStep.run(stepParams(fence, step));
      if (info.changes === 0) this.refuse(fence, step);
      executor.runInTransaction(statements);
    }).immediate;
  }

  /**
   * Open (creating if needed) the store at `path` and bring its schema up to date.
   * @example const store = SqliteStore.open('.homeostat/homeostat.db');
   * @example SqliteStore.open('/etc/passwd') // throws HS_STORE_CORRUPT: not an SQLite database
   * @example SqliteStore.open('damaged.db') // throws HS_STORE_CORRUPT naming the file and the first problems quick_check found
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const absolute = path === ':memory:' ? path : resolve(path);
    if (absolute !== ':memory:') {
      // Private from the start: the store holds token hashes, config text and the audit log.
      ensurePrivateDir(dirname(absolute));
      ensurePrivateFile(absolute);
    }
    let db: Database.Database;
    try {
      db = new Database(absolute);
    } catch (cause) {
      throw new StoreOpenError('HS_STORE_OPEN', `cannot open SQLite store ${absolute}: ${(cause as Error).message}`, cause);
    }
    try {
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      // Checkpoint the WAL into the database every ~40 MiB of WAL instead of SQLite's
      // default ~4 MiB: a checkpoint runs synchronously inside the commit that crosses the
      // threshold (fsyncs included), and a larger WAL rewrites each hot page once per
      // checkpoint rather than ten times. Durability is unchanged (it is set by synchronous).
      db.pragma('wal_autocheckpoint = 10000');
      if (absolute !== ':memory:' && options.integrityCheck !== false) checkIntegrity(db, absolute);
      migrate(db);
    } catch (cause) {
      db.close();
      if (cause instanceof StoreOpenError) throw cause;
      const code = (cause as { code?: string }).code;
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        const what = code === 'SQLITE_NOTADB' ? 'is not an SQLite database' : `is corrupt (${(cause as Error).message})`;
        throw new StoreOpenError('HS_STORE_CORRUPT', `${absolute} ${what}: restore it from a backup, or move it aside to start with an empty store`, cause);
      }
      throw new StoreOpenError('HS_STORE_OPEN', `cannot open SQLite store ${absolute}: ${(cause as Error).message}`, cause);
    }
    const store = new SqliteStore(absolute, db, new StoreHealth(options.healthyAfterMs));
    return guardStore(store, { path: absolute, health: store.health, identityCheckEveryMs: options.identityCheckEveryMs ?? 2_000, saveCopy: (copy) => store.saveCopy(copy) });
  }

  private prepare() {
    const db = this.db;
    return {
      insertRun: db.prepare(`
        INSERT INTO runs (id, workflow, input, status, owner_id, epoch, parent_id, deadline_at, created_at, updated_at, traceparent, tracestate)
        VALUES (@id, @workflow, @input, @status, @ownerId, @epoch, @parentId, @deadlineAt, @now, @now, @traceparent, @tracestate)
        ON CONFLICT (id) DO NOTHING
        RETURNING *`),
      getRun: db.prepare('SELECT * FROM runs WHERE id = ?'),
      registerWorkflow: db.prepare('INSERT INTO workflow_types (name, registered_at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      knownWorkflows: db.prepare('SELECT name FROM workflow_types ORDER BY name'),
      heartbeat: db.prepare(`
        INSERT INTO workers (id, lease_expires_at, started_at, heartbeat_at) VALUES (@id, @lease, @now, @now)
        ON CONFLICT (id) DO UPDATE SET lease_expires_at = @lease, heartbeat_at = @now`),
      cancelRequested: db.prepare("SELECT id FROM runs WHERE owner_id = ? AND cancel_requested = 1 AND status = 'running'"),
      releaseRuns: db.prepare(`
        UPDATE runs SET owner_id = NULL, status = CASE WHEN status = 'running' THEN 'pending' ELSE status END,
          epoch = epoch + 1, updated_at = @now
        WHERE owner_id = @id AND status IN ('running', 'pending')`),
      deleteWorker: db.prepare('DELETE FROM workers WHERE id = ?'),
      claim: db.prepare(`
        UPDATE runs SET owner_id = @workerId, epoch = epoch + 1, status = 'running', wake_at = NULL, updated_at = @now
        WHERE id IN (${CLAIMABLE})
        RETURNING *`),
      nextWake: db.prepare(`
        SELECT MIN(wake_at) AS wake FROM runs
        WHERE status = 'waiting' AND wake_at IS NOT NULL AND workflow IN (SELECT value FROM json_each(?))`),
      steps: db.prepare('SELECT * FROM steps WHERE run_id = ? ORDER BY seq'),
      attemptCounts: db.prepare(
        'SELECT seq, COUNT(*) AS n FROM attempts WHERE run_id = ? AND generation = ? GROUP BY seq',
      ),
      checkEpoch: db.prepare('SELECT epoch FROM runs WHERE id = ?').pluck(),
      upsertStep: db.prepare(`
        INSERT INTO steps (run_id, seq, name, kind, status, output, error, attempts, started_at, finished_at)
        SELECT @runId, @seq, @name, @kind, @status, @output, @error, @attempts, @startedAt, @finishedAt
        WHERE EXISTS (SELECT 1 FROM runs WHERE id = @runId AND epoch = @epoch)
        ON CONFLICT (run_id, seq) DO UPDATE SET status = excluded.status, output = excluded.output,
          error = excluded.error, attempts = excluded.attempts, finished_at = excluded.finished_at
        WHERE steps.status = 'waiting'`),
      insertAttempt: db.prepare(`
        INSERT INTO attempts (run_id, seq, generation, attempt, started_at, finished_at, error)
        SELECT @runId, @seq, @generation, @attempt, @startedAt, @finishedAt, @error
        WHERE EXISTS (SELECT 1 FROM runs WHERE id = @runId AND epoch = @epoch)`),
      listAttempts: db.prepare('SELECT * FROM attempts WHERE run_id = ? ORDER BY id'),
      // A cancellation requested while the run was executing is a wake condition too: the
      // owner may have missed it (delivered by heartbeat, or it arrived after the run's last
      // durable operation), and requestCancel only wakes runs that are already waiting — so
      // without this a run suspending without a wake time stayed waiting forever.
      suspend: db.prepare(`
        UPDATE runs SET status = 'waiting', owner_id = NULL,
          wake_at = CASE WHEN cancel_requested = 1 THEN @now ELSE @wakeAt END, updated_at = @now
        WHERE id = @runId AND epoch = @epoch`),
      pendingSignal: db.prepare(
        'SELECT id, payload FROM signals WHERE run_id = ? AND name = ? AND consumed_at IS NULL ORDER BY id LIMIT 1',
      ),
      consumeSignal: db.prepare('UPDATE signals SET consumed_at = ? WHERE id = ?'),
      childFinished: db.prepare(
        `SELECT 1 FROM runs WHERE id = ? AND status IN ${TERMINAL_RUN_STATUSES_SQL}`,
      ),
      finish: db.prepare(`
        UPDATE runs SET status = @status, output = @output, error = @error, owner_id = NULL, wake_at = NULL,
          updated_at = @now, finished_at = @now
        WHERE id = @runId AND epoch = @epoch
        RETURNING parent_id`),
      wakeParent: db.prepare(`
        UPDATE runs SET wake_at = @now, updated_at = @now
        WHERE id = @parentId AND status = 'waiting'`),
      insertSignal: db.prepare('INSERT INTO signals (run_id, name, payload, sent_at) VALUES (?, ?, ?, ?)'),
      wakeRun: db.prepare("UPDATE runs SET wake_at = @now, updated_at = @now WHERE id = @runId AND status = 'waiting'"),
      requestCancel: db.prepare(`
        UPDATE runs SET cancel_requested = 1, updated_at = @now,
          wake_at = CASE WHEN status = 'waiting' THEN @now ELSE wake_at END
        WHERE id = @runId AND status IN ('pending', 'running', 'waiting')`),
      cancelUnstarted: db.prepare(`
        UPDATE runs SET status = 'cancelled', updated_at = @now, finished_at = @now, epoch = epoch + 1,
          error = @error, owner_id = NULL
        WHERE id = @runId AND status = 'pending' AND owner_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM steps WHERE run_id = @runId)`),
      deleteStepsFrom: db.prepare('DELETE FROM steps WHERE run_id = ? AND (seq >= ? OR kind = \'compensation\')'),
      redrive: db.prepare(`
        UPDATE runs SET status = 'pending', output = NULL, error = NULL, owner_id = NULL, wake_at = NULL,
          cancel_requested = 0, epoch = epoch + 1, generation = generation + 1, updated_at = @now, finished_at = NULL
        WHERE id = @runId`),
    };
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    return this.commits.run(run.id, () => this.createRunNow(run));
  }

  private createRunNow(run: NewRun): { run: RunRecord; created: boolean } {
    // RETURNING gives the new row without a second query; no row means the id existed.
    const inserted = this.statements.insertRun.get({
      id: run.id,
      workflow: run.workflow,
      input: run.input,
      status: run.ownerId ? 'running' : 'pending',
      ownerId: run.ownerId ?? null,
      epoch: run.ownerId ? 1 : 0,
      parentId: run.parentId ?? null,
      deadlineAt: run.deadlineAt ?? null,
      now: run.now,
      traceparent: run.traceparent ?? null,
      tracestate: run.tracestate ?? null,
    }) as RunRow | undefined;
    if (inserted) return { run: toRunRecord(inserted), created: true };
    const row = this.statements.getRun.get(run.id) as RunRow;
    return { run: toRunRecord(row), created: false };
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.statements.getRun.get(id) as RunRow | undefined;
    return row ? toRunRecord(row) : undefined;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 100 };
    if (filter.status?.length) {
      where.push('status IN (SELECT value FROM json_each(@statuses))');
      params.statuses = JSON.stringify(filter.status);
    }
    if (filter.workflow) {
      where.push('workflow = @workflow');
      params.workflow = filter.workflow;
    }
    if (filter.parentId) {
      where.push('parent_id = @parentId');
      params.parentId = filter.parentId;
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, rowid DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as RunRow[]).map(toRunRecord);
  }

  async registerWorkflows(names: string[], now: number): Promise<void> {
    this.db.transaction(() => {
      for (const name of names) this.statements.registerWorkflow.run(name, now);
    })();
  }

  async knownWorkflows(): Promise<string[]> {
    return this.statements.knownWorkflows.all().map((row) => (row as { name: string }).name);
  }

  async heartbeat(workerId: string, leaseExpiresAt: number, now: number): Promise<{ cancelRequested: string[] }> {
    this.statements.heartbeat.run({ id: workerId, lease: leaseExpiresAt, now });
    const rows = this.statements.cancelRequested.all(workerId) as { id: string }[];
    return { cancelRequested: rows.map((row) => row.id) };
  }

  async releaseWorker(workerId: string, now: number): Promise<void> {
    this.db.transaction(() => {
      this.statements.releaseRuns.run({ id: workerId, now });
      this.statements.deleteWorker.run(workerId);
    })();
  }

  async claimRuns(workerId: string, workflows: string[], limit: number, now: number): Promise<RunRecord[]> {
    if (limit <= 0 || workflows.length === 0) return [];
    const rows = this.statements.claim.all({ workerId, workflows: JSON.stringify(workflows), limit, now }) as RunRow[];
    return rows.map(toRunRecord);
  }

  async nextWakeAt(workflows: string[]): Promise<number | null> {
    const row = this.statements.nextWake.get(JSON.stringify(workflows)) as { wake: number | null };
    return row.wake;
  }

  async loadHistory(runId: string, generation: number) {
    const steps = (this.statements.steps.all(runId) as StepRow[]).map(toStepRecord);
    const failedAttempts = new Map<number, number>();
    for (const row of this.statements.attemptCounts.all(runId, generation) as { seq: number; n: number }[]) {
      failedAttempts.set(row.seq, row.n);
    }
    return { steps, failedAttempts };
  }

  async saveStep(fence: Fence, step: StepRecord, alongside?: CheckpointWrites): Promise<void> {
    if (alongside === undefined) {
      return this.commits.run(fence.runId, () => {
        const info = this.statements.upsertStep.run(stepParams(fence, step));
        if (info.changes === 0) this.refuse(fence, step);
      });
    }
    if (alongside.executor !== this.executor) {
      // Another database's statements cannot join this transaction: theirs commit first.
      await alongside.executor.transaction('writing alongside a checkpoint', alongside.statements);
      return this.saveStep(fence, step);
    }
    return this.commits.run(fence.runId, () => this.saveStepWith(fence, step, alongside.statements));
  }

  /** The step and its `alongside` statements in one transaction (made once: see SqliteExecutor's `immediate`). */
  private readonly saveStepWith: (fence: Fence, step: StepRecord, statements: CheckpointWrites['statements']) => void;

  /** A write changed nothing: say whether the fence or a duplicate write refused it. */
  private refuse(fence: Fence, step?: StepRecord): never {
    const epoch = this.statements.checkEpoch.get(fence.runId) as number | undefined;
    if (epoch !== fence.epoch) throw new FencedError(fence.runId, fence.epoch);
    throw new InvalidRunStateError(fence.runId, `already recorded at step #${step?.seq ?? '?'}`, 'record a step of');
  }

  async recordAttempt(fence: Fence, attempt: AttemptRecord): Promise<void> {
    const info = this.statements.insertAttempt.run({
      ...attempt,
      epoch: fence.epoch,
      error: JSON.stringify(attempt.error),
    });
    if (info.changes === 0) throw new FencedError(fence.runId, fence.epoch);
  }

  async listAttempts(runId: string): Promise<AttemptRecord[]> {
    return (this.statements.listAttempts.all(runId) as AttemptRow[]).map(toAttemptRecord);
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    return (this.statements.steps.all(runId) as StepRow[]).map(toStepRecord);
  }

  async suspendRun(fence: Fence, wakeAt: number | null, conditions: WakeConditions, now: number): Promise<void> {
    this.db.transaction(() => {
      let due = wakeAt;
      for (const name of conditions.signals ?? []) {
        if (this.statements.pendingSignal.get(fence.runId, name)) due = now;
      }
      for (const childId of conditions.children ?? []) {
        if (this.statements.childFinished.get(childId)) due = now;
      }
      const info = this.statements.suspend.run({ runId: fence.runId, epoch: fence.epoch, wakeAt: due, now });
      if (info.changes === 0) throw new FencedError(fence.runId, fence.epoch);
    }).immediate();
  }

  async finishRun(
    fence: Fence,
    outcome: { status: TerminalRunStatus; output: string | null; error: SerializedError | null },
    now: number,
  ): Promise<void> {
    return this.commits.run(fence.runId, () => this.finishRunNow(fence, outcome, now));
  }

  private finishRunNow(
    fence: Fence,
    outcome: { status: TerminalRunStatus; output: string | null; error: SerializedError | null },
    now: number,
  ): void {
    this.db.transaction(() => {
      const finished = this.statements.finish.get({
        runId: fence.runId,
        epoch: fence.epoch,
        status: outcome.status,
        output: outcome.output,
        error: outcome.error ? JSON.stringify(outcome.error) : null,
        now,
      }) as { parent_id: string | null } | undefined;
      if (!finished) throw new FencedError(fence.runId, fence.epoch);
      // Only a child run has a parent to wake (most runs have none: skip the statement).
      if (finished.parent_id !== null) this.statements.wakeParent.run({ parentId: finished.parent_id, now });
    }).immediate();
  }

  async sendSignal(runId: string, name: string, payload: string | null, now: number): Promise<boolean> {
    return this.db.transaction(() => {
      if (!this.statements.getRun.get(runId)) return false;
      this.statements.insertSignal.run(runId, name, payload, now);
      this.statements.wakeRun.run({ runId, now });
      return true;
    }).immediate();
  }

  async consumeSignal(fence: Fence, name: string, step: StepRecord): Promise<{ payload: string | null } | undefined> {
    return this.db.transaction(() => {
      // The fence first, as for every owner write: a deposed owner is told so even when
      // no signal is queued (it would otherwise go on to wait for one).
      if (this.statements.checkEpoch.get(fence.runId) !== fence.epoch) throw new FencedError(fence.runId, fence.epoch);
      const signal = this.statements.pendingSignal.get(fence.runId, name) as { id: number; payload: string | null } | undefined;
      if (!signal) return undefined;
      const info = this.statements.upsertStep.run(stepParams(fence, { ...step, output: signal.payload }));
      if (info.changes === 0) throw new InvalidRunStateError(fence.runId, `already recorded at step #${step.seq}`, 'record a step of');
      this.statements.consumeSignal.run(step.finishedAt ?? step.startedAt, signal.id);
      return { payload: signal.payload };
    }).immediate();
  }

  async requestCancel(runId: string, now: number): Promise<RunRecord | undefined> {
    const error = JSON.stringify({ name: 'CancelledError', code: 'HS_CANCELLED', message: `run ${runId} was cancelled` });
    return this.db.transaction(() => {
      // A run that never started has nothing to compensate: cancel it in place.
      if (this.statements.cancelUnstarted.run({ runId, now, error }).changes === 0) {
        this.statements.requestCancel.run({ runId, now });
      }
      const row = this.statements.getRun.get(runId) as RunRow | undefined;
      return row ? toRunRecord(row) : undefined;
    }).immediate();
  }

  async redrive(runId: string, fromSeq: number, now: number): Promise<RunRecord> {
    return this.db.transaction(() => {
      const row = this.statements.getRun.get(runId) as RunRow | undefined;
      if (!row) throw new RunNotFoundError(runId);
      if (!isRedrivable(row.status)) throw new InvalidRunStateError(runId, row.status, 'redrive');
      this.statements.deleteStepsFrom.run(runId, fromSeq);
      this.statements.redrive.run({ runId, now });
      return toRunRecord(this.statements.getRun.get(runId) as RunRow);
    }).immediate();
  }

  /**
   * Write a compact, consistent copy of the database to a new file (`VACUUM INTO`),
   * synchronously: used once, to save what a deleted store file still holds.
   */
  saveCopy(path: string): void {
    this.db.prepare('VACUUM INTO ?').run(path);
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.commits.flush();
    this.db.close();
  }
}

function stepParams(fence: Fence, step: StepRecord) {
  return {
    runId: fence.runId,
    epoch: fence.epoch,
    seq: step.seq,
    name: step.name,
    kind: step.kind,
    status: step.status,
    output: step.output,
    error: step.error ? JSON.stringify(step.error) : null,
    attempts: step.attempts,
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
  };
}

/**
 * Refuse a damaged file at open rather than die on its first bad page later. quick_check
 * reads every page (O(size), no index cross-check): 350-600 ms for a 145 MB store
 * (400k events) on a loaded 2-core machine, a few ms for a typical store of a few MB.
 */
function checkIntegrity(db: Database.Database, path: string): void {
  const problems = (db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[]).map((row) => row.quick_check);
  if (problems.length === 1 && problems[0] === 'ok') return;
  throw new StoreOpenError('HS_STORE_CORRUPT', `${path} is corrupt (quick_check: ${problems.join('; ')}); restore it from a backup, or move it aside to start with an empty store`);
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  // IMMEDIATE takes the write lock first, so two processes opening a new file at once
  // cannot both apply the same migration.
  db.transaction(() => {
    const applied = new Set(db.prepare('SELECT name FROM schema_migrations').pluck().all() as string[]);
    for (const migration of SQLITE_MIGRATIONS) {
      if (applied.has(migration.name)) continue;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(migration.name, Date.now());
    }
  }).immediate();
}
