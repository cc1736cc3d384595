import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BayesianChangepointDetector } from './bayesian-changepoint.js';
import { ConformalKnnDetector } from './conformal-knn.js';
import { createDetector, NAMED_DETECTORS } from './create-detector.js';
import type { Detector } from './detector.js';
import { EnsembleDetector } from './ensemble.js';
import { EwmaDetector } from './ewma.js';
import { RateOfChangeDetector } from './rate-of-change.js';
import { RobustZScoreDetector } from './robust-zscore.js';
import { StaticThresholdDetector } from './static-threshold.js';
import { WindowedGaussianDetector } from './windowed-gaussian.js';
import { noisySeries, run, STEP_MS } from './synthetic-series.test.helpers.js';

const adaptive: [string, () => Detector][] = [
  ['rate-of-change', () => new RateOfChangeDetector()],
  ['ewma', () => new EwmaDetector()],
  ['robust-zscore', () => new RobustZScoreDetector()],
  ['windowed-gaussian', () => new WindowedGaussianDetector()],
  ['bayesian-changepoint', () => new BayesianChangepointDetector()],
  ['conformal-knn', () => new ConformalKnnDetector()],
  ['ensemble', () => createDetector(NAMED_DETECTORS.ensemble)],
];

for (const [name, make] of adaptive) {
  test(`${name}: a spike in noise gets the top score, and the scores stay in [0, 1]`, () => {
    const series = noisySeries(1500, { spikeAt: 1200, spike: 25 });
    const scores = run(make(), series);
    for (const score of scores) assert.ok(score >= 0 && score <= 1, `score ${score} out of [0, 1]`);
    const top = scores.indexOf(Math.max(...scores));
    // A rate detector sees the jump up and the jump back down alike.
    const allowed = name === 'rate-of-change' ? [1200, 1201] : [1200];
    assert.ok(allowed.includes(top), `highest score at ${top}, expected the spike at 1200`);
    assert.ok(scores[1200]! > 0.95, `spike scored only ${scores[1200]}`);
  });

  test(`${name}: flat noise is not flagged`, () => {
    const scores = run(make(), noisySeries(3000, { seed: 11 }));
    const alerts = scores.filter((s) => s > 0.9999).length;
    assert.ok(alerts <= 2, `${alerts} samples of plain noise scored above 0.9999`);
  });

  test(`${name}: memory stays bounded over a long series`, () => {
    const detector = make();
    const series = noisySeries(60_000, { seed: 3 });
    run(detector, series.slice(0, 20_000));
    const early = JSON.stringify(detector, (_key, value: unknown) => (value instanceof Map ? [...value] : ArrayBuffer.isView(value) ? (value as Float64Array).length : value)).length;
    run(detector, series.slice(20_000));
    const late = JSON.stringify(detector, (_key, value: unknown) => (value instanceof Map ? [...value] : ArrayBuffer.isView(value) ? (value as Float64Array).length : value)).length;
    assert.ok(late <= early * 1.2 + 1000, `state grew from ${early} to ${late} characters`);
  });
}

test('static threshold: beyond the limit scores 1, inside 0, the margin ramps up to 0.5', () => {
  const detector = new StaticThresholdDetector({ above: 90, below: 10, margin: 10 });
  assert.equal(detector.update(0, 95), 1);
  assert.equal(detector.update(0, 5), 1);
  assert.equal(detector.update(0, 50), 0);
  assert.equal(detector.update(0, 85), 0.25);
  assert.throws(() => new StaticThresholdDetector({}), /above/);
});

test('rate of change: a fixed limit per second', () => {
  const detector = new RateOfChangeDetector({ maxRatePerSecond: 1 });
  assert.equal(detector.update(0, 0), 0);
  assert.equal(detector.update(10_000, 5), 0);
  assert.equal(detector.update(20_000, 50), 1);
});

test('daily seasonality: the usual nightly peak is not anomalous, the same value at noon is', () => {
  const plain = new RobustZScoreDetector({ window: 50 });
  const seasonal = new RobustZScoreDetector({ window: 50, seasonality: 'daily', warmup: 5 });
  const ewmaSeasonal = new EwmaDetector({ seasonality: 'daily', alpha: 0.2, warmup: 5 });
  const hourMs = 3_600_000;
  let lastPlain = 0;
  let lastSeasonal = 0;
  for (let day = 0; day < 20; day++) {
    for (let hour = 0; hour < 24; hour++) {
      const t = day * 24 * hourMs + hour * hourMs;
      const value = (hour === 2 ? 500 : 100) + ((day * 7 + hour) % 5);
      lastPlain = plain.update(t, value);
      lastSeasonal = seasonal.update(t, value);
      ewmaSeasonal.update(t, value);
    }
  }
  void lastPlain;
  void lastSeasonal;
  const t = 20 * 24 * hourMs;
  assert.ok(seasonal.update(t + 2 * hourMs, 502) < 0.99, 'the nightly peak was flagged with seasonality');
  assert.ok(seasonal.update(t + 12 * hourMs, 500) > 0.999, 'a peak at noon was not flagged with seasonality');
  assert.ok(ewmaSeasonal.update(t + 12 * hourMs, 500) > 0.999, 'ewma: a peak at noon was not flagged');
});

test('bayesian changepoint: a level shift scores high when it starts, then the new level is accepted', () => {
  const before = noisySeries(600, { level: 10, seed: 5 });
  const after = noisySeries(600, { level: 30, seed: 6 }).map(([t, v]): [number, number] => [t + 600 * STEP_MS, v]);
  const scores = run(new BayesianChangepointDetector(), [...before, ...after]);
  assert.ok(Math.max(...scores.slice(600, 603)) > 0.5, `changepoint scored ${Math.max(...scores.slice(600, 603))}`);
  assert.ok(Math.max(...scores.slice(700)) < 0.5, 'the new level kept scoring as a change');
});

test('conformal knn: a new shape (a flat stretch in a sine) is flagged although every value is in range', () => {
  const series: [number, number][] = [];
  for (let i = 0; i < 2000; i++) series.push([i * STEP_MS, i >= 1500 && i < 1530 ? 0 : Math.sin((2 * Math.PI * i) / 50)]);
  const scores = run(new ConformalKnnDetector({ reference: 600 }), series);
  assert.ok(Math.max(...scores.slice(1500, 1530)) > 0.995, `flat stretch scored ${Math.max(...scores.slice(1500, 1530))}`);
  assert.ok(Math.max(...scores.slice(800, 1500)) < Math.max(...scores.slice(1500, 1530)));
});

test('ensemble: one alert per incident — the samples after an alert are muted', () => {
  const series = noisySeries(1500, { spikeAt: 1200, spike: 25 });
  series[1205]![1] += 25;
  const ensemble = new EnsembleDetector([new RobustZScoreDetector()], { alertThreshold: 0.99, muteSamples: 20 });
  const scores = run(ensemble, series);
  assert.ok(scores[1200]! > 0.99);
  assert.equal(scores[1205], 0, 'the second spike inside the mute window was reported');
  assert.throws(() => new EnsembleDetector([]), /at least one/);
});

test('createDetector: builds every named kind and rejects bad configs with HS_ANALYSIS_CONFIG', () => {
  for (const config of Object.values(NAMED_DETECTORS)) assert.equal(typeof createDetector(config).update, 'function');
  assert.throws(() => createDetector({ kind: 'ewma', alpha: 3 }), (error: { code?: string }) => error.code === 'HS_ANALYSIS_CONFIG');
  assert.throws(() => createDetector({ kind: 'nope' } as never), (error: { code?: string; message: string }) => error.code === 'HS_ANALYSIS_CONFIG' && /unknown detector kind/.test(error.message));
});
