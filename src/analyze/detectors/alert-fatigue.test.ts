import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertFatigueDetector } from './alert-fatigue.js';
import { createDetector, NAMED_DETECTORS, parseDetectorOptions } from './create-detector.js';
import { detectorFromFunction } from './detector.js';
import { noisySeries, run } from './synthetic-series.test.helpers.js';

test('alert fatigue: each alert scales later scores down, never below 1 − depth of them', () => {
  // The wrapped detector alerts (score 1) on every sample; memory so long that nothing fades here.
  const detector = new AlertFatigueDetector(detectorFromFunction(() => 1), { depth: 0.5, rate: Math.LN2, memory: 1e12 });
  const scores = Array.from({ length: 40 }, (_, i) => detector.update(i, 0));
  // 1 − 0.5 + 0.5 · 2^(−alerts before): 1, 0.75, 0.625, 0.5625, …, tending to 0.5.
  assert.deepEqual(scores.slice(0, 4).map((s) => Number(s.toFixed(6))), [1, 0.75, 0.625, 0.5625]);
  assert.ok(scores.every((s, i) => i === 0 || s < scores[i - 1]!), 'scores did not keep falling');
  assert.ok(scores.every((s) => s > 0.5), 'a score fell below 1 − depth');
});

test('alert fatigue: scores below the alert level neither count nor change the order within a series', () => {
  const inner = [1, 1, 1, 0.5, 0.3, 0.9, 0.4];
  let i = 0;
  const detector = new AlertFatigueDetector(detectorFromFunction(() => inner[i++]!), { alertLevel: 0.6, memory: 1e12 });
  const scores = inner.map((_, t) => detector.update(t, 0));
  assert.equal(Number(detector.recentAlerts.toFixed(6)), 4);
  // Between two alerts the scale is the same, so the wrapped detector's order survives.
  assert.ok(scores[3]! > scores[4]!);
  assert.equal(Number((scores[3]! / scores[4]!).toFixed(9)), Number((0.5 / 0.3).toFixed(9)));
});

test('alert fatigue: alerts fade, so a long-calm series alerts at nearly full strength again', () => {
  let sample = 0;
  // 20 alerts, then 20,000 calm samples, then one more alert.
  const detector = new AlertFatigueDetector(detectorFromFunction(() => (++sample <= 20 || sample === 20_021 ? 1 : 0.1)), { memory: 2000 });
  const scores = Array.from({ length: 20_021 }, (_, i) => detector.update(i, 0));
  assert.ok(scores[19]! < 0.6, `the 20th alert in a row still scored ${scores[19]}`);
  assert.ok(scores[20_020]! > 0.99, `after a long calm the alert scored only ${scores[20_020]}`);
});

test('alert fatigue: rejects bad options', () => {
  const inner = detectorFromFunction(() => 0);
  assert.throws(() => new AlertFatigueDetector(inner, { depth: 1.5 }), /depth/);
  assert.throws(() => new AlertFatigueDetector(inner, { alertLevel: 0 }), /alertLevel/);
  assert.throws(() => new AlertFatigueDetector(inner, { rate: -1 }), /rate/);
  assert.throws(() => new AlertFatigueDetector(inner, { memory: 0 }), /memory/);
  assert.deepEqual(parseDetectorOptions('contextual-fatigue', { depth: 2 }).issues?.[0]?.message.match(/depth/)?.[0], 'depth');
  assert.equal(parseDetectorOptions('contextual-fatigue', { depth: 0.5 }).config?.kind, 'alert-fatigue');
});

test('contextual-fatigue: quiet on plain noise, one alert for a spike', () => {
  const quiet = run(createDetector(NAMED_DETECTORS['contextual-fatigue']), noisySeries(4000, { seed: 41 }));
  const alerts = quiet.slice(1000).filter((s) => s >= 0.99).length;
  assert.ok(alerts <= 2, `${alerts} samples of plain noise scored ≥ 0.99`);
  // The alerts while the range is still being learned (about ten in the first 200 samples) tire
  // the detector, so the spike scores about half — still well above the threshold NAB chose for
  // this detector on every profile (0.378) — and alerts once.
  const spiky = run(createDetector(NAMED_DETECTORS['contextual-fatigue']), noisySeries(1500, { spikeAt: 1200, spike: 25 }));
  assert.ok(spiky[1200]! >= 0.5, `the spike scored only ${spiky[1200]}`);
  assert.ok(spiky.slice(1201, 1230).every((s) => s < 0.1), 'the samples right after the alert were not muted');
});
