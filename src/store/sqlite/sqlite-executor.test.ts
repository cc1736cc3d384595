import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { count, rows } from '../sql/sql-executor.js';
import type { SqlColumn } from '../sql/sql-dialect.js';
import { GroupCommit } from './group-commit.js';
import { SqliteExecutor } from './sqlite-executor.js';

function executor() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, size INTEGER)');
  return { db, sql: new SqliteExecutor(db, new GroupCommit(db)) };
}

const BATCH: readonly SqlColumn[] = [
  { name: 'name', type: 'text' },
  { name: 'size', type: 'bigint' },
];

test('SQLite runs the shared $n statements: a number binds its parameter, a repeated one binds the same value, undefined binds NULL', async () => {
  const { sql } = executor();
  assert.equal(await sql.count('t', 'INSERT INTO items (name, size) VALUES ($1, $2)', ['a', undefined]), 1);
  assert.deepEqual(await sql.rows('t', 'SELECT name, size, $1 AS again FROM items WHERE name = $1', ['a']), [{ name: 'a', size: null, again: 'a' }]);
});

test('SQLite reads a list parameter and a batch of rows, keeping their order and their numbers', async () => {
  const { sql } = executor();
  const dialect = sql.dialect;
  const rowsIn = [['c', 3], ['a', 1], ['b', 20_000_000_000]];
  await sql.count('t', `INSERT INTO items (name, size) SELECT e.name, e.size FROM ${dialect.rowsFrom('e', 1, BATCH)} ORDER BY e.n`, dialect.rowParams(BATCH, rowsIn));
  assert.deepEqual(await sql.rows('t', 'SELECT name, size FROM items ORDER BY id'), [{ name: 'c', size: 3 }, { name: 'a', size: 1 }, { name: 'b', size: 20_000_000_000 }]);
  assert.deepEqual(await sql.rows('t', `SELECT name FROM items WHERE ${dialect.inList('name', 1)} ORDER BY name`, [dialect.list(['a', 'c'])]), [{ name: 'a' }, { name: 'c' }]);
});

test('an SQLite transaction body runs whole or not at all', async () => {
  const { sql, db } = executor();
  const inserted = await sql.transaction('t', function* () {
    yield* count('INSERT INTO items (name) VALUES ($1)', ['kept']);
    return (yield* rows<{ n: number }>('SELECT count(*) AS n FROM items'))[0]!.n;
  });
  assert.equal(inserted, 1);
  await assert.rejects(
    sql.transaction('t', function* () {
      yield* count('INSERT INTO items (name) VALUES ($1)', ['dropped']);
      throw new Error('refused');
    }),
    /refused/,
  );
  assert.deepEqual(db.prepare('SELECT name FROM items').all(), [{ name: 'kept' }]);
  assert.equal(db.inTransaction, false);
});
