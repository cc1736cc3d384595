import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { circuitBreaker, type BreakerStateChange } from './circuit-breaker.js';
import { TerminalError } from './terminal-error.js';

const fail = (): Promise<never> => Promise.reject(new Error('down'));
const ok = (): Promise<string> => Promise.resolve('up');

async function failTimes(breaker: { execute: (fn: () => Promise<never>) => Promise<unknown> }, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.execute(fail).catch(() => undefined);
}

test('consecutive: opens after N failures in a row, rejects with a retry-after, then half-opens', async () => {
  const clock = new ManualClock();
  const changes: BreakerStateChange[] = [];
  const breaker = circuitBreaker({ clock, strategy: { kind: 'consecutive', threshold: 3 }, halfOpenAfter: 10_000 });
  breaker.onStateChange((change) => changes.push(change));
  await failTimes(breaker, 2);
  assert.equal(await breaker.execute(ok), 'up'); // a success resets the streak
  await failTimes(breaker, 3);
  assert.equal(breaker.state, 'open');
  await clock.advance(4_000);
  await assert.rejects(breaker.execute(ok), { code: 'HS_BROKEN_CIRCUIT', retryable: true, retryAfterMs: 6_000 });
  await clock.advance(6_000);
  assert.equal(breaker.state, 'half-open');
  assert.equal(await breaker.execute(ok), 'up');
  assert.equal(breaker.state, 'closed');
  assert.deepEqual(
    changes.map((c) => `${c.from}->${c.to}:${c.reason}@${c.at}`),
    ['closed->open:failure-threshold@0', 'open->half-open:half-open-after@10000', 'half-open->closed:probe-succeeded@10000'],
  );
});

test('half-open admits N probes; N successes close it, one failure re-opens it', async () => {
  const clock = new ManualClock();
  const breaker = circuitBreaker({ clock, strategy: { kind: 'consecutive', threshold: 1 }, halfOpenAfter: 100, halfOpenMaxCalls: 2 });
  await failTimes(breaker, 1);
  await clock.advance(100);
  const first = breaker.execute(() => clock.sleep(10).then(() => 'a'));
  const second = breaker.execute(() => clock.sleep(20).then(() => 'b'));
  await assert.rejects(breaker.execute(ok), { code: 'HS_BROKEN_CIRCUIT' }); // third probe refused
  await clock.advance(10);
  assert.equal(await first, 'a');
  assert.equal(breaker.state, 'half-open');
  await clock.advance(10);
  assert.equal(await second, 'b');
  assert.equal(breaker.state, 'closed');
  await failTimes(breaker, 1);
  await clock.advance(100);
  await assert.rejects(breaker.execute(fail), { message: 'down' });
  assert.equal(breaker.state, 'open');
});

test('a hanging probe cannot wedge half-open: past its deadline the breaker re-opens', async () => {
  const clock = new ManualClock();
  const changes: string[] = [];
  const breaker = circuitBreaker({
    clock,
    strategy: { kind: 'consecutive', threshold: 1 },
    halfOpenAfter: 1_000,
    halfOpenDeadlineMs: 5_000,
  });
  breaker.onStateChange((change) => changes.push(`${change.to}:${change.reason}`));
  await failTimes(breaker, 1);
  await clock.advance(1_000);
  void breaker.execute(() => new Promise(() => undefined)); // the probe hangs for ever
  await clock.advance(4_999);
  await assert.rejects(breaker.execute(ok), { code: 'HS_BROKEN_CIRCUIT', retryAfterMs: 1 });
  await clock.advance(1);
  assert.equal(breaker.state, 'open');
  assert.deepEqual(changes, ['open:failure-threshold', 'half-open:half-open-after', 'open:probe-deadline']);
  await clock.advance(1_000);
  assert.equal(await breaker.execute(ok), 'up'); // a fresh probe, and the breaker closes
  assert.equal(breaker.state, 'closed');
});

test('count window: opens on the failure ratio once minimumCalls were made', async () => {
  const breaker = circuitBreaker({ strategy: { kind: 'count', size: 10, failureRatio: 0.5, minimumCalls: 4 } });
  await failTimes(breaker, 3);
  assert.equal(breaker.state, 'closed'); // 3 calls < minimumCalls
  await breaker.execute(ok);
  await breaker.execute(ok);
  await failTimes(breaker, 1); // 4 of 6 failed
  assert.equal(breaker.state, 'open');
});

test('time window: low traffic does not trip it; enough failing calls inside the window do', async () => {
  const clock = new ManualClock();
  const breaker = circuitBreaker({
    clock,
    strategy: { kind: 'time', windowMs: 10_000, failureRatio: 0.5, minimumThroughput: 5 },
  });
  for (let i = 0; i < 4; i++) {
    await failTimes(breaker, 1);
    await clock.advance(4_000); // old failures slide out of the window
  }
  assert.equal(breaker.state, 'closed');
  // in the window now: the failures at 8 s and 12 s
  await breaker.execute(ok);
  await breaker.execute(ok);
  assert.equal(breaker.state, 'closed');
  await failTimes(breaker, 1); // 5 calls in the window, 3 failed
  assert.equal(breaker.state, 'open');
});

test('slow calls count as failures', async () => {
  const clock = new ManualClock();
  const breaker = circuitBreaker({ clock, strategy: { kind: 'consecutive', threshold: 2 }, slowCallMs: 100 });
  const slow = (): Promise<string> => clock.sleep(150).then(() => 'late');
  for (let i = 0; i < 2; i++) {
    const pending = breaker.execute(slow);
    await clock.advance(150);
    assert.equal(await pending, 'late');
  }
  assert.equal(breaker.state, 'open');
});

test('terminal errors and caller aborts do not count against the dependency', async () => {
  const breaker = circuitBreaker({ strategy: { kind: 'consecutive', threshold: 1 } });
  await assert.rejects(breaker.execute(() => Promise.reject(new TerminalError('bad input'))), { code: 'HS_TERMINAL' });
  const controller = new AbortController();
  controller.abort();
  await breaker.execute(fail, controller.signal).catch(() => undefined);
  assert.equal(breaker.state, 'closed');
});

test('a serialised breaker restores its state, its schedule and its window', async () => {
  const clock = new ManualClock(1_000_000);
  const original = circuitBreaker({ clock, strategy: { kind: 'count', size: 4, failureRatio: 0.5 }, halfOpenAfter: 30_000 });
  await original.execute(ok);
  await failTimes(original, 2);
  const closedSnapshot = JSON.parse(JSON.stringify(original.toJSON()));
  const restoredClosed = circuitBreaker({ clock, strategy: { kind: 'count', size: 4, failureRatio: 0.5 }, initialState: closedSnapshot });
  await failTimes(restoredClosed, 1); // the 4th call: 3 of 4 failed
  assert.equal(restoredClosed.state, 'open');

  const openSnapshot = JSON.parse(JSON.stringify(restoredClosed.toJSON()));
  assert.equal(openSnapshot.state, 'open');
  assert.equal(openSnapshot.halfOpenAt, 1_030_000);
  const restoredOpen = circuitBreaker({ clock, initialState: openSnapshot });
  await assert.rejects(restoredOpen.execute(ok), { code: 'HS_BROKEN_CIRCUIT', retryAfterMs: 30_000 });
  await clock.advance(30_000);
  assert.equal(await restoredOpen.execute(ok), 'up');
  assert.equal(restoredOpen.state, 'closed');
});

test('isolate holds it open until reset; re-openings can back off', async () => {
  const clock = new ManualClock();
  const breaker = circuitBreaker({
    clock,
    strategy: { kind: 'consecutive', threshold: 1 },
    halfOpenAfter: (attempt) => attempt * 1_000,
  });
  breaker.isolate();
  await clock.advance(1_000_000);
  await assert.rejects(breaker.execute(ok), { code: 'HS_BROKEN_CIRCUIT' });
  breaker.reset();
  await failTimes(breaker, 1); // open for 1 s
  await clock.advance(1_000);
  await failTimes(breaker, 1); // probe fails: open for 2 s
  await clock.advance(1_999);
  assert.equal(breaker.state, 'open');
  await clock.advance(1);
  assert.equal(breaker.state, 'half-open');
});

test('synchronous functions and synchronous throws are supported', async () => {
  const breaker = circuitBreaker({ strategy: { kind: 'consecutive', threshold: 1 } });
  assert.equal(await breaker.execute(() => 7), 7);
  await assert.rejects(breaker.execute(() => { throw new Error('sync'); }), { message: 'sync' });
  assert.equal(breaker.state, 'open');
});
