import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { adaptiveConcurrency } from './adaptive-concurrency.js';

async function wave(limiter: ReturnType<typeof adaptiveConcurrency>, clock: ManualClock, size: number, latencyMs: number) {
  const calls = Array.from({ length: size }, () =>
    limiter.execute(() => clock.sleep(latencyMs)).then(() => 'ok', (error: { code?: string }) => error.code ?? 'error'),
  );
  await clock.advance(latencyMs);
  return Promise.all(calls);
}

test('the limit rises while calls are fast and falls as latency rises', async () => {
  const clock = new ManualClock();
  const limiter = adaptiveConcurrency({ latencyThresholdMs: 100, initialLimit: 10, clock });
  for (let i = 0; i < 5; i++) await wave(limiter, clock, limiter.limit, 10);
  const raised = limiter.limit;
  assert.ok(raised > 10, `raised to ${raised}`);
  for (let i = 0; i < 3; i++) await wave(limiter, clock, limiter.limit, 500);
  assert.ok(limiter.limit < raised / 2, `lowered to ${limiter.limit}`);
});

test('calls beyond the limit are rejected with HS_CONCURRENCY_LIMITED', async () => {
  const clock = new ManualClock();
  const limiter = adaptiveConcurrency({ latencyThresholdMs: 100, initialLimit: 2, clock });
  const results = await wave(limiter, clock, 3, 10);
  assert.deepEqual(results, ['ok', 'ok', 'HS_CONCURRENCY_LIMITED']);
});
