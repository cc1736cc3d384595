import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fallback } from './fallback.js';

test('a failure is replaced by the fallback value or handler result', async () => {
  const seen: unknown[] = [];
  const withDefault = fallback((error) => `fallback for ${(error as Error).message}`);
  withDefault.onFallback(({ error }) => seen.push(error));
  assert.equal(await withDefault.execute(() => 'primary'), 'primary');
  assert.equal(await withDefault.execute(() => Promise.reject(new Error('down'))), 'fallback for down');
  assert.equal(seen.length, 1);
  assert.equal(await fallback(0).execute(() => { throw new Error('x'); }), 0);
});

test('errors the predicate refuses, and caller aborts, propagate', async () => {
  const onlyTimeouts = fallback('n/a', { shouldFallback: (error) => (error as { code?: string }).code === 'HS_TIMEOUT' });
  await assert.rejects(onlyTimeouts.execute(() => Promise.reject(new Error('other'))), { message: 'other' });
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(fallback('n/a').execute(() => Promise.reject(new Error('aborted')), controller.signal), {
    message: 'aborted',
  });
});
