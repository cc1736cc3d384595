import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextNoveltyDetector } from './context-novelty.js';
import { createDetector, NAMED_DETECTORS } from './create-detector.js';
import { noisySeries, run, STEP_MS } from './synthetic-series.test.helpers.js';

test('context novelty: a spike beyond the running range scores 1, and scores stay in [0, 1]', () => {
  const scores = run(new ContextNoveltyDetector(), noisySeries(1500, { spikeAt: 1200, spike: 25 }));
  for (const score of scores) assert.ok(score >= 0 && score <= 1, `score ${score} out of [0, 1]`);
  assert.equal(scores[1200], 1);
  const before = scores.slice(500, 1200).filter((s) => s >= 0.99).length;
  assert.ok(before <= 2, `${before} samples of plain noise before the spike scored ≥ 0.99`);
});

test('contextual (context novelty + dominance mute): flat noise is not flagged, a spike is', () => {
  const quiet = run(createDetector(NAMED_DETECTORS.contextual), noisySeries(3000, { seed: 11 }));
  const alerts = quiet.slice(300).filter((s) => s > 0.9999).length;
  assert.ok(alerts <= 2, `${alerts} samples of plain noise scored above 0.9999`);
  const spiky = run(createDetector(NAMED_DETECTORS.contextual), noisySeries(1500, { spikeAt: 1200, spike: 25 }));
  assert.equal(spiky[1200], 1);
  assert.ok(spiky.slice(1201, 1230).every((s) => s === 0), 'the samples right after the alert were not muted');
});

test('context novelty: a new shape inside the usual range (a flat stretch in a sine) is flagged', () => {
  const series: [number, number][] = [];
  for (let i = 0; i < 3000; i++) series.push([i * STEP_MS, i >= 2500 && i < 2530 ? 0 : Math.sin((2 * Math.PI * i) / 50)]);
  const scores = run(new ContextNoveltyDetector(), series);
  const flat = Math.max(...scores.slice(2500, 2530));
  assert.ok(flat > 0.5, `flat stretch scored only ${flat}`);
  assert.ok(Math.max(...scores.slice(1500, 2500)) < flat, 'a usual cycle scored as high as the flat stretch');
});

test('context novelty: memory stays bounded over 100k values', () => {
  const detector = new ContextNoveltyDetector({ levels: [8, 16, 32], maxOrder: 4, capacity: 5000 });
  // A random walk keeps producing new words; the word memory must still stop at its capacity.
  let value = 0;
  let seed = 1;
  for (let i = 0; i < 100_000; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    value += seed / 2_147_483_648 - 0.5;
    detector.update(i * STEP_MS, value);
  }
  const state = detector as unknown as { words: Map<number, number>; histories: number[][] };
  assert.ok(state.words.size <= 5000, `${state.words.size} words remembered`);
  for (const history of state.histories) assert.ok(history.length <= 4);
});

test('context novelty: rejects bad options', () => {
  assert.throws(() => new ContextNoveltyDetector({ levels: 1 }), /levels/);
  assert.throws(() => new ContextNoveltyDetector({ levels: [] }), /levels/);
  assert.throws(() => new ContextNoveltyDetector({ maxOrder: 0 }), /maxOrder/);
  assert.throws(() => new ContextNoveltyDetector({ rangeTolerance: -1 }), /rangeTolerance/);
});
