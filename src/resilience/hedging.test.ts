import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { hedge } from './hedging.js';

test('no hedge when the first attempt is fast', async () => {
  const clock = new ManualClock();
  const hedged = hedge({ delayMs: 100, clock });
  const attempts: number[] = [];
  assert.equal(await hedged.execute(({ attempt }) => (attempts.push(attempt), 'fast')), 'fast');
  await clock.advance(1_000);
  assert.deepEqual(attempts, [1]);
});

test('a slow first attempt gets a hedge after the delay; the first success wins and the loser is aborted', async () => {
  const clock = new ManualClock();
  const hedged = hedge({ delayMs: 100, clock });
  const aborted: string[] = [];
  const pending = hedged.execute(({ signal, attempt }) => {
    signal.addEventListener('abort', () => aborted.push(`${attempt}:${(signal.reason as { code: string }).code}`));
    return clock.sleep(attempt === 1 ? 1_000 : 50).then(() => `attempt ${attempt}`);
  });
  await clock.advance(150);
  assert.equal(await pending, 'attempt 2');
  assert.deepEqual(aborted, ['1:HS_HEDGE_LOST']);
});

test('a failed first attempt is hedged at once; when all fail the last error is thrown', async () => {
  const clock = new ManualClock();
  const hedged = hedge({ delayMs: 10_000, clock });
  await assert.rejects(
    hedged.execute(({ attempt }) => Promise.reject(new Error(`fail ${attempt}`))),
    { message: 'fail 2' },
  );
});

test('the budget caps the extra load', async () => {
  const clock = new ManualClock();
  const hedged = hedge({ delayMs: 10, clock, budget: { ratio: 0.1, burst: 1 } });
  let hedges = 0;
  let skipped = 0;
  hedged.onHedge(() => hedges++);
  hedged.onBudgetExhausted(() => skipped++);
  for (let i = 0; i < 30; i++) {
    const pending = hedged.execute(() => clock.sleep(20).then(() => 'slow'));
    await clock.advance(20);
    assert.equal(await pending, 'slow');
  }
  // one saved token at start, then one per ten calls: 1 + 2 = 3 of 30 calls hedged
  assert.equal(hedges, 3);
  assert.equal(skipped, 27);
});
