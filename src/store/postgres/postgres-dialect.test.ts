import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POSTGRES_DIALECT } from './postgres-dialect.js';

test('PostgreSQL passes a batch of rows as one typed array per column, numbered from the given parameter', () => {
  const columns = [
    { name: 'node', type: 'text' },
    { name: 'at', type: 'bigint' },
  ] as const;
  assert.equal(POSTGRES_DIALECT.rowsFrom('s', 2, columns), 'unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS s(node, at, n)');
  assert.deepEqual(POSTGRES_DIALECT.rowParams(columns, [['a', 1], ['b', 2]]), [['a', 'b'], [1, 2]]);
  assert.equal(POSTGRES_DIALECT.inList('status', 3), 'status = ANY($3::text[])');
  assert.deepEqual(POSTGRES_DIALECT.list(['open']), ['open']);
});
