import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../open-store.js';
import { parsePostgresUrl, redact } from './connection.js';

test('a postgres:// URL is split into the driver URL and homeostat options', () => {
  const target = parsePostgresUrl('postgres://app:pw@db:6543/ops?schema=hs_1&durability=full&pool=4&sslmode=disable');
  assert.deepEqual(target, {
    connectionString: 'postgres://app:pw@db:6543/ops?sslmode=disable',
    schema: 'hs_1',
    durability: 'full',
    poolSize: 4,
  });
  assert.deepEqual(parsePostgresUrl('postgresql://db/ops'), { connectionString: 'postgresql://db/ops', schema: 'homeostat', durability: 'normal', poolSize: 10 });
  assert.equal(parsePostgresUrl('postgres://db/ops?schema=x', { schema: 'y' }).schema, 'y', 'explicit options win');
});

test('a bad postgres:// URL is refused with HS_STORE_URL, without echoing the password', () => {
  for (const url of ['postgres://u:secret@db/x?schema=bad-name', 'postgres://u:secret@db/x?schema=a;drop', 'postgres://u:secret@db/x?durability=sometimes', 'postgres://u:secret@db/x?pool=0']) {
    assert.throws(() => parsePostgresUrl(url), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'HS_STORE_URL');
      assert.ok(!error.message.includes('secret'), error.message);
      return true;
    });
  }
  assert.equal(redact('postgres://u:secret@db/x'), 'postgres://u:***@db/x');
});

test('openStore on an unreachable server fails with HS_STORE_OPEN', async () => {
  await assert.rejects(openStore('postgres://nobody@127.0.0.1:1/none'), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'HS_STORE_OPEN');
    assert.match(error.message, /127\.0\.0\.1:1/);
    return true;
  });
});
