import type { SqlDialect } from './sql-dialect.js';

/** One statement of a transaction body, and which result it wants back. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
  result: 'rows' | 'count';
}

/**
 * A transaction body: it yields its statements (through {@link rows} and {@link count})
 * and receives their results. A generator rather than an async function, so SQLite can
 * run the whole body synchronously inside its transaction: an `await` there would let
 * other calls' statements slip into the open transaction on the one connection.
 */
export type SqlTransaction<T> = Generator<SqlStatement, T, unknown>;

/** In a transaction body: the rows of a statement (`const found = yield* rows<Row>(sql, params)`). */
export function* rows<R>(sql: string, params: unknown[] = []): SqlTransaction<R[]> {
  return (yield { sql, params, result: 'rows' }) as R[];
}

/** In a transaction body: the number of rows a statement changed. */
export function* count(sql: string, params: unknown[] = []): SqlTransaction<number> {
  return (yield { sql, params, result: 'count' }) as number;
}

export interface SqlWriteOptions {
  /**
   * The write may share a commit with other writes made in the same event-loop turn
   * (SQLite's group commit; the key names whose writes they are). PostgreSQL ignores it.
   */
  commitGroup?: string;
}

/**
 * Runs the shared statements on one driver: SQLite (better-sqlite3, synchronous, one
 * connection) or PostgreSQL (a pool). `what` names the call in connection errors
 * ("PostgreSQL unavailable while …").
 */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  rows<R>(what: string, sql: string, params?: unknown[]): Promise<R[]>;
  /** The number of rows the statement changed. */
  count(what: string, sql: string, params?: unknown[], options?: SqlWriteOptions): Promise<number>;
  /** Run `body` as one transaction: all of its statements or none (SQLite: BEGIN IMMEDIATE). */
  transaction<T>(what: string, body: () => SqlTransaction<T>, options?: SqlWriteOptions): Promise<T>;
}

/** Run a transaction body whose statements execute synchronously. */
export function driveSync<T>(body: SqlTransaction<T>, execute: (statement: SqlStatement) => unknown): T {
  let step = body.next();
  while (!step.done) step = body.next(execute(step.value));
  return step.value;
}

/** Run a transaction body whose statements execute asynchronously, one after another. */
export async function driveAsync<T>(body: SqlTransaction<T>, execute: (statement: SqlStatement) => Promise<unknown>): Promise<T> {
  let step = body.next();
  while (!step.done) step = body.next(await execute(step.value));
  return step.value;
}
