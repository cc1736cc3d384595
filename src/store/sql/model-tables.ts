import type { CheckpointWrites } from '../checkpoint-writes.js';
import { MODEL_ATTEMPT_COLUMNS } from '../model-columns.js';
import type { ModelStore } from '../ports/model-store.js';
import type { ModelAttemptRecord, ModelProviderStateRecord, ModelSettlement, ModelSpend, ModelSpendLimit, NewModelReservation } from '../records.js';
import type { SqlExecutor } from './sql-executor.js';
import { count, rows, type SqlTransaction } from './sql-executor.js';
import { addToDayTotals, dayTotal, readDayTotal, OPEN_RESERVATION_RETURNING, type OpenReservation } from './model-budget-totals.js';

/** A row's spend: what a settled attempt really used, what an open one reserved, nothing for a released one. */
const SPEND = `CAST(COALESCE(SUM(CASE status WHEN 'settled' THEN tokens_in + tokens_out WHEN 'reserved' THEN reserved_tokens ELSE 0 END), 0) AS BIGINT) AS tokens,
  CAST(COALESCE(SUM(CASE status WHEN 'settled' THEN cost_micros WHEN 'reserved' THEN reserved_cost_micros ELSE 0 END), 0) AS BIGINT) AS "costMicros"`;

/**
 * A scope's spend before a reservation: the call's and the run's summed from their own rows
 * (an index range of one run), the day scopes read from their running totals (one row).
 */
function* scopeSpend(limit: ModelSpendLimit, reservation: NewModelReservation): SqlTransaction<ModelSpend> {
  switch (limit.scope) {
    case 'call':
      return (yield* rows<ModelSpend>(`SELECT ${SPEND} FROM model_attempts WHERE run_id = $1 AND step_seq = $2`, [reservation.runId, reservation.stepSeq]))[0]!;
    case 'run':
      return (yield* rows<ModelSpend>(`SELECT ${SPEND} FROM model_attempts WHERE run_id = $1`, [reservation.runId]))[0]!;
    case 'workflow':
      return yield* dayTotal(reservation.day, reservation.workflow);
    case 'global':
      return yield* dayTotal(reservation.day);
  }
}

/** A transaction step: settle an open reservation (false when it is not open: released meanwhile). */
function* settle(id: number, settlement: ModelSettlement): SqlTransaction<boolean> {
  const settled = yield* rows<OpenReservation>(
    `UPDATE model_attempts SET status = 'settled', outcome = $2, tokens_in = $3, tokens_out = $4, cost_micros = $5, latency_ms = $6, finished_at = $7, error = $8, validation_errors = $9, reply = $10
     WHERE id = $1 AND status = 'reserved' RETURNING ${OPEN_RESERVATION_RETURNING}`,
    [id, settlement.outcome, settlement.tokensIn, settlement.tokensOut, settlement.costMicros, settlement.latencyMs, settlement.finishedAt, settlement.error, settlement.validationErrors, settlement.reply],
  );
  const row = settled[0];
  if (row === undefined) return false;
  // The day's totals trade the reservation's worst case for the real use.
  yield* addToDayTotals(row.day, row.workflow, settlement.tokensIn + settlement.tokensOut - Number(row.reservedTokens), settlement.costMicros - Number(row.reservedCostMicros));
  return true;
}

/**
 * The model attempts table (`model_attempts`, migration 0011_model_attempts) on either
 * driver: attempts and the budget ledger in one, with the day budgets' running totals
 * (`model_budget_totals`, 0015) moved in the same transactions. A reservation checks every
 * budget and inserts in one transaction, under a table lock on PostgreSQL (SQLite's
 * transactions are serial already), so two workers cannot both take the last of a budget;
 * on SQLite they may share a commit with other runs' writes of the same event-loop turn
 * (the engine's group commit, keyed by run: each resolves only after its commit);
 * a settle or release updates `model_attempts` first, so it waits for that lock and a
 * reservation never reads totals a concurrent settle has half moved.
 */
export class ModelTables implements ModelStore {
  constructor(private readonly sql: SqlExecutor) {}

  async reserveModelAttempt(
    reservation: NewModelReservation,
    limits: readonly ModelSpendLimit[],
  ): Promise<{ reserved: true; id: number; callAttempt: number } | { reserved: false; limit: ModelSpendLimit; spent: ModelSpend }> {
    const lock = this.sql.dialect.lockTable('model_attempts');
    return this.sql.transaction('reserving a model attempt', function* () {
      if (lock) yield* count(lock);
      for (const limit of limits) {
        const spent = yield* scopeSpend(limit, reservation);
        const overTokens = limit.maxTokens !== undefined && spent.tokens + reservation.reservedTokens > limit.maxTokens;
        const overCost = limit.maxCostMicros !== undefined && spent.costMicros + reservation.reservedCostMicros > limit.maxCostMicros;
        if (overTokens || overCost) return { reserved: false as const, limit, spent };
      }
      const inserted = yield* rows<{ id: number; callAttempt: number }>(
        `INSERT INTO model_attempts (run_id, workflow, step_seq, step, step_attempt, call_attempt, day, provider, model, prompt_hash, status, reserved_tokens, reserved_cost_micros, started_at)
         VALUES ($1, $2, $3, $4, $5, (SELECT COUNT(*) + 1 FROM model_attempts WHERE run_id = $1 AND step_seq = $3), $6, $7, $8, $9, 'reserved', $10, $11, $12)
         RETURNING id, call_attempt AS "callAttempt"`,
        [
          reservation.runId,
          reservation.workflow,
          reservation.stepSeq,
          reservation.step,
          reservation.stepAttempt,
          reservation.day,
          reservation.provider,
          reservation.model,
          reservation.promptHash,
          reservation.reservedTokens,
          reservation.reservedCostMicros,
          reservation.startedAt,
        ],
      );
      yield* addToDayTotals(reservation.day, reservation.workflow, reservation.reservedTokens, reservation.reservedCostMicros);
      return { reserved: true as const, id: inserted[0]!.id, callAttempt: inserted[0]!.callAttempt };
    }, { commitGroup: reservation.runId });
  }

  async settleModelAttempt(id: number, settlement: ModelSettlement, runId?: string): Promise<boolean> {
    return this.sql.transaction('settling a model attempt', () => settle(id, settlement), runId === undefined ? {} : { commitGroup: runId });
  }

  settlementWrites(id: number, settlement: ModelSettlement): CheckpointWrites {
    return { executor: this.sql, statements: () => settle(id, settlement) };
  }

  async releaseModelReservations(runId: string, stepSeq: number, now: number): Promise<number> {
    return this.sql.transaction('releasing model reservations', function* () {
      const released = yield* rows<OpenReservation>(
        `UPDATE model_attempts SET status = 'released', outcome = 'abandoned', finished_at = $3 WHERE run_id = $1 AND step_seq = $2 AND status = 'reserved' RETURNING ${OPEN_RESERVATION_RETURNING}`,
        [runId, stepSeq, now],
      );
      // One move per (day, workflow), in day order: concurrent releases lock the totals' rows in the same order.
      const byDay = new Map<string, OpenReservation>();
      for (const row of released) {
        const key = `${row.day}\u0000${row.workflow}`;
        const sum = byDay.get(key) ?? { day: row.day, workflow: row.workflow, reservedTokens: 0, reservedCostMicros: 0 };
        sum.reservedTokens += Number(row.reservedTokens);
        sum.reservedCostMicros += Number(row.reservedCostMicros);
        byDay.set(key, sum);
      }
      for (const sum of [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))) {
        yield* addToDayTotals(sum.day, sum.workflow, -sum.reservedTokens, -sum.reservedCostMicros);
      }
      return released.length;
    }, { commitGroup: runId });
  }

  async resumeModelCall(runId: string, stepSeq: number, now: number): Promise<string | undefined> {
    // Only the run's owner executes its calls, so nothing opens a reservation of this call
    // between this read and the release; a dead execution's late settle is skipped by the
    // release's `status = 'reserved'` as before.
    const found = await this.sql.rows<{ status: string; outcome: string | null; reply: string | null }>(
      'resuming a model call',
      `SELECT status, outcome, reply FROM model_attempts WHERE run_id = $1 AND step_seq = $2 ORDER BY call_attempt DESC`,
      [runId, stepSeq],
    );
    if (found.length === 0) return undefined;
    if (found.some((row) => row.status === 'reserved')) await this.releaseModelReservations(runId, stepSeq, now);
    return found.find((row) => row.status === 'settled' && row.outcome === 'ok' && row.reply !== null)?.reply ?? undefined;
  }

  async findModelReply(runId: string, stepSeq: number): Promise<string | undefined> {
    const found = await this.sql.rows<{ reply: string }>(
      'looking for a model reply',
      `SELECT reply FROM model_attempts WHERE run_id = $1 AND step_seq = $2 AND status = 'settled' AND outcome = 'ok' AND reply IS NOT NULL ORDER BY call_attempt DESC LIMIT 1`,
      [runId, stepSeq],
    );
    return found[0]?.reply;
  }

  async listModelAttempts(runId: string): Promise<ModelAttemptRecord[]> {
    return this.sql.rows<ModelAttemptRecord>('listing model attempts', `SELECT ${MODEL_ATTEMPT_COLUMNS} FROM model_attempts WHERE run_id = $1 ORDER BY id`, [runId]);
  }

  async modelSpend(day: string, workflow?: string): Promise<ModelSpend> {
    return readDayTotal(this.sql, day, workflow);
  }

  async listSettledModelAttempts(since: number, limit: number): Promise<ModelAttemptRecord[]> {
    return this.sql.rows<ModelAttemptRecord>(
      'listing settled model attempts',
      `SELECT ${MODEL_ATTEMPT_COLUMNS} FROM model_attempts WHERE finished_at >= $1 AND status = 'settled' ORDER BY finished_at, id LIMIT $2`,
      [since, limit],
    );
  }

  async setModelProviderState(state: ModelProviderStateRecord): Promise<void> {
    await this.sql.count(
      'setting a model provider\'s state',
      `INSERT INTO model_provider_states (provider, drained, max_concurrency, reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (provider) DO UPDATE SET drained = excluded.drained, max_concurrency = excluded.max_concurrency, reason = excluded.reason, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
      [state.provider, state.drained ? 1 : 0, state.maxConcurrency, state.reason, state.changedBy, state.changedAt],
    );
  }

  async listModelProviderStates(): Promise<ModelProviderStateRecord[]> {
    const found = await this.sql.rows<Omit<ModelProviderStateRecord, 'drained'> & { drained: number | string }>(
      'listing model provider states',
      'SELECT provider, drained, max_concurrency AS "maxConcurrency", reason, changed_by AS "changedBy", changed_at AS "changedAt" FROM model_provider_states ORDER BY provider',
      [],
    );
    return found.map((row) => ({ ...row, drained: Number(row.drained) === 1, maxConcurrency: row.maxConcurrency === null ? null : Number(row.maxConcurrency), changedAt: Number(row.changedAt) }));
  }
}
