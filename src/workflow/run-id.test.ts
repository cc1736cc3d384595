import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRunId } from './run-id.js';

test('run ids are UUIDv7: version and variant bits set, the time in the first 48 bits', () => {
  const at = Date.UTC(2026, 10, 25, 9, 30);
  const id = newRunId(at);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), at);
});

test('ids made later sort after ids made earlier, and never repeat', () => {
  const earlier = newRunId(1_000_000);
  const later = newRunId(1_000_001);
  assert.ok(earlier < later);
  const many = new Set(Array.from({ length: 10_000 }, () => newRunId(5)));
  assert.equal(many.size, 10_000);
  assert.throws(() => newRunId(Number.NaN), RangeError);
});
