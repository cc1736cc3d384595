import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertRateDiscountDetector } from './alert-rate-discount.js';
import { detectorFromFunction } from './detector.js';

test('alert-rate discount: each recent alert lowers later scores; alerts older than the horizon no longer count', () => {
  // The wrapped detector alerts (score 1) at samples 1, 2 and 3, then scores 0.9 for ever.
  let sample = 0;
  const inner = detectorFromFunction(() => (++sample <= 3 ? 1 : 0.9));
  const detector = new AlertRateDiscountDetector(inner, { alertLevel: 0.95, horizon: 10, discount: 0.1 });
  const scores = Array.from({ length: 15 }, (_, i) => detector.update(i, 0));
  assert.deepEqual(
    scores.map((s) => Number(s.toFixed(6))),
    [1, 0.9, 0.8, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.8, 0.9, 0.9, 0.9],
  );
});

test('alert-rate discount: a calm series keeps its scores; memory stays within the horizon', () => {
  const calm = new AlertRateDiscountDetector(detectorFromFunction(() => 0.5));
  for (let i = 0; i < 1000; i++) assert.equal(calm.update(i, 0), 0.5);
  const busy = new AlertRateDiscountDetector(detectorFromFunction(() => 1), { horizon: 100 });
  for (let i = 0; i < 100_000; i++) busy.update(i, 0);
  assert.equal(busy.recentAlerts, 100);
  const state = busy as unknown as { alerts: number[] };
  assert.ok(state.alerts.length <= 300, `${state.alerts.length} alert times kept`);
});

test('alert-rate discount: rejects bad options', () => {
  const inner = detectorFromFunction(() => 0);
  assert.throws(() => new AlertRateDiscountDetector(inner, { horizon: 0 }), /horizon/);
  assert.throws(() => new AlertRateDiscountDetector(inner, { alertLevel: 0 }), /alertLevel/);
  assert.throws(() => new AlertRateDiscountDetector(inner, { discount: -1 }), /discount/);
});
