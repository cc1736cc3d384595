import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextPredictionDetector } from './context-prediction.js';
import { createDetector, NAMED_DETECTORS } from './create-detector.js';
import { noisySeries, run, seededNoise, STEP_MS } from './synthetic-series.test.helpers.js';

test('context prediction: a step change is scored 1 when it happens; scores stay in [0, 1]', () => {
  const series = noisySeries(2000, { seed: 3 }).map(([t, v], i): [number, number] => [t, i >= 1500 ? v + 15 : v]);
  const scores = run(new ContextPredictionDetector(), series);
  for (const score of scores) assert.ok(score >= 0 && score <= 1, `score ${score} out of [0, 1]`);
  assert.equal(scores[1500], 1);
});

test('context prediction: a stable noisy series stays low once learned', () => {
  const scores = run(new ContextPredictionDetector(), noisySeries(5000, { seed: 11 }));
  const high = scores.slice(1000).filter((s) => s >= 0.99).length;
  assert.ok(high <= 3, `${high} samples of plain noise scored ≥ 0.99`);
});

test('context prediction: an unusual transition inside the usual range scores higher than the usual ones', () => {
  // A square wave between 0 and 10 with noise; then the value stops halfway (5) for a few samples.
  const noise = seededNoise(5);
  const series: [number, number][] = [];
  for (let i = 0; i < 3000; i++) {
    const usual = Math.floor(i / 25) % 2 === 0 ? 0 : 10;
    series.push([i * STEP_MS, (i >= 2510 && i < 2515 ? 5 : usual) + 0.2 * noise()]);
  }
  const scores = run(new ContextPredictionDetector(), series);
  const halfway = Math.max(...scores.slice(2510, 2515));
  assert.ok(halfway > 0.7, `the stop halfway scored only ${halfway}`);
  assert.ok(Math.max(...scores.slice(1500, 2500)) < halfway, 'a usual cycle scored as high as the stop halfway');
});

test('contextual-prediction (with the dominance mute): one alert for a spike, quiet on plain noise', () => {
  const quiet = run(createDetector(NAMED_DETECTORS['contextual-prediction']), noisySeries(3000, { seed: 13 }));
  const alerts = quiet.slice(1000).filter((s) => s >= 0.99).length;
  assert.ok(alerts <= 2, `${alerts} samples of plain noise scored ≥ 0.99`);
  const spiky = run(createDetector(NAMED_DETECTORS['contextual-prediction']), noisySeries(1500, { spikeAt: 1200, spike: 25 }));
  assert.equal(spiky[1200], 1);
  assert.ok(spiky.slice(1201, 1230).every((s) => s < 1), 'the samples right after the alert were not muted');
});

test('context prediction: memory stays bounded over 100k values of a random walk', () => {
  const detector = new ContextPredictionDetector({ levels: 32, maxPattern: 5 });
  const noise = seededNoise(17);
  let value = 0;
  for (let i = 0; i < 100_000; i++) {
    value += noise();
    detector.update(i * STEP_MS, value);
  }
  // 5 binary digits, each fixed to 0, to 1 or free: at most 3^5 patterns, whatever the length.
  assert.ok(detector.contextCount <= 243, `${detector.contextCount} contexts`);
  assert.ok(detector.contextCount > 32, 'no generalisation was learned');
});

test('context prediction: a non-finite value scores 0 and teaches nothing', () => {
  const series = noisySeries(500, { seed: 19 });
  const clean = run(new ContextPredictionDetector(), series);
  const detector = new ContextPredictionDetector();
  const scores = series.map(([t, v], i) => (i === 300 ? [detector.update(t, Number.NaN), detector.update(t, v)][1]! : detector.update(t, v)));
  assert.deepEqual(scores, clean);
});

test('context prediction: rejects bad options', () => {
  assert.throws(() => new ContextPredictionDetector({ levels: 1 }), /levels/);
  assert.throws(() => new ContextPredictionDetector({ levels: 1000 }), /levels/);
  assert.throws(() => new ContextPredictionDetector({ levels: 2.5 }), /levels/);
  assert.throws(() => new ContextPredictionDetector({ maxPattern: 0 }), /maxPattern/);
  assert.throws(() => new ContextPredictionDetector({ rangeTolerance: -0.1 }), /rangeTolerance/);
  assert.throws(() => createDetector({ kind: 'context-prediction', levels: 0 }), /HS_ANALYSIS_CONFIG|levels/);
});

test('context prediction: what was learned on a much narrower range is forgotten when the range grows', () => {
  // Learned on 0 … 1, a value of 50 widens the range 50-fold; afterwards the old levels mean other
  // values, so the contexts start again (with relearnGrowth Infinity they are kept).
  const series = noisySeries(600, { level: 0.5, noise: 0.2, seed: 47 });
  series.push([series.length * STEP_MS, 50]);
  const forgetting = new ContextPredictionDetector({ relearnGrowth: 8 });
  const keeping = new ContextPredictionDetector({ relearnGrowth: Number.POSITIVE_INFINITY });
  run(forgetting, series);
  run(keeping, series);
  assert.ok(forgetting.contextCount < keeping.contextCount / 2, `${forgetting.contextCount} contexts kept after the range grew, ${keeping.contextCount} without forgetting`);
  assert.throws(() => new ContextPredictionDetector({ relearnGrowth: 1 }), /relearnGrowth/);
});

test('context prediction: tells a value beyond the range from an unforeseen one inside it', () => {
  const detector = new ContextPredictionDetector({ levels: 8, warmup: 0 });
  // Learn the cycle 0, 10, 0, 10, … so that both levels are known and 10 follows 0.
  for (let i = 0; i < 40; i++) detector.update(i, i % 2 === 0 ? 0 : 10);
  assert.equal(detector.update(40, 5), 1, 'a level that never followed scores 1');
  assert.equal(detector.beyondRange, false, 'a value inside the range was called beyond it');
  assert.equal(detector.update(41, 30), 1);
  assert.equal(detector.beyondRange, true, 'a value far above the range was not called beyond it');
  detector.update(42, Number.NaN);
  assert.equal(detector.beyondRange, false, 'a skipped sample kept the previous verdict');
});
