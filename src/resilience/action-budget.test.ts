import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { actionBudget } from './action-budget.js';

test('at most N actions in any sliding window, shared by every caller', async () => {
  const clock = new ManualClock();
  const restarts = actionBudget({ max: 3, windowMs: 600_000, clock });
  const exhausted: number[] = [];
  restarts.onExhausted(({ retryAfterMs }) => exhausted.push(retryAfterMs));
  assert.equal(await restarts.execute(() => 'a'), 'a');
  await clock.advance(100_000);
  assert.ok(restarts.tryAcquire());
  assert.ok(restarts.tryAcquire());
  assert.equal(restarts.remaining, 0);
  await assert.rejects(restarts.execute(() => 'b'), { code: 'HS_RATE_LIMITED', retryAfterMs: 500_000 });
  assert.deepEqual(exhausted, [500_000]);
  await clock.advance(500_000);
  assert.equal(restarts.remaining, 1);
});

test('a serialised budget restores the actions still in its window', async () => {
  const clock = new ManualClock(10_000_000);
  const before = actionBudget({ max: 2, windowMs: 60_000, clock });
  before.tryAcquire();
  await clock.advance(30_000);
  before.tryAcquire();
  const snapshot = JSON.parse(JSON.stringify(before.toJSON()));
  const after = actionBudget({ max: 2, windowMs: 60_000, clock, initialState: snapshot });
  assert.equal(after.tryAcquire(), false);
  assert.equal(after.retryAfterMs(), 30_000);
  await clock.advance(30_000);
  assert.equal(after.remaining, 1);
});
