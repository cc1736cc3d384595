import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './manual-clock.js';

test('advance fires due sleeps in order, including sleeps chained after waking', async () => {
  const clock = new ManualClock(1_000);
  const woke: string[] = [];
  void clock.sleep(300).then(() => woke.push(`b@${clock.now()}`));
  void clock.sleep(100).then(async () => {
    woke.push(`a@${clock.now()}`);
    await clock.sleep(100);
    woke.push(`a2@${clock.now()}`);
  });
  assert.equal(clock.pendingSleeps, 2);
  await clock.advance(250);
  assert.deepEqual(woke, ['a@1100', 'a2@1200']);
  assert.equal(clock.now(), 1_250);
  await clock.advance(50);
  assert.deepEqual(woke, ['a@1100', 'a2@1200', 'b@1300']);
  assert.equal(clock.pendingSleeps, 0);
});

test('an aborted sleep rejects with the reason and is no longer pending', async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const sleeping = clock.sleep(1_000, controller.signal);
  const reason = new Error('stop');
  controller.abort(reason);
  await assert.rejects(sleeping, (error) => error === reason);
  assert.equal(clock.pendingSleeps, 0);
  await assert.rejects(clock.sleep(1, AbortSignal.abort()), { name: 'AbortError' });
});

test('timers can be cancelled', async () => {
  const clock = new ManualClock();
  let fired = 0;
  const timer = clock.setTimer(10, () => fired++);
  clock.setTimer(20, () => fired++);
  timer.cancel();
  await clock.advance(100);
  assert.equal(fired, 1);
});
