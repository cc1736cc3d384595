import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { timeout } from './timeout.js';

test('a call that finishes in time returns its value and leaves no timer wanted', async () => {
  const clock = new ManualClock();
  const policy = timeout(1000, { clock });
  assert.equal(await policy.execute(() => 'fast'), 'fast');
  assert.equal(await policy.execute(async () => 'fast too'), 'fast too');
});

test('cooperative: on expiry the callee signal aborts and the call rejects with HS_TIMEOUT once it settles', async () => {
  const clock = new ManualClock();
  const policy = timeout(500, { clock });
  let sawAbort = false;
  const pending = handled(policy.execute(
    ({ signal }) =>
      new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          sawAbort = true;
          reject(signal.reason as Error);
        }),
      ),
  ));
  await clock.advance(499);
  assert.equal(sawAbort, false);
  await clock.advance(1);
  await assert.rejects(pending, (error: Error & { code?: string; retryable?: boolean }) => {
    assert.equal(error.code, 'HS_TIMEOUT');
    assert.equal(error.retryable, true);
    assert.match(error.message, /500 ms/);
    return true;
  });
  assert.equal(sawAbort, true);
});

test('cooperative: a callee that ignores the abort and fails is reported as HS_TIMEOUT with the cause', async () => {
  const clock = new ManualClock();
  const policy = timeout(100, { clock });
  const pending = handled(policy.execute(() => clock.sleep(300).then(() => Promise.reject(new Error('late failure')))));
  await clock.advance(300);
  await assert.rejects(pending, (error: Error) => (error as { code?: string }).code === 'HS_TIMEOUT' &&
    (error.cause as Error).message === 'late failure');
});

test('aggressive: rejects at the deadline without waiting for the callee', async () => {
  const clock = new ManualClock();
  const events: number[] = [];
  const policy = timeout(100, { clock, strategy: 'aggressive' });
  policy.onTimeout((event) => events.push(event.timeoutMs));
  const pending = handled(policy.execute(() => new Promise(() => undefined)));
  await clock.advance(100);
  await assert.rejects(pending, { code: 'HS_TIMEOUT' });
  assert.deepEqual(events, [100]);
});

test('many concurrent calls share one timer and expire in order', async () => {
  const clock = new ManualClock();
  const policy = timeout(100, { clock, strategy: 'aggressive' });
  const results: string[] = [];
  const calls = [0, 30, 60].map(async (offset, index) => {
    await clock.sleep(offset);
    return policy.execute(() => new Promise(() => undefined)).catch(() => results.push(`${index}@${clock.now()}`));
  });
  await clock.advance(59);
  await clock.advance(1);
  assert.ok(clock.pendingSleeps <= 2, `pending ${clock.pendingSleeps}`);
  await clock.advance(200);
  await Promise.all(calls);
  assert.deepEqual(results, ['0@100', '1@130', '2@160']);
});

test("the caller's abort reaches the callee", async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const pending = handled(timeout(1000, { clock }).execute(
    ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
    controller.signal,
  ));
  const reason = new Error('caller gave up');
  controller.abort(reason);
  await assert.rejects(pending, (error) => error === reason);
});

/** Marks a promise as handled now (its rejection is asserted later, after the clock moves). */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
