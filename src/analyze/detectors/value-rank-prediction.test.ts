import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextPredictionDetector } from './context-prediction.js';
import { createDetector, NAMED_DETECTORS } from './create-detector.js';
import { RankWindow } from './rank-window.js';
import { ValueRankPredictionDetector } from './value-rank-prediction.js';
import { noisySeries, run, seededNoise, STEP_MS } from './synthetic-series.test.helpers.js';

test('rank window: ranks among the last values only, ties counting half', () => {
  const window = new RankWindow(3);
  assert.equal(window.rank(7), 0.5, 'an empty window ranks everything in the middle');
  for (const v of [5, 1, 9]) window.push(v);
  assert.equal(window.rank(5), 0.5);
  assert.equal(window.rank(0), 0);
  assert.equal(window.rank(10), 1);
  window.push(2); // evicts 5: the window is 1, 9, 2
  assert.equal(window.length, 3);
  assert.equal(window.rank(5), 2 / 3);
  assert.throws(() => new RankWindow(0), /capacity/);
});

test('rank window: agrees with a plain sort over a long random stream', () => {
  const window = new RankWindow(50);
  const noise = seededNoise(23);
  const recent: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const value = Math.round(noise() * 5);
    const below = recent.filter((v) => v < value).length;
    const atMost = recent.filter((v) => v <= value).length;
    const expected = recent.length === 0 ? 0.5 : (below + atMost) / 2 / recent.length;
    assert.equal(window.rank(value), expected);
    window.push(value);
    recent.push(value);
    if (recent.length > 50) recent.shift();
  }
});

/** A bursty series: a low noisy level with a burst of random height every ~60 samples. */
function burstySeries(length: number, seed: number): [number, number][] {
  const noise = seededNoise(seed);
  const series: [number, number][] = [];
  for (let i = 0; i < length; i++) {
    const burst = i % 60 === 0 ? 50 + 40 * Math.abs(noise()) : 0;
    series.push([i * STEP_MS, 10 + Math.abs(noise()) + burst]);
  }
  // One very high burst early, so the running range is wide for the rest of the series.
  series[100]![1] = 400;
  return series;
}

test('value-rank prediction: fewer alarms than the value view alone on a bursty series', () => {
  const series = burstySeries(6000, 29);
  const count = (scores: number[]) => scores.slice(1000).filter((s) => s >= 0.99).length;
  const both = count(run(new ValueRankPredictionDetector(), series));
  const valueOnly = count(run(new ContextPredictionDetector(), series));
  assert.ok(both < valueOnly, `value and rank: ${both} alarms, value alone: ${valueOnly}`);
});

test('value-rank prediction: a step change beyond the range scores 1 at once; a level shift inside it is caught', () => {
  const beyond = noisySeries(3000, { seed: 31 }).map(([t, v], i): [number, number] => [t, i >= 2500 ? v + 15 : v]);
  assert.equal(run(new ValueRankPredictionDetector(), beyond)[2500], 1);
  // An early spike widens the range to 100 … 200; later the level moves from 100 to 130, inside it.
  const inside = noisySeries(4000, { seed: 37, spikeAt: 200, spike: 100 }).map(([t, v], i): [number, number] => [t, i >= 3500 ? v + 30 : v]);
  const scores = run(new ValueRankPredictionDetector(), inside);
  assert.equal(scores[3500], 1, 'the level shift inside the range was not flagged');
  const quietAlarms = scores.slice(1000, 3500).filter((s) => s >= 0.99).length;
  assert.ok(quietAlarms <= 2, `${quietAlarms} samples of the quiet part scored ≥ 0.99`);
});

test('contextual-value-rank: quiet on plain noise, one alert for a spike', () => {
  const quiet = run(createDetector(NAMED_DETECTORS['contextual-value-rank']), noisySeries(4000, { seed: 41 }));
  const alerts = quiet.slice(1000).filter((s) => s >= 0.99).length;
  assert.ok(alerts <= 2, `${alerts} samples of plain noise scored ≥ 0.99`);
  // Alerts while the range is still being learned, and new extremes of the noise, lower later
  // scores a little (the alert-rate discount: 0.02 each), so the spike is not 1 — but it is
  // flagged, and once.
  const spiky = run(createDetector(NAMED_DETECTORS['contextual-value-rank']), noisySeries(1500, { spikeAt: 1200, spike: 25 }));
  assert.ok(spiky[1200]! >= 0.7, `the spike scored only ${spiky[1200]}`);
  assert.ok(spiky.slice(1201, 1230).every((s) => s < 0.1), 'the samples right after the alert were not muted');
});

test('value-rank prediction: memory stays bounded over 100k values of a random walk', () => {
  const detector = new ValueRankPredictionDetector({ rankWindow: 500 });
  const noise = seededNoise(43);
  let value = 0;
  for (let i = 0; i < 100_000; i++) {
    value += noise();
    detector.update(i * STEP_MS, value);
  }
  const state = detector as unknown as { byValue: ContextPredictionDetector; byRank: ContextPredictionDetector; ranks: RankWindow };
  assert.equal(state.ranks.length, 500);
  assert.ok(state.byValue.contextCount <= 243, `${state.byValue.contextCount} value contexts`);
  assert.ok(state.byRank.contextCount <= 81, `${state.byRank.contextCount} rank contexts`);
});

test('value-rank prediction: rejects bad options, through createDetector too', () => {
  assert.throws(() => new ValueRankPredictionDetector({ rankWindow: 0 }), /capacity/);
  assert.throws(() => new ValueRankPredictionDetector({ rankLevels: 1 }), /levels/);
  assert.throws(() => createDetector({ kind: 'value-rank-prediction', levels: 1000 }), /levels/);
});

test('value-rank prediction with a coarse confirmation: new burst heights inside the range score less than 1', () => {
  const series = burstySeries(6000, 29);
  const plain = run(new ValueRankPredictionDetector(), series);
  const confirmed = run(new ValueRankPredictionDetector({ confirmLevels: 10, unconfirmedScore: 0.8 }), series);
  const certain = (scores: number[]) => scores.slice(1000).filter((s) => s >= 0.99).length;
  assert.ok(certain(confirmed) < certain(plain), `confirmed: ${certain(confirmed)} certain samples, plain: ${certain(plain)}`);
  // The ones it withdrew score the unconfirmed score, not something else.
  const withdrawn = confirmed.filter((s, i) => plain[i]! >= 1 && s < 1);
  assert.ok(withdrawn.length > 0 && withdrawn.every((s) => s === 0.8), `withdrawn certainties scored ${[...new Set(withdrawn)].join(', ')}`);
});

test('value-rank prediction with a coarse confirmation: values beyond the range and level shifts inside it still score 1', () => {
  const beyond = noisySeries(3000, { seed: 31 }).map(([t, v], i): [number, number] => [t, i >= 2500 ? v + 15 : v]);
  assert.equal(run(new ValueRankPredictionDetector({ confirmLevels: 10 }), beyond)[2500], 1);
  const inside = noisySeries(4000, { seed: 37, spikeAt: 200, spike: 100 }).map(([t, v], i): [number, number] => [t, i >= 3500 ? v + 30 : v]);
  assert.equal(run(new ValueRankPredictionDetector({ confirmLevels: 10 }), inside)[3500], 1, 'the level shift inside the range was not confirmed');
  assert.throws(() => new ValueRankPredictionDetector({ unconfirmedScore: 2 }), /unconfirmedScore/);
  assert.throws(() => new ValueRankPredictionDetector({ confirmLevels: 1 }), /levels/);
});
