import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_MIGRATIONS } from '../../../src/store/postgres/migrations.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { SQLITE_MIGRATIONS } from '../../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { freshSchema, PG_BASE_URL } from '../helpers/postgres.js';
import { tempDir } from '../temp-store.js';

/**
 * A store from before migration 0015 has model attempts but no running totals: the
 * migration sums each day's attempts once (settled at their use, open at their
 * reservation, released not at all), so day budgets hold across the upgrade.
 */
const TOTALS = '0015_model_budget_totals';
const T0 = 1_700_000_000_000;

const attempts = [
  // run, workflow, day, status, reserved tokens, reserved cost, tokens in, tokens out, cost
  ['r1', 'summarize', '2026-12-06', 'settled', 500, 900, 40, 60, 200],
  ['r2', 'summarize', '2026-12-06', 'reserved', 300, 700, 0, 0, 0],
  ['r3', 'summarize', '2026-12-06', 'released', 800, 800, 0, 0, 0],
  ['r4', 'classify', '2026-12-06', 'settled', 100, 100, 10, 5, 30],
  ['r5', 'summarize', '2026-12-07', 'settled', 100, 100, 7, 3, 11],
] as const;
const INSERT = `INSERT INTO model_attempts (run_id, workflow, step_seq, step, step_attempt, call_attempt, day, provider, model, prompt_hash, status, reserved_tokens, reserved_cost_micros, tokens_in, tokens_out, cost_micros, started_at)
  VALUES ($1, $2, 1, 'model:x', 1, 1, $3, 'p', 'm', 'h', $4, $5, $6, $7, $8, $9, ${T0})`;

async function expectTotals(store: Store): Promise<void> {
  assert.deepEqual(await store.modelSpend('2026-12-06', 'summarize'), { tokens: 400, costMicros: 900 }, '100 used + 300 reserved; the released one not at all');
  assert.deepEqual(await store.modelSpend('2026-12-06', 'classify'), { tokens: 15, costMicros: 30 });
  assert.deepEqual(await store.modelSpend('2026-12-06'), { tokens: 415, costMicros: 930 });
  assert.deepEqual(await store.modelSpend('2026-12-07'), { tokens: 10, costMicros: 11 });
  // And they go on from there: releasing the open reservation gives its 300 back.
  assert.equal(await store.releaseModelReservations('r2', 1, T0), 1);
  assert.deepEqual(await store.modelSpend('2026-12-06'), { tokens: 115, costMicros: 230 });
}

test('SQLite: migration 0015 fills the day totals from the attempts already recorded', async () => {
  const tmp = tempDir('homeostat-totals-');
  try {
    const db = new Database(tmp.dbPath);
    db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.slice(0, SQLITE_MIGRATIONS.findIndex((m) => m.name === TOTALS))) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(migration.name, T0);
    }
    for (const row of attempts) db.prepare(INSERT.replace(/\$\d/g, '?')).run(...row);
    db.close();
    const store = SqliteStore.open(tmp.dbPath);
    try {
      await expectTotals(store);
    } finally {
      await store.close();
    }
  } finally {
    tmp.cleanup();
  }
});

test('PostgreSQL: migration 0015 fills the day totals from the attempts already recorded', async () => {
  const schema = freshSchema('hs_totals');
  const client = new pg.Client({ connectionString: PG_BASE_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema.schema}"`);
    await client.query(`SET search_path TO "${schema.schema}"`);
    await client.query('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
    for (const migration of POSTGRES_MIGRATIONS.slice(0, POSTGRES_MIGRATIONS.findIndex((m) => m.name === TOTALS))) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [migration.name, T0]);
    }
    for (const row of attempts) await client.query(INSERT, [...row]);
    await client.end();
    const store = await PostgresStore.open(schema.url, { poolSize: 2 });
    try {
      await expectTotals(store);
    } finally {
      await store.close();
    }
  } finally {
    await client.end().catch(() => undefined);
    await schema.drop();
  }
});
