import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { NewElementEventRecord } from '../../src/store/records.js';
import { tempDir } from './temp-store.js';

const events = (n: number, from = 0): NewElementEventRecord[] =>
  Array.from({ length: n }, (_, i) => ({ at: 1_000 + from + i, element: 'api', kind: 'process-exited', data: JSON.stringify({ instance: 'api#0', padding: 'x'.repeat(300) }) }));

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

/** The store's health, when it has one (older builds had none). */
function faultOf(store: SqliteStore): string | undefined {
  return (store as { health?: { fault?: string } }).health?.fault;
}

test('the database files deleted under a running store: noticed within a bound, then every write and read fails with HS_STORE_LOST', async () => {
  const tmp = tempDir();
  // A short check period keeps the test quick; the default is 2 s.
  const options: Parameters<typeof SqliteStore.open>[1] = { identityCheckEveryMs: 100 } as never;
  const store = SqliteStore.open(tmp.dbPath, options);
  try {
    await store.appendEvents(events(10));
    for (const name of readdirSync(tmp.dir)) if (name.startsWith('state.db')) rmSync(join(tmp.dir, name));
    const deadline = Date.now() + 5_000;
    let failure: unknown;
    while (Date.now() < deadline && failure === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await store.appendEvents(events(1, 100)).catch((error: unknown) => (failure = error));
    }
    assert.notEqual(failure, undefined, 'a write into the deleted file was refused within 5 s');
    assert.equal(codeOf(failure), 'HS_STORE_LOST');
    assert.match((failure as Error).message, /state\.db: its file was deleted/);
    await assert.rejects(store.listEvents({ limit: 5 }), (error: unknown) => codeOf(error) === 'HS_STORE_LOST', 'reads fail too: they would show a past no one else sees');
    assert.equal(faultOf(store), 'lost');
    // What the unlinked file still held is saved next to it, so it is not gone.
    const copy = /saved to (\S+);/.exec((failure as Error).message)?.[1];
    assert.ok(copy, (failure as Error).message);
    const rescued = SqliteStore.open(copy);
    try {
      assert.equal((await rescued.listEvents({ limit: 100 })).length >= 10, true);
    } finally {
      await rescued.close();
    }
  } finally {
    await store.close();
    tmp.cleanup();
  }
});

test('a database with a corrupted page in the middle is refused at open, with HS_STORE_CORRUPT naming the file', async () => {
  const tmp = tempDir();
  const store = SqliteStore.open(tmp.dbPath);
  for (let i = 0; i < 10; i++) await store.appendEvents(events(200, i * 200));
  await store.close(); // the last connection: the WAL is checkpointed into the file
  const size = statSync(tmp.dbPath).size;
  const pageSize = 4096;
  const pages = size / pageSize;
  assert.ok(pages > 20, `a real multi-page file (${pages} pages)`);
  // Garbage over one page in the middle, as a bad sector or a stray write would leave.
  const fd = openSync(tmp.dbPath, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, Math.floor(pages / 2) * pageSize);
  closeSync(fd);
  try {
    assert.throws(
      () => SqliteStore.open(tmp.dbPath),
      (error: unknown) => codeOf(error) === 'HS_STORE_CORRUPT' && (error as Error).message.includes(tmp.dbPath) && /quick_check|corrupt/.test((error as Error).message),
    );
    // Opened without the check (as an older file might be), the damage found while running is a clear error too, not a raw SqliteError.
    const unchecked = SqliteStore.open(tmp.dbPath, { integrityCheck: false } as never);
    try {
      await assert.rejects(unchecked.listEvents({ limit: 10_000 }), (error: unknown) => codeOf(error) === 'HS_STORE_CORRUPT' && (error as Error).message.includes(tmp.dbPath));
      assert.equal(faultOf(unchecked), 'corrupt');
    } finally {
      await unchecked.close();
    }
  } finally {
    tmp.cleanup();
  }
});

test('a full disk (SQLITE_FULL): writes fail with HS_STORE_FULL and are counted; reads still work; when space returns writes resume and the fault clears', async () => {
  const tmp = tempDir();
  // The fault clears once writes have gone through for healthyAfterMs (default 5 s) with none failing.
  const store = SqliteStore.open(tmp.dbPath, { healthyAfterMs: 300 } as never);
  try {
    await store.appendEvents(events(5));
    // SQLite's page budget gives a real SQLITE_FULL, as a full filesystem does.
    const db = (store as unknown as { db: Database.Database }).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    let failure: unknown;
    for (let i = 0; i < 50 && failure === undefined; i++) await store.appendEvents(events(200, 1_000 + i * 200)).catch((error: unknown) => (failure = error));
    assert.equal(codeOf(failure), 'HS_STORE_FULL', `got ${String(failure)}`);
    assert.match((failure as Error).message, /disk is full/);
    assert.equal(faultOf(store), 'full');
    assert.ok((await store.listEvents({ limit: 5 })).length > 0, 'reads still work');
    db.pragma('max_page_count = 1000000');
    await store.appendEvents(events(1, 99_000));
    assert.equal(faultOf(store), 'full', 'one write that fits does not yet mean the disk has room (no flapping)');
    await new Promise((resolve) => setTimeout(resolve, 350));
    await store.appendEvents(events(1, 99_001));
    assert.equal(faultOf(store), undefined, 'writes going through for a while clear the fault');
    assert.equal((store as { health?: { failures: Map<string, number> } }).health?.failures.get('HS_STORE_FULL'), 1, 'the failed write is counted');
  } finally {
    await store.close();
    tmp.cleanup();
  }
});
