import type Database from 'better-sqlite3';
import { driveSync, type SqlExecutor, type SqlStatement, type SqlTransaction, type SqlWriteOptions } from '../sql/sql-executor.js';
import type { GroupCommit } from './group-commit.js';
import { SQLITE_DIALECT } from './sqlite-dialect.js';

/**
 * The shared statements on better-sqlite3: each prepared once and kept by its text,
 * parameters bound by number (`$1` is the named parameter `1`), transactions run
 * synchronously under `BEGIN IMMEDIATE`.
 */
export class SqliteExecutor implements SqlExecutor {
  readonly dialect = SQLITE_DIALECT;
  private readonly statements = new Map<string, Database.Statement>();
  /**
   * One `BEGIN IMMEDIATE` transaction function for every body: better-sqlite3 builds four
   * wrappers and defines their properties at each `db.transaction(fn)`, a measurable part of
   * a model attempt's reserve (bench/models) when made per call.
   */
  private readonly immediate: (body: () => SqlTransaction<unknown>) => unknown;

  constructor(
    private readonly db: Database.Database,
    private readonly commits: GroupCommit,
  ) {
    this.immediate = db.transaction((body: () => SqlTransaction<unknown>) => driveSync(body(), this.execute)).immediate;
  }

  async rows<R>(_what: string, sql: string, params: unknown[] = []): Promise<R[]> {
    return this.prepare(sql).all(numbered(params)) as R[];
  }

  async count(_what: string, sql: string, params: unknown[] = [], options: SqlWriteOptions = {}): Promise<number> {
    const write = () => this.prepare(sql).run(numbered(params)).changes;
    return options.commitGroup === undefined ? write() : this.commits.run(options.commitGroup, write);
  }

  async transaction<T>(_what: string, body: () => SqlTransaction<T>, options: SqlWriteOptions = {}): Promise<T> {
    const write = () => this.immediate(body) as T;
    return options.commitGroup === undefined ? write() : this.commits.run(options.commitGroup, write);
  }

  /** Run `body`'s statements inside the transaction the caller has open on this connection. */
  runInTransaction<T>(body: () => SqlTransaction<T>): T {
    return driveSync(body(), this.execute);
  }

  private readonly execute = (statement: SqlStatement): unknown => {
    const prepared = this.prepare(statement.sql);
    return statement.result === 'rows' ? prepared.all(numbered(statement.params)) : prepared.run(numbered(statement.params)).changes;
  };

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** `[a, b]` as `{ 1: a, 2: b }`, the binding of `$1` and `$2`; undefined binds as NULL, as in PostgreSQL. */
function numbered(params: unknown[]): Record<number, unknown> {
  const bound: Record<number, unknown> = {};
  for (let i = 0; i < params.length; i++) bound[i + 1] = params[i] ?? null;
  return bound;
}
