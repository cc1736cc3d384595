import { TERMINAL_RUN_STATUSES } from '../records.js';

/**
 * A constant list as an SQL literal, `('a', 'b')`, for `status IN …` conditions: the
 * statement text stays fixed (prepared once) and the list has one source in the code.
 * Only for values the code owns, never for input.
 */
export function sqlList(values: readonly string[]): string {
  return `(${values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ')})`;
}

/** `('completed', 'failed', 'cancelled', 'parked')`: the terminal run statuses in SQL. */
export const TERMINAL_RUN_STATUSES_SQL = sqlList(TERMINAL_RUN_STATUSES);
