import type { ConnectionPool } from './connection.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

/**
 * Create the schema if needed and apply the migrations it lacks, each recorded in
 * `schema_migrations`. One transaction under an advisory lock keyed by the schema, so
 * processes starting at once against a new database do not race.
 */
export async function migrate(db: ConnectionPool, schema: string): Promise<void> {
  await db.transaction('migrating the schema', async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`homeostat:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET LOCAL search_path TO "${schema}"`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.name));
    for (const migration of POSTGRES_MIGRATIONS) {
      if (applied.has(migration.name)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [migration.name, Date.now()]);
    }
  });
}
