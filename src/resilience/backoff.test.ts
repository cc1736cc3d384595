import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constantBackoff, decorrelatedJitterBackoff, exponentialBackoff, toBackoff } from './backoff.js';

const half = (): number => 0.5;

test('exponential backoff grows by the factor and is capped', () => {
  const backoff = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 1000 });
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoff.delayMs(n, 0, half)), [100, 200, 400, 800, 1000]);
});

test('exponential jitter modes', () => {
  assert.equal(exponentialBackoff({ initialDelayMs: 100, jitter: 'full' }).delayMs(2, 0, half), 100);
  assert.equal(exponentialBackoff({ initialDelayMs: 100, jitter: 'equal' }).delayMs(2, 0, half), 150);
});

test('decorrelated jitter is within [initial, 3 × previous] and capped', () => {
  const backoff = decorrelatedJitterBackoff({ initialDelayMs: 100, maxDelayMs: 1000 });
  assert.equal(backoff.delayMs(1, 0, () => 0.99), 100);
  assert.equal(backoff.delayMs(2, 200, half), 100 + 0.5 * 500);
  assert.equal(backoff.delayMs(9, 900, () => 0.99), 1000);
});

test('constant and function backoffs; invalid options throw', () => {
  assert.equal(constantBackoff(5).delayMs(9, 0, half), 5);
  assert.equal(toBackoff((attempt) => attempt * 10).delayMs(3, 0, half), 30);
  assert.throws(() => constantBackoff(-1), { code: 'HS_INVALID_POLICY_OPTIONS' });
  assert.throws(() => exponentialBackoff({ factor: 0.5 }), { code: 'HS_INVALID_POLICY_OPTIONS' });
  assert.throws(() => decorrelatedJitterBackoff({ initialDelayMs: 10, maxDelayMs: 5 }), {
    code: 'HS_INVALID_POLICY_OPTIONS',
  });
});
