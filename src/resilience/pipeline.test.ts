import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { constantBackoff } from './backoff.js';
import { circuitBreaker } from './circuit-breaker.js';
import { fallback } from './fallback.js';
import { pipeline } from './pipeline.js';
import { retry } from './retry.js';
import { timeout } from './timeout.js';
import type { Policy } from './policy.js';

test('policies run outermost first', async () => {
  const order: string[] = [];
  const tracer = (name: string): Policy => ({
    async execute(fn, signal) {
      order.push(`${name} in`);
      try {
        return await fn({ signal: signal ?? new AbortController().signal });
      } finally {
        order.push(`${name} out`);
      }
    },
  });
  assert.equal(await pipeline(tracer('a'), tracer('b'), tracer('c')).execute(() => 'x'), 'x');
  assert.deepEqual(order, ['a in', 'b in', 'c in', 'c out', 'b out', 'a out']);
  assert.equal(await pipeline().execute(() => 'pass'), 'pass');
});

test('retry + breaker + timeout: each attempt is timed, counted, and retried; fallback takes what is left', async () => {
  const clock = new ManualClock();
  const breaker = circuitBreaker({ clock, strategy: { kind: 'consecutive', threshold: 2 }, halfOpenAfter: 60_000 });
  const resilient = pipeline(
    fallback('cached'),
    retry({ clock, maxAttempts: 4, backoff: constantBackoff(10), maxRetryAfterMs: 1_000 }),
    breaker,
    timeout(100, { clock, strategy: 'aggressive' }),
  );
  let calls = 0;
  const pending = resilient.execute(() => {
    calls++;
    return new Promise(() => undefined);
  });
  await clock.advance(10_000);
  assert.equal(await pending, 'cached');
  assert.equal(calls, 2); // two timeouts opened the breaker; later attempts were refused without a call
  assert.equal(breaker.state, 'open');
});

test("the caller's signal reaches the function through every layer", async () => {
  const controller = new AbortController();
  const resilient = pipeline(retry(), circuitBreaker(), timeout(1_000));
  const pending = resilient.execute(
    ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
    controller.signal,
  );
  const reason = new Error('stop');
  controller.abort(reason);
  await assert.rejects(pending, (error) => error === reason);
});
