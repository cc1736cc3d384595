import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SQLITE_DIALECT } from '../sqlite/sqlite-dialect.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { driveSync, type SqlExecutor, type SqlStatement, type SqlTransaction } from './sql-executor.js';
import { SHARED_PORT_METHODS, SharedTablesStore } from './shared-tables-store.js';

/** An executor that records what it is asked and answers from a script. */
class RecordingExecutor implements SqlExecutor {
  readonly dialect = SQLITE_DIALECT;
  readonly statements: SqlStatement[] = [];
  constructor(private readonly answer: (statement: SqlStatement) => unknown) {}

  async rows<R>(_what: string, sql: string, params: unknown[] = []): Promise<R[]> {
    return this.execute({ sql, params, result: 'rows' }) as R[];
  }

  async count(_what: string, sql: string, params: unknown[] = []): Promise<number> {
    return this.execute({ sql, params, result: 'count' }) as number;
  }

  async transaction<T>(_what: string, body: () => SqlTransaction<T>): Promise<T> {
    return driveSync(body(), (statement) => this.execute(statement));
  }

  private execute(statement: SqlStatement): unknown {
    this.statements.push(statement);
    return this.answer(statement);
  }
}

class RecordingStore extends SharedTablesStore {}

test('a store built on SharedTablesStore answers each shared port method through its executor', async () => {
  const sql = new RecordingExecutor((statement) => (statement.result === 'count' ? 1 : [{ json: '{"open":true}' }]));
  const store = new RecordingStore(sql);
  assert.equal(await store.loadGuardState('breaker:api'), '{"open":true}');
  assert.equal(await store.revokeApiToken('t1', 5), true);
  assert.deepEqual(
    sql.statements.map((statement) => statement.params),
    [['breaker:api'], [5, 't1']],
  );
  assert.match(sql.statements[0]!.sql, /FROM guard_states WHERE key = \$1/);
  assert.match(sql.statements[1]!.sql, /UPDATE api_tokens SET revoked_at/);
});

test('the shared port methods are those of every shared port, each once, and both drivers have them', () => {
  for (const name of ['openIncident', 'appendAudit', 'acquireLeadership', 'recordLeaderAction', 'appendEvents', 'listElementStates', 'createApiToken', 'heartbeatNode', 'claimNodeActions']) {
    assert.ok(SHARED_PORT_METHODS.includes(name), `${name} is a shared port method`);
  }
  assert.ok(!SHARED_PORT_METHODS.includes('constructor'));
  assert.equal(new Set(SHARED_PORT_METHODS).size, SHARED_PORT_METHODS.length);
  // Run methods are each driver's own, not the shared tables'.
  for (const name of ['createRun', 'claimRuns', 'saveStep', 'consumeSignal']) assert.ok(!SHARED_PORT_METHODS.includes(name), `${name} is the driver's`);
  const store = SqliteStore.open(':memory:');
  try {
    for (const name of SHARED_PORT_METHODS) assert.equal(typeof (store as unknown as Record<string, unknown>)[name], 'function', `SqliteStore.${name}`);
  } finally {
    void store.close();
  }
});
