import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyLikelihoodDetector, upperTailScore } from './anomaly-likelihood.js';
import { detectorFromFunction } from './detector.js';
import { WindowedGaussianDetector } from './windowed-gaussian.js';
import { noisySeries, run, seededNoise } from './synthetic-series.test.helpers.js';

const make = (): AnomalyLikelihoodDetector => new AnomalyLikelihoodDetector(new WindowedGaussianDetector(), { averaging: 5, learning: 300 });

/** A raw detector that scores |value − 100| / 10: small on noise around 100, large on a spike. */
const deviation = () => detectorFromFunction((_t, v) => Math.min(Math.abs(v - 100) / 10, 1));

test('anomaly likelihood: a spike (a burst of high raw scores) stands out, scores stay in [0, 1]', () => {
  const series = noisySeries(1500, { spikeAt: 1200, spike: 25 });
  const scores = run(new AnomalyLikelihoodDetector(deviation(), { averaging: 5, learning: 300 }), series);
  for (const score of scores) assert.ok(score >= 0 && score <= 1, `score ${score} out of [0, 1]`);
  const top = scores.indexOf(Math.max(...scores));
  assert.ok(top >= 1200 && top < 1205, `highest score at ${top}, expected right after the spike at 1200`);
  assert.ok(scores[top]! > 0.9, `spike scored only ${scores[top]}`);
  assert.ok(Math.max(...scores.slice(400, 1200)) < 0.5);
});

test('anomaly likelihood: a raw detector noisy everywhere is judged against its own noise', () => {
  const noise = seededNoise(5);
  const scores = run(new AnomalyLikelihoodDetector(detectorFromFunction(() => 0.5 + 0.1 * noise()), { averaging: 5 }), noisySeries(3000));
  assert.ok(Math.max(...scores) < 0.6, `plain raw noise reached ${Math.max(...scores)}`);
});

test('anomaly likelihood: flat noise is not flagged', () => {
  const scores = run(make(), noisySeries(3000, { seed: 11 }));
  const alerts = scores.filter((s) => s > 0.9).length;
  assert.ok(alerts <= 2, `${alerts} samples of plain noise scored above 0.9`);
});

test('anomaly likelihood: memory stays bounded over 100k values', () => {
  const detector = make();
  const series = noisySeries(100_000, { seed: 3 });
  const size = (): number => JSON.stringify(detector, (_key, value: unknown) => (ArrayBuffer.isView(value) ? (value as Float64Array).length : value)).length;
  run(detector, series.slice(0, 20_000));
  const early = size();
  run(detector, series.slice(20_000));
  assert.ok(size() <= early * 1.2 + 1000, `state grew from ${early} to ${size()} characters`);
});

test('anomaly likelihood: the tail score is monotone and finite far out', () => {
  assert.equal(upperTailScore(-1), 0);
  let previous = 0;
  for (const z of [0.5, 1, 3, 7.9, 8.1, 20, 40]) {
    const score = upperTailScore(z);
    assert.ok(Number.isFinite(score) && score > previous, `tail score ${score} at z=${z}`);
    previous = score;
  }
  assert.throws(() => new AnomalyLikelihoodDetector(new WindowedGaussianDetector(), { floor: 0 }), /floor/);
});
