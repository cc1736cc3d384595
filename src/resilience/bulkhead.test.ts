import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { bulkhead } from './bulkhead.js';

function gate(): { promise: Promise<string>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<string>((resolve) => (open = () => resolve('done')));
  return { promise, open };
}

test('runs up to maxConcurrent at once, queues the next, rejects beyond the queue', async () => {
  const pool = bulkhead({ maxConcurrent: 2, maxQueue: 1 });
  const gates = [gate(), gate(), gate()];
  const started: number[] = [];
  const calls = gates.map((g, i) => pool.execute(() => (started.push(i), g.promise)));
  assert.deepEqual(started, [0, 1]);
  assert.equal(pool.active, 2);
  assert.equal(pool.queued, 1);
  await assert.rejects(pool.execute(() => 'x'), (error: Error & { code?: string; reason?: string }) => {
    assert.equal(error.code, 'HS_BULKHEAD_REJECTED');
    assert.equal(error.reason, 'full');
    assert.match(error.message, /2 calls running and 1 queued/);
    return true;
  });
  gates[0]!.open();
  await calls[0];
  assert.deepEqual(started, [0, 1, 2]);
  gates[1]!.open();
  gates[2]!.open();
  assert.deepEqual(await Promise.all(calls), ['done', 'done', 'done']);
  assert.equal(pool.active, 0);
});

test('a queued call that waits past queueTimeoutMs is rejected with reason queue-timeout', async () => {
  const clock = new ManualClock();
  const pool = bulkhead({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 1_000, clock });
  const reasons: string[] = [];
  pool.onRejected(({ reason }) => reasons.push(reason));
  const running = gate();
  void pool.execute(() => running.promise);
  const queued = pool.execute(() => 'never');
  queued.catch(() => undefined);
  await clock.advance(999);
  assert.equal(pool.queued, 1);
  await clock.advance(1);
  await assert.rejects(queued, { code: 'HS_BULKHEAD_REJECTED', reason: 'queue-timeout' });
  assert.equal(pool.queued, 0);
  assert.deepEqual(reasons, ['queue-timeout']);
  running.open();
});

test("a caller's abort removes its call from the queue", async () => {
  const pool = bulkhead({ maxConcurrent: 1, maxQueue: 5 });
  const running = gate();
  const first = pool.execute(() => running.promise);
  const controller = new AbortController();
  const queued = pool.execute(() => 'never', controller.signal);
  const reason = new Error('caller left');
  controller.abort(reason);
  await assert.rejects(queued, (error) => error === reason);
  assert.equal(pool.queued, 0);
  running.open();
  assert.equal(await first, 'done');
  assert.equal(await pool.execute(() => 'next'), 'next');
});

test('a failing call frees its slot', async () => {
  const pool = bulkhead({ maxConcurrent: 1 });
  await assert.rejects(pool.execute(() => Promise.reject(new Error('x'))), { message: 'x' });
  await assert.rejects(pool.execute(() => { throw new Error('sync'); }), { message: 'sync' });
  assert.equal(await pool.execute(() => 'ok'), 'ok');
});
