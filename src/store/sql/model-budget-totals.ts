import type { ModelSpend } from '../records.js';
import type { SqlExecutor, SqlTransaction } from './sql-executor.js';
import { count, rows } from './sql-executor.js';

/**
 * The running totals of the day budgets (`model_budget_totals`, migration
 * 0015_model_budget_totals): per UTC day, one row per workflow and one for all ('' as the
 * workflow, which no workflow can be named). Each row is what that day's `model_attempts`
 * would sum to — settled use + open reservations — kept by the same transaction that
 * reserves, settles or releases an attempt, so checking a `perWorkflowPerDay` or
 * `globalPerDay` budget reads one row however many attempts the day holds.
 */
const GLOBAL = '';

/** A transaction step: move a day's totals (its workflow's and the global one) by a signed amount. */
export function* addToDayTotals(day: string, workflow: string, tokens: number, costMicros: number): SqlTransaction<void> {
  if (tokens === 0 && costMicros === 0) return;
  // Both rows in one statement (they are distinct rows, so PostgreSQL's one-change-per-row rule holds).
  yield* count(
    `INSERT INTO model_budget_totals (day, workflow, tokens, cost_micros) VALUES ($1, $2, $3, $4), ($1, $5, $3, $4)
     ON CONFLICT (day, workflow) DO UPDATE SET tokens = model_budget_totals.tokens + excluded.tokens, cost_micros = model_budget_totals.cost_micros + excluded.cost_micros`,
    [day, workflow, tokens, costMicros, GLOBAL],
  );
}

const DAY_TOTAL = 'SELECT tokens, cost_micros AS "costMicros" FROM model_budget_totals WHERE day = $1 AND workflow = $2';

function spendOf(found: { tokens: number | string; costMicros: number | string }[]): ModelSpend {
  const row = found[0];
  return row === undefined ? { tokens: 0, costMicros: 0 } : { tokens: Number(row.tokens), costMicros: Number(row.costMicros) };
}

/** A transaction step: a day's spend, of one workflow or (without it) of all. */
export function* dayTotal(day: string, workflow?: string): SqlTransaction<ModelSpend> {
  return spendOf(yield* rows(DAY_TOTAL, [day, workflow ?? GLOBAL]));
}

/** A day's spend read outside a transaction (a report, not a reservation). */
export async function readDayTotal(sql: SqlExecutor, day: string, workflow?: string): Promise<ModelSpend> {
  return spendOf(await sql.rows('reading model spend', DAY_TOTAL, [day, workflow ?? GLOBAL]));
}

/** An attempt's reservation as the totals counted it while it was open. */
export interface OpenReservation {
  day: string;
  workflow: string;
  reservedTokens: number;
  reservedCostMicros: number;
}

/** The RETURNING list that gives an {@link OpenReservation} of an updated attempt. */
export const OPEN_RESERVATION_RETURNING = 'day, workflow, reserved_tokens AS "reservedTokens", reserved_cost_micros AS "reservedCostMicros"';
