import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import { verifyHealthy } from './verify-health.js';

/** Healthy from `from` until `until` (ms on the manual clock). */
function healthyBetween(clock: ManualClock, from: number, until = Number.POSITIVE_INFINITY) {
  return () => clock.now() >= from && clock.now() < until;
}

test('a relapse ends verification at once: healthy at 1 s, failing again at 3 s → failed at 3 s, not at the 20 s timeout', async () => {
  const clock = new ManualClock();
  const done = verifyHealthy(healthyBetween(clock, 1_000, 3_000), { healthyForMs: 10_000, timeoutMs: 20_000, clock, whyNot: () => 'nginx probes failing' });
  await clock.advance(3_500);
  const settled = await Promise.race([done, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
  assert.ok(settled, 'verification has ended by 3.5 s');
  assert.equal(settled.ok, false);
  assert.equal(settled.relapsed, true);
  assert.equal(settled.tookMs, 3_000);
  assert.equal(settled.detail, 'relapsed: healthy for 2000 ms, then failing again 3000 ms after verification began (needed 10000 ms): nginx probes failing');
});

test('before it was ever healthy it keeps waiting (a restart takes time to become ready); the relapse after that ends it', async () => {
  const clock = new ManualClock();
  const done = verifyHealthy(healthyBetween(clock, 5_000, 7_000), { healthyForMs: 10_000, timeoutMs: 20_000, clock });
  await clock.advance(20_000);
  const result = await done;
  assert.equal(result.relapsed, true, result.detail);
  assert.equal(result.tookMs, 7_000);
  assert.match(result.detail, /^relapsed: healthy for 2000 ms, then failing again 7000 ms after verification began/);
});

test('failFast: false: a relapse only restarts the window; at the timeout the detail says what is still failing', async () => {
  const clock = new ManualClock();
  const flapping = () => clock.now() < 3_000 || (clock.now() >= 4_000 && clock.now() < 6_000);
  const done = verifyHealthy(flapping, { healthyForMs: 5_000, timeoutMs: 10_000, clock, failFast: false, whyNot: () => 'rule app-errors still firing on app' });
  await clock.advance(11_000);
  assert.deepEqual(await done, { ok: false, verdict: 'failing', detail: 'not healthy for 5000 ms within 10000 ms: rule app-errors still firing on app', tookMs: 10_000 });
});

test('unknown readings never count as healthy and are no relapse: at the timeout the verdict is "unknown: <reason>", apart from failing', async () => {
  const clock = new ManualClock();
  // Healthy 1–2 s, then the PromQL check cannot be answered (Prometheus down) until the timeout.
  const reading = () => (clock.now() < 1_000 ? false : clock.now() < 2_000 ? true : { unknown: 'check errors: cannot reach http://127.0.0.1:9' });
  const done = verifyHealthy(reading, { healthyForMs: 5_000, timeoutMs: 10_000, clock });
  await clock.advance(11_000);
  assert.deepEqual(await done, { ok: false, verdict: 'unknown', detail: 'unknown: check errors: cannot reach http://127.0.0.1:9 (not healthy for 5000 ms within 10000 ms)', tookMs: 10_000 });
});

test('the verdict is what broke the window last: unknown, then a known failure until the timeout, is failing; the reverse is unknown', async () => {
  for (const [first, last, verdict] of [[{ unknown: 'x' }, false, 'failing'], [false, { unknown: 'x' }, 'unknown']] as const) {
    const clock = new ManualClock();
    const done = verifyHealthy(() => (clock.now() < 5_000 ? first : last), { healthyForMs: 1_000, timeoutMs: 10_000, clock });
    await clock.advance(11_000);
    assert.equal((await done).verdict, verdict);
  }
});

test('healthy for the window: the verdict is healthy', async () => {
  const clock = new ManualClock();
  const done = verifyHealthy(healthyBetween(clock, 1_000), { healthyForMs: 2_000, timeoutMs: 10_000, clock });
  await clock.advance(4_000);
  assert.deepEqual(await done, { ok: true, verdict: 'healthy', detail: 'healthy for 2000 ms', tookMs: 3_000 });
});
