import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { TerminalError } from '../resilience/terminal-error.js';
import { constantBackoff } from '../resilience/backoff.js';
import { WorkQueue } from './work-queue.js';
import { ReconcileLoop } from './reconcile-loop.js';
import { reconcilerFromFunction } from './reconciler.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('keys are de-duplicated; a key re-added while processing is processed again, never twice at once', async () => {
  const queue = new WorkQueue<string>();
  queue.add('a');
  queue.add('b');
  queue.add('a');
  assert.equal(queue.length, 2);
  const first = await queue.get();
  assert.equal(first, 'a');
  queue.add('a');
  assert.equal(queue.length, 1, 'a is dirty, not queued, while it is processed');
  assert.equal(await queue.get(), 'b');
  queue.done('a');
  assert.equal(await queue.get(), 'a');
  queue.shutDown();
  assert.equal(await queue.get(), undefined);
});

test('addAfter delays a key; an immediate add wins over a pending delay', async () => {
  const clock = new ManualClock(1_000);
  const queue = new WorkQueue<string>(clock);
  queue.addAfter('x', 500);
  assert.equal(queue.length, 0);
  await clock.advance(499);
  assert.equal(queue.length, 0);
  await clock.advance(1);
  assert.equal(queue.length, 1);
  assert.equal(await queue.get(), 'x');
  queue.done('x');
  queue.addAfter('y', 500);
  queue.add('y');
  assert.equal(queue.length, 1);
  await clock.advance(1_000);
  assert.equal(queue.length, 1, 'the cancelled delay does not add it again');
});

test('the reconcile loop requeues errors with backoff, stops on terminal errors and honours requeueAfter', async () => {
  const clock = new ManualClock(0);
  const calls: string[] = [];
  let failuresLeft = 2;
  const errors: [string, boolean][] = [];
  const loop = new ReconcileLoop({
    clock,
    concurrency: 2,
    errorBackoff: constantBackoff(100),
    onError: (key, _error, terminal) => errors.push([key, terminal]),
    reconciler: reconcilerFromFunction(async (key) => {
      calls.push(key);
      if (key === 'flaky' && failuresLeft-- > 0) throw new Error('store unavailable');
      if (key === 'bad') throw new TerminalError('no such service');
      if (key === 'poll') return { requeueAfter: 1_000 };
      return {};
    }),
  });
  loop.start();
  loop.enqueue('flaky');
  loop.enqueue('bad');
  loop.enqueue('poll');
  await tick();
  await tick();
  assert.deepEqual(calls.sort(), ['bad', 'flaky', 'poll']);
  await clock.advance(100);
  await tick();
  await clock.advance(100);
  await tick();
  assert.equal(calls.filter((k) => k === 'flaky').length, 3);
  assert.equal(calls.filter((k) => k === 'bad').length, 1, 'terminal errors are not retried');
  assert.deepEqual(errors.filter(([key]) => key === 'bad'), [['bad', true]]);
  assert.deepEqual(errors.filter(([key]) => key === 'flaky'), [['flaky', false], ['flaky', false]]);
  await clock.advance(1_000);
  await tick();
  assert.equal(calls.filter((k) => k === 'poll').length, 2);
  await loop.stop();
  assert.equal(loop.reconciled, 3); // flaky once, poll twice
});
