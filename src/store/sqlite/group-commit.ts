import type Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';

/** A turn that has lasted this long queues its further writes, to yield to the event loop. */
const MAX_TURN_MS = 10;

interface QueuedWrite {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of a run's checkpoint writes when many runs execute at once.
 *
 * Each commit costs a WAL append of every page it touched (and an fsync with
 * `durability=full`), so with one commit per step, 50 runs in flight pay 50 commits
 * where one would do. Here, while the writes of an event-loop turn all belong to one
 * run, each commits on its own at once, exactly as before (a lone or sequential
 * workflow pays no latency). As soon as a second run writes in the same turn, that
 * turn's further writes are queued and committed together in one `BEGIN IMMEDIATE`
 * transaction at the start of the next turn (`setImmediate`).
 *
 * It also bounds how long runs can hold the event loop: SQLite calls are synchronous,
 * so runs whose steps do no I/O would otherwise chain promise continuations without
 * ever returning to the event loop — no heartbeat (the lease expires and another
 * worker takes the runs over), no polling, no timers, no HTTP. A turn that has lasted
 * {@link MAX_TURN_MS} queues its further writes too, so timers run in between.
 *
 * Guarantees kept: a write's promise settles only after its commit (or its failure);
 * writes commit in the order they were made; a write that throws (fenced, duplicate)
 * is rejected alone — each write must be atomic by itself (one statement, or its own
 * `db.transaction`, which nests as a savepoint); if the transaction itself fails
 * (lock timeout, I/O error), every write of the batch is rejected and none is applied.
 */
export class GroupCommit {
  private readonly db: Database.Database;
  private queue: QueuedWrite[] | null = null;
  private turnStarted = false;
  private turnRunId: string | undefined;
  private turnStartedAt = 0;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Apply `write` (synchronous SQL on behalf of run `runId`), now or with this turn's batch. */
  run<T>(runId: string, write: () => T): Promise<T> {
    if (!this.queue) {
      if (!this.turnStarted) {
        this.turnStarted = true;
        this.turnRunId = runId;
        this.turnStartedAt = performance.now();
        setImmediate(this.endTurn);
      }
      if (runId === this.turnRunId && performance.now() - this.turnStartedAt < MAX_TURN_MS) {
        try {
          return Promise.resolve(write());
        } catch (error) {
          return Promise.reject(error);
        }
      }
      this.queue = [];
    }
    const queue = this.queue;
    return new Promise<T>((resolve, reject) => queue.push({ write, resolve: resolve as (value: unknown) => void, reject }));
  }

  /** Commit any queued writes now (before closing the database). */
  flush(): void {
    const batch = this.queue;
    this.queue = null;
    if (batch && batch.length > 0) this.commit(batch);
  }

  private readonly endTurn = (): void => {
    this.turnStarted = false;
    this.turnRunId = undefined;
    this.flush();
  };

  private commit(batch: QueuedWrite[]): void {
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.db
        .transaction(() => {
          for (const item of batch) {
            try {
              outcomes.push({ ok: true, value: item.write() });
            } catch (error) {
              // An error that ended the transaction (SQLite rolls back on some I/O
              // errors) must not let later writes run outside it: fail the batch.
              if (!this.db.inTransaction) throw error;
              outcomes.push({ ok: false, value: error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.value);
    });
  }
}
