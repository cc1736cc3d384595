import { createHash } from 'node:crypto';
import pg from 'pg';
import { StoreOpenError, StoreUnavailableError } from '../store-errors.js';

/**
 * How much a commit survives.
 * - `normal` (default): step checkpoints and failed attempts commit without waiting for
 *   the WAL flush (`synchronous_commit = off` for those statements only); everything that
 *   changes who owns a run or what state it is in (create, claim, suspend, finish,
 *   signal, cancel, redrive, leases) waits for it. A crash of any homeostat process or
 *   a clean database restart loses nothing; a crash of the database server may roll
 *   back the last fraction of a second of step checkpoints, which then run again.
 * - `full`: every commit waits for the WAL flush.
 */
export type PostgresDurability = 'normal' | 'full';

export interface PostgresStoreOptions {
  /** Schema holding homeostat's tables (default `homeostat`); created if missing. */
  schema?: string;
  durability?: PostgresDurability;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

export interface PostgresTarget {
  /** The URL without homeostat's own query parameters. */
  connectionString: string;
  schema: string;
  durability: PostgresDurability;
  poolSize: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/**
 * Split `postgres://user@host:port/db?schema=s&durability=full&pool=20` into the driver's
 * URL and homeostat's options (explicit `options` win over the URL's).
 */
export function parsePostgresUrl(url: string, options: PostgresStoreOptions = {}): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new StoreOpenError('HS_STORE_URL', `store URL ${redact(url)} is not a valid postgres:// URL`, cause);
  }
  const take = (key: string) => {
    const value = parsed.searchParams.get(key);
    parsed.searchParams.delete(key);
    return value ?? undefined;
  };
  const schema = options.schema ?? take('schema') ?? 'homeostat';
  const durability = options.durability ?? take('durability') ?? 'normal';
  const pool = options.poolSize ?? Number(take('pool') ?? 10);
  take('schema');
  take('durability');
  take('pool');
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreOpenError('HS_STORE_URL', `store URL ${redact(url)}: schema must be a plain identifier of at most 48 characters, got "${schema}"`);
  }
  if (durability !== 'normal' && durability !== 'full') {
    throw new StoreOpenError('HS_STORE_URL', `store URL ${redact(url)}: durability must be "normal" or "full", got "${durability}"`);
  }
  if (!Number.isInteger(pool) || pool < 1) {
    throw new StoreOpenError('HS_STORE_URL', `store URL ${redact(url)}: pool must be a positive integer`);
  }
  return { connectionString: parsed.toString(), schema, durability, poolSize: pool };
}

/** The URL with any password replaced, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** BIGINT (oid 20) columns hold epoch milliseconds and counters: read them as numbers. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const statementNames = new Map<string, string>();

/** A stable prepared-statement name per statement text. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `hs_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** Driver settings shared by the pool and the LISTEN connection. */
export function clientConfig(target: PostgresTarget): pg.ClientConfig {
  return {
    connectionString: target.connectionString,
    options: `-c search_path=${target.schema}`,
    application_name: 'homeostat',
    // A dead server must fail calls (the engine retries the run later), not hang them.
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    types,
  };
}

/**
 * True for failures of the connection rather than of the statement: the socket broke,
 * the server shut down or terminated the backend (SQLSTATE classes 08 and 57).
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (error instanceof pg.DatabaseError) return typeof code === 'string' && /^(08|57)/.test(code);
  // Our own refusals (HS_FENCED, …) and programming errors are not the connection's fault.
  if (typeof code === 'string' && code.startsWith('HS_')) return false;
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) return false;
  return true;
}

/** Wrap a connection failure into the store's retryable error; leave SQL errors alone. */
export function unavailable(error: unknown, what: string): unknown {
  if (!isConnectionError(error)) return error;
  return new StoreUnavailableError(`PostgreSQL unavailable while ${what}: ${(error as Error).message}`, error);
}

/**
 * A pg pool that survives killed connections: broken clients are discarded (never
 * handed out again), errors on idle or busy clients never crash the process, and every
 * new connection reports the server's start time so a restart is noticed.
 */
export class ConnectionPool {
  readonly pool: pg.Pool;
  /** Bumped whenever a connection reaches a server started at another time (a restart). */
  incarnation = 0;
  private serverStartedAt: string | undefined;
  private readonly checked = new WeakSet<pg.PoolClient>();

  constructor(target: PostgresTarget) {
    this.pool = new pg.Pool({ ...clientConfig(target), max: target.poolSize, idleTimeoutMillis: 30_000 });
    // Idle clients whose connection dies emit here; the pool drops them itself.
    this.pool.on('error', () => undefined);
    // A busy client's connection can die between queries: without a listener that
    // 'error' would crash the process. The failing query (if any) rejects on its own.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** A client from the pool, its server's start time checked on first use. */
  async acquire(what: string): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unavailable(error, what);
    }
    if (!this.checked.has(client)) {
      try {
        const { rows } = await client.query<{ started: string }>('SELECT pg_postmaster_start_time()::text AS started');
        const started = rows[0]!.started;
        if (this.serverStartedAt !== undefined && this.serverStartedAt !== started) this.incarnation++;
        this.serverStartedAt = started;
        this.checked.add(client);
      } catch (error) {
        client.release(true);
        throw unavailable(error, what);
      }
    }
    return client;
  }

  /** Give a client back; one whose connection failed is destroyed instead. */
  release(client: pg.PoolClient, error?: unknown): void {
    client.release(error !== undefined && isConnectionError(error) ? (error as Error) : undefined);
  }

  /** One statement; `before` runs once a client is held (and the server's start time known). */
  async query<R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[] = [], before?: () => void): Promise<pg.QueryResult<R>> {
    const client = await this.acquire(what);
    try {
      before?.();
      // Named, so each connection parses and plans a statement once rather than per call
      // (measurably cheaper for the CTE statements on the hot path).
      const result = await client.query<R>({ name: statementName(sql), text: sql, values: params });
      this.release(client);
      return result;
    } catch (error) {
      this.release(client, error);
      throw unavailable(error, what);
    }
  }

  /** Run `body` in a transaction on one client; rolled back if it throws. */
  async transaction<T>(what: string, body: (client: pg.PoolClient) => Promise<T>, before?: () => void): Promise<T> {
    const client = await this.acquire(what);
    try {
      before?.();
      await client.query('BEGIN');
      const result = await body(client);
      await client.query('COMMIT');
      this.release(client);
      return result;
    } catch (error) {
      if (!isConnectionError(error)) await client.query('ROLLBACK').catch(() => undefined);
      this.release(client, error);
      throw unavailable(error, what);
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}
