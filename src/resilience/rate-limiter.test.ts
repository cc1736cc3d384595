import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { tokenBucket } from './rate-limiter.js';

test('token bucket allows a burst of capacity, then refills continuously', async () => {
  const clock = new ManualClock();
  const limiter = tokenBucket({ capacity: 3, refillPerSecond: 2, clock });
  assert.equal([1, 2, 3, 4].filter(() => limiter.tryAcquire()).length, 3);
  assert.equal(limiter.retryAfterMs(), 500);
  await assert.rejects(limiter.execute(() => 'x'), { code: 'HS_RATE_LIMITED', retryable: true, retryAfterMs: 500 });
  await clock.advance(500);
  assert.equal(await limiter.execute(() => 'x'), 'x');
  await clock.advance(60_000);
  assert.equal(limiter.tokens, 3); // capped at capacity
});

test('with maxWaitMs, execute waits for its token in order, and an abort gives the token back', async () => {
  const clock = new ManualClock();
  const limiter = tokenBucket({ capacity: 1, refillPerSecond: 1, maxWaitMs: 5_000, clock });
  assert.equal(await limiter.execute(() => 'first'), 'first');
  const order: string[] = [];
  const second = limiter.execute(() => order.push('second'));
  const controller = new AbortController();
  const third = limiter.execute(() => order.push('third'), controller.signal);
  third.catch(() => undefined);
  controller.abort();
  await assert.rejects(third, { name: 'AbortError' });
  await clock.advance(1_000);
  await second;
  assert.deepEqual(order, ['second']);
  await clock.advance(1_000);
  assert.ok(limiter.tryAcquire(), 'the aborted reservation was returned');
});

test('invalid token bucket options are rejected', () => {
  assert.throws(() => tokenBucket({ capacity: 0, refillPerSecond: 1 }), { code: 'HS_INVALID_POLICY_OPTIONS' });
});
