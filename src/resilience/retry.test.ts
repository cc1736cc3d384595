import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { constantBackoff } from './backoff.js';
import { isRetryable, parseRetryAfter, retry, retryAfterMs, type GiveUpEvent, type RetryEvent } from './retry.js';
import { seededRandom } from './random.js';
import { TerminalError } from './terminal-error.js';

function failing(times: number, make: (n: number) => unknown = (n) => new Error(`fail ${n}`)) {
  let calls = 0;
  const fn = (): string => {
    calls++;
    if (calls <= times) throw make(calls);
    return `ok after ${calls}`;
  };
  return { fn, calls: () => calls };
}

test('retry returns the first success without waiting when nothing fails', async () => {
  const clock = new ManualClock();
  assert.equal(await retry({ clock }).execute(() => 42), 42);
  assert.equal(clock.pendingSleeps, 0);
});

test('retry waits the backoff between attempts and passes the 1-based attempt', async () => {
  const clock = new ManualClock();
  const attempts: number[] = [];
  const policy = retry({ clock, maxAttempts: 3, backoff: constantBackoff(1000) });
  const pending = handled(policy.execute(({ attempt }) => {
    attempts.push(attempt);
    if (attempt < 3) throw new Error('transient');
    return 'done';
  }));
  await clock.advance(999);
  assert.deepEqual(attempts, [1]);
  await clock.advance(1001);
  assert.equal(await pending, 'done');
  assert.deepEqual(attempts, [1, 2, 3]);
});

test('retry rethrows the last error itself when attempts are exhausted', async () => {
  const clock = new ManualClock();
  const { fn, calls } = failing(10);
  const gaveUp: GiveUpEvent[] = [];
  const policy = retry({ clock, maxAttempts: 3, backoff: constantBackoff(10) });
  policy.onGiveUp((event) => gaveUp.push(event));
  const pending = handled(policy.execute(fn));
  await clock.advance(100);
  await assert.rejects(pending, { message: 'fail 3' });
  assert.equal(calls(), 3);
  assert.equal(gaveUp[0]?.reason, 'max-attempts');
});

test('retry stops at once on a TerminalError and on a custom predicate', async () => {
  const { fn, calls } = failing(5, () => new TerminalError('bad input'));
  await assert.rejects(retry().execute(fn), { code: 'HS_TERMINAL' });
  assert.equal(calls(), 1);
  const policy = retry({ shouldRetry: (error) => (error as Error).message !== 'fatal' });
  await assert.rejects(policy.execute(() => Promise.reject(new Error('fatal'))), { message: 'fatal' });
});

test('an abort during a backoff sleep rejects promptly with the abort reason', async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const { fn, calls } = failing(10);
  const pending = handled(retry({ clock, backoff: constantBackoff(60_000) }).execute(fn, controller.signal));
  await clock.advance(10);
  assert.equal(clock.pendingSleeps, 1);
  const reason = new Error('shutting down');
  controller.abort(reason);
  await assert.rejects(pending, (error) => error === reason);
  assert.equal(calls(), 1);
  assert.equal(clock.pendingSleeps, 0);
});

test('retry honours an error-carried retry-after, capped at maxRetryAfterMs', async () => {
  const clock = new ManualClock();
  const delays: number[] = [];
  const throttled = (ms: number) => Object.assign(new Error('429'), { retryAfterMs: ms });
  const { fn } = failing(2, (n) => throttled(n === 1 ? 5_000 : 3_600_000));
  const policy = retry({ clock, backoff: constantBackoff(10), maxRetryAfterMs: 30_000 });
  policy.onRetry((event: RetryEvent) => delays.push(event.delayMs));
  const pending = handled(policy.execute(fn));
  await clock.advance(35_000);
  assert.equal(await pending, 'ok after 3');
  assert.deepEqual(delays, [5_000, 30_000]);
});

test('maxElapsedMs stops retrying when the next wait would pass the budget', async () => {
  const clock = new ManualClock();
  const { fn, calls } = failing(100);
  const policy = retry({ clock, maxAttempts: Infinity, maxElapsedMs: 2_500, backoff: constantBackoff(1_000) });
  const pending = handled(policy.execute(fn));
  await clock.advance(10_000);
  await assert.rejects(pending, { message: 'fail 3' });
  assert.equal(calls(), 3);
});

test('decorrelated jitter (the default) stays within its bounds and is reproducible', async () => {
  const run = async (): Promise<number[]> => {
    const clock = new ManualClock();
    const delays: number[] = [];
    const policy = retry({ clock, random: seededRandom(7), maxAttempts: 6 });
    policy.onRetry((event) => delays.push(event.delayMs));
    const pending = handled(policy.execute(failing(100).fn).catch(() => undefined));
    await clock.advance(1_000_000);
    await pending;
    return delays;
  };
  const first = await run();
  assert.equal(first.length, 5);
  assert.deepEqual(await run(), first);
  let previous = 0;
  for (const delay of first) {
    assert.ok(delay >= 100 && delay <= Math.max(100, previous * 3) && delay <= 30_000, `delay ${delay}`);
    previous = delay;
  }
});

test('invalid options are rejected with HS_INVALID_POLICY_OPTIONS', () => {
  assert.throws(() => retry({ maxAttempts: 0 }), { code: 'HS_INVALID_POLICY_OPTIONS' });
});

test('isRetryable, retryAfterMs and parseRetryAfter', () => {
  assert.equal(isRetryable(new Error('x')), true);
  assert.equal(isRetryable(new TerminalError('x')), false);
  assert.equal(isRetryable('a string'), true);
  assert.equal(retryAfterMs({ retryAfterMs: 1500 }), 1500);
  assert.equal(retryAfterMs({ retryAfterMs: 'soon' }), undefined);
  assert.equal(retryAfterMs(null), undefined);
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter('-5', now), undefined);
});

/** Marks a promise as handled now (its rejection is asserted later, after the clock moves). */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
