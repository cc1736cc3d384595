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
 * Incidents from before migration 0010 have no remediation reference: the migration gives
 * each the reference of its current run, derived once from the runs it has.
 */
const BACKFILL = '0010_incident_remediation';
const T0 = 1_700_000_000_000;

/** Rows as a store of the previous schema holds them: incidents, their remediation runs, and runs that only look alike. */
const incidents = [
  // key, id, status
  ['api', 'inc-a', 'escalated'],
  ['db', 'inc-b', 'resolved'],
  ['web', 'inc-c', 'open'],
  ['shop:cart', 'inc-d', 'remediating'],
] as const;
const runs = [
  // id, workflow, parent
  ['remediate:api:inc-a:0', 'homeostat.remediate', null],
  ['remediate:api:inc-a:1', 'homeostat.remediate', null],
  ['remediate:api:inc-a:2', 'homeostat.remediate', null],
  ['remediate:api:inc-a:2.4', 'homeostat.remediate', 'remediate:api:inc-a:2'],
  ['remediate:db:inc-b:0', 'homeostat.remediate', null],
  ['remediate:api:inc-ab:0', 'homeostat.remediate', null],
  ['remediate:web:inc-c:0', 'other-workflow', null],
  ['remediate:shop:cart:inc-d:0', 'homeostat.remediate', null],
] as const;

async function expectBackfilled(store: Store): Promise<void> {
  assert.deepEqual((await store.getIncident('inc-a'))?.remediation, { runId: 'remediate:api:inc-a:2', cycle: 2 }, 'the newest of three cycles; a child run and another incident\'s run are not counted');
  assert.deepEqual((await store.getIncident('inc-b'))?.remediation, { runId: 'remediate:db:inc-b:0', cycle: 0 }, 'a resolved incident keeps its reference: a re-open plans the next cycle');
  assert.equal((await store.getIncident('inc-c'))?.remediation, null, 'no remediation run: no reference');
  assert.deepEqual((await store.getIncident('inc-d'))?.remediation, { runId: 'remediate:shop:cart:inc-d:0', cycle: 0 }, 'a key with a colon');
}

test('SQLite: migration 0010 derives the remediation reference of existing incidents from their runs', async () => {
  const tmp = tempDir('homeostat-backfill-');
  try {
    const db = new Database(tmp.dbPath);
    db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.slice(0, SQLITE_MIGRATIONS.findIndex((m) => m.name === BACKFILL))) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(migration.name, T0);
    }
    for (const [key, id, status] of incidents) {
      db.prepare('INSERT INTO incidents (id, key, element, symptom, status, summary, diagnosis, opened_at, updated_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL)').run(id, key, key, 'process-crashed', status, 's', T0, T0);
    }
    for (const [id, workflow, parent] of runs) {
      db.prepare('INSERT INTO runs (id, workflow, input, status, parent_id, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, ?, ?)').run(id, workflow, 'completed', parent, T0, T0);
    }
    db.close();
    const store = SqliteStore.open(tmp.dbPath);
    try {
      await expectBackfilled(store);
    } finally {
      await store.close();
    }
  } finally {
    tmp.cleanup();
  }
});

test('PostgreSQL: migration 0010 derives the remediation reference of existing incidents from their runs', async () => {
  const schema = freshSchema('hs_backfill');
  const client = new pg.Client({ connectionString: PG_BASE_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema.schema}"`);
    await client.query(`SET search_path TO "${schema.schema}"`);
    await client.query('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
    for (const migration of POSTGRES_MIGRATIONS.slice(0, POSTGRES_MIGRATIONS.findIndex((m) => m.name === BACKFILL))) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [migration.name, T0]);
    }
    for (const [key, id, status] of incidents) {
      await client.query('INSERT INTO incidents (id, key, element, symptom, status, summary, diagnosis, opened_at, updated_at, resolved_at) VALUES ($1, $2, $2, $3, $4, $5, NULL, $6, $6, NULL)', [id, key, 'process-crashed', status, 's', T0]);
    }
    for (const [id, workflow, parent] of runs) {
      await client.query('INSERT INTO runs (id, workflow, input, status, parent_id, created_at, updated_at) VALUES ($1, $2, NULL, $3, $4, $5, $5)', [id, workflow, 'completed', parent, T0]);
    }
    await client.end();
    const store = await PostgresStore.open(schema.url, { poolSize: 2 });
    try {
      await expectBackfilled(store);
    } finally {
      await store.close();
    }
  } finally {
    await client.end().catch(() => undefined);
    await schema.drop();
  }
});
