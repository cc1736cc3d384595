import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared test server (services.md): trust auth, database `test`. */
export const PG_BASE_URL = process.env.HOMEOSTAT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

function ready(): boolean {
  const url = new URL(PG_BASE_URL);
  return spawnSync('pg_isready', ['-h', url.hostname, '-p', url.port || '5432'], { stdio: 'ignore' }).status === 0;
}

let checked = false;

/**
 * Make sure the shared PostgreSQL answers: if it does not, try the machine's start
 * command once (services.md), then fail with a clear message — never skip.
 */
export function ensurePostgres(): void {
  if (checked || ready()) {
    checked = true;
    return;
  }
  spawnSync('sh', ['-c', 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'], { stdio: 'ignore' });
  for (let i = 0; i < 40 && !ready(); i++) spawnSync('sleep', ['0.25']);
  if (!ready()) {
    throw new Error(
      `PostgreSQL does not answer at ${PG_BASE_URL} (pg_isready failed, and starting the local cluster did not help). ` +
        'Start it (see services.md) or point HOMEOSTAT_TEST_POSTGRES at a server.',
    );
  }
  checked = true;
}

/** A fresh schema of its own for one test (so runs never collide); `drop` removes it. */
export function freshSchema(prefix = 'hs_t'): { url: string; schema: string; drop: () => Promise<void> } {
  ensurePostgres();
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const url = new URL(PG_BASE_URL);
  url.searchParams.set('schema', schema);
  return { url: url.toString(), schema, drop: () => dropSchema(schema) };
}

export async function dropSchema(schema: string, baseUrl = PG_BASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
