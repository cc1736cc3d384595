import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectorFromFunction } from './detector.js';
import { EnsembleDetector } from './ensemble.js';

test('ensemble dominance mute: a score is muted when a reported one at least as high came within the window', () => {
  const raw = [0.2, 0.9, 0.5, 0.9, 0.95, 0.3, 0.1, 0.1, 0.8, 0.1];
  let i = 0;
  const ensemble = new EnsembleDetector([detectorFromFunction(() => raw[i++]!)], { muteDominated: true, muteSamples: 5 });
  const out = raw.map(() => ensemble.update(0, 0));
  // 0.5 and the second 0.9 are dominated by the first 0.9; 0.95 is worse, so it is reported;
  // 0.8 comes 4 samples after 0.95 (muted); the window then passes.
  assert.deepEqual(out, [0.2, 0.9, 0, 0, 0.95, 0, 0, 0, 0, 0.1]);
});

test('ensemble dominance mute: muted scores do not extend the mute', () => {
  const raw = [1, 1, 1, 1, 1, 1, 1];
  let i = 0;
  const ensemble = new EnsembleDetector([detectorFromFunction(() => raw[i++]!)], { muteDominated: true, muteSamples: 3 });
  assert.deepEqual(raw.map(() => ensemble.update(0, 0)), [1, 0, 0, 1, 0, 0, 1]);
});
