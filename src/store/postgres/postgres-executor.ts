import type pg from 'pg';
import { driveAsync, type SqlExecutor, type SqlTransaction } from '../sql/sql-executor.js';
import type { ConnectionPool } from './connection.js';
import { POSTGRES_DIALECT } from './postgres-dialect.js';

/**
 * The shared statements on the connection pool: a single statement runs named (planned
 * once per connection), a transaction on one client between BEGIN and COMMIT.
 */
export class PostgresExecutor implements SqlExecutor {
  readonly dialect = POSTGRES_DIALECT;

  constructor(private readonly db: ConnectionPool) {}

  async rows<R>(what: string, sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.db.query<R & object>(what, sql, params)).rows;
  }

  async count(what: string, sql: string, params: unknown[] = []): Promise<number> {
    return (await this.db.query(what, sql, params)).rowCount ?? 0;
  }

  transaction<T>(what: string, body: () => SqlTransaction<T>): Promise<T> {
    return this.db.transaction(what, (client) => this.runOn(client, body));
  }

  /** Run `body`'s statements on `client`, inside the transaction the caller has open on it. */
  runOn<T>(client: pg.PoolClient, body: () => SqlTransaction<T>): Promise<T> {
    return driveAsync(body(), async (statement) => {
      const result = await client.query(statement.sql, statement.params);
      return statement.result === 'rows' ? result.rows : (result.rowCount ?? 0);
    });
  }
}
