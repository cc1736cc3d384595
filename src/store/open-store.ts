import type { Store } from './store.js';
import { StoreOpenError } from './store-errors.js';
import { SqliteStore, type SqliteDurability } from './sqlite/sqlite-store.js';

/** Where state lives when nothing is configured: an SQLite file under `.homeostat/`. */
export const DEFAULT_STORE_URL = 'sqlite:.homeostat/homeostat.db';

/**
 * Open a store from a URL: `sqlite:<path>[?durability=full]`, a bare `*.db` path,
 * `sqlite::memory:`, or `postgres://user@host:5432/db[?schema=homeostat&durability=full&pool=10]`
 * (the `pg` driver is loaded only then).
 * @example const store = await openStore('sqlite:.homeostat/homeostat.db');
 * @example const shared = await openStore('postgres://homeostat@db.internal:5432/ops?schema=homeostat');
 * @example await openStore('mysql://db') // throws HS_STORE_URL naming the accepted forms
 */
export async function openStore(url: string = process.env.HOMEOSTAT_STORE ?? DEFAULT_STORE_URL): Promise<Store> {
  const trimmed = url.trim();
  if (trimmed.startsWith('sqlite:') || /\.(db|sqlite3?)$/i.test(trimmed)) {
    const rest = trimmed.startsWith('sqlite:') ? trimmed.slice('sqlite:'.length) : trimmed;
    const [path, query = ''] = rest.split('?', 2) as [string, string?];
    const params = new URLSearchParams(query);
    const durability = params.get('durability') ?? 'normal';
    if (durability !== 'normal' && durability !== 'full') {
      throw new StoreOpenError('HS_STORE_URL', `store URL ${url}: durability must be "normal" or "full", got "${durability}"`);
    }
    if (path === '') throw new StoreOpenError('HS_STORE_URL', `store URL ${url}: missing the file path after "sqlite:"`);
    return SqliteStore.open(path, { durability: durability as SqliteDurability });
  }
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    // Imported here so SQLite users never load the PostgreSQL driver.
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.open(trimmed);
  }
  throw new StoreOpenError(
    'HS_STORE_URL',
    `unsupported store URL ${JSON.stringify(url)}: use sqlite:<path> (e.g. ${DEFAULT_STORE_URL}) or postgres://user@host:5432/database`,
  );
}

/**
 * The store URL with any password masked, for logs and console output.
 * @example displayStoreUrl('postgres://app:s3cret@db:5432/hs') // 'postgres://app:***@db:5432/hs'
 * @example displayStoreUrl('sqlite:.homeostat/homeostat.db')  // unchanged
 */
export function displayStoreUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
