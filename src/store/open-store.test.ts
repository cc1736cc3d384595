import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayStoreUrl } from './open-store.js';

test('store URLs are shown with their password masked', () => {
  assert.equal(displayStoreUrl('postgres://app:s3cret@db.example:5432/hs?schema=x'), 'postgres://app:***@db.example:5432/hs?schema=x');
  assert.equal(displayStoreUrl('postgresql://app:p%40ss@127.0.0.1/hs'), 'postgresql://app:***@127.0.0.1/hs');
  assert.equal(displayStoreUrl('postgres://app@127.0.0.1/hs'), 'postgres://app@127.0.0.1/hs');
  assert.equal(displayStoreUrl('sqlite:.homeostat/homeostat.db'), 'sqlite:.homeostat/homeostat.db');
});
