import { chmodSync, mkdirSync, stat, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoreHealth } from '../store-health.js';
import { StoreDamagedError, StoreFullError, StoreLostError } from '../store-errors.js';

/** Calls that only read: their success says nothing about whether writes work again. */
const READ_ONLY = /^(get|list|load|known|next)/;

export interface GuardOptions {
  /** The database file whose identity is watched (absolute; ':memory:' is not watched). */
  path: string;
  health: StoreHealth;
  /** How often the file's identity (device + inode) is checked; one async stat each. */
  identityCheckEveryMs: number;
  /** Copy what the open (now unlinked) database still holds to this new file. */
  saveCopy?: (path: string) => void;
}

/**
 * Wraps an SQLite store so its failures are named and seen:
 * - SQLite's raw errors become homeostat errors: `SQLITE_FULL` → `HS_STORE_FULL`,
 *   `SQLITE_CORRUPT` → `HS_STORE_CORRUPT`, `SQLITE_IOERR*` → `HS_STORE_IO`; each also
 *   recorded in the store's {@link StoreHealth} (a later successful write clears a full disk);
 * - the file is checked every `identityCheckEveryMs`: once it is deleted or replaced
 *   (another inode), SQLite would keep writing into the unlinked file — invisible to every
 *   other process and gone at exit — so from then on every call fails with `HS_STORE_LOST`.
 *
 * A Proxy rather than a method-by-method wrapper so every store call, present and future,
 * goes through it.
 *
 * @example const store = guardStore(SqliteStore-instance, { path, health, identityCheckEveryMs: 2_000 });
 * @example await store.appendEvents(events) // disk full: rejects with HS_STORE_FULL, store.health.fault === 'full'
 */
export function guardStore<T extends object>(store: T, options: GuardOptions): T {
  const { path, health } = options;
  let lost: StoreLostError | undefined;
  const markLost = (what: string) => {
    if (lost) return;
    lost = new StoreLostError(path, `${what}${rescue(path, options.saveCopy)}`);
    health.noteFailure('lost', lost);
  };
  let timer: NodeJS.Timeout | undefined;
  if (path !== ':memory:') {
    const opened = statSync(path);
    let checking = false;
    timer = setInterval(() => {
      if (checking || lost) return;
      checking = true;
      stat(path, (error, now) => {
        checking = false;
        if (error) {
          if (error.code === 'ENOENT') markLost('its file was deleted while in use');
          return;
        }
        if (now.ino !== opened.ino || now.dev !== opened.dev) markLost('its file was replaced by another one while in use');
      });
    }, options.identityCheckEveryMs);
    timer.unref();
  }

  const fail = (error: unknown): unknown => {
    const named = nameError(error, path);
    if (!named) return error;
    if (named.fault === 'lost') lost ??= named.error as StoreLostError;
    health.noteFailure(named.fault, named.error);
    return named.error;
  };

  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || prop === 'constructor') return value;
      let wrapper = wrapped.get(prop);
      if (wrapper) return wrapper;
      const method = value as (...args: unknown[]) => unknown;
      const write = typeof prop === 'string' && !READ_ONLY.test(prop);
      if (prop === 'close') {
        wrapper = (...args: unknown[]) => {
          if (timer) clearInterval(timer);
          return method.apply(target, args);
        };
      } else {
        wrapper = (...args: unknown[]) => {
          if (lost) {
            health.noteFailure('lost', lost);
            return Promise.reject(lost);
          }
          let result: unknown;
          try {
            result = method.apply(target, args);
          } catch (error) {
            throw fail(error);
          }
          if (!(result instanceof Promise)) return result;
          return result.then(
            (ok: unknown) => {
              if (write) health.noteWriteOk();
              return ok;
            },
            (error: unknown) => {
              throw fail(error);
            },
          );
        };
      }
      wrapped.set(prop, wrapper);
      return wrapper;
    },
  });
}

/** The homeostat error (and fault) for a raw SQLite error; undefined for errors that are not about the disk or file. */
function nameError(error: unknown, path: string): { fault: 'full' | 'corrupt' | 'io' | 'lost'; error: Error } | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  if (code === 'SQLITE_FULL') return { fault: 'full', error: new StoreFullError(path, error) };
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return { fault: 'corrupt', error: new StoreDamagedError('HS_STORE_CORRUPT', path, error) };
  if (code === 'SQLITE_READONLY_DBMOVED') return { fault: 'lost', error: new StoreLostError(path, 'its file was moved or deleted while in use') };
  if (code.startsWith('SQLITE_IOERR')) return { fault: 'io', error: new StoreDamagedError('HS_STORE_IO', path, error) };
  return undefined;
}

/**
 * The deleted file is still open here, so its content can still be read: save it next to
 * where it was (an audit chain or incident history removed by mistake, or by someone
 * covering their tracks, is then not gone). Returns what to add to the error message.
 */
function rescue(path: string, saveCopy: ((path: string) => void) | undefined): string {
  if (!saveCopy) return '';
  const copy = `${path}.rescued-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    mkdirSync(dirname(copy), { recursive: true });
    saveCopy(copy);
    // It holds what the store held (token hashes, config text): readable by its owner only.
    chmodSync(copy, 0o600);
    return `; what it held was saved to ${copy}`;
  } catch (error) {
    return `; saving what it held to ${copy} failed (${(error as Error).message})`;
  }
}
