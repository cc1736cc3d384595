import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NAB_PROFILES, probationLength, scaledSigmoid, scoreCorpus, scoreCorpusAt, sweepThresholds, sweepPoints, type ScoredSeries } from './nab-scorer.js';

test('the scaled sigmoid has NAB’s anchor values', () => {
  assert.ok(Math.abs(scaledSigmoid(-1) - 0.98661) < 1e-5);
  assert.ok(Math.abs(scaledSigmoid(-0.5) - 0.84828) < 1e-5);
  assert.equal(scaledSigmoid(0), 0);
  assert.ok(Math.abs(scaledSigmoid(1) + 0.98661) < 1e-5);
  assert.equal(scaledSigmoid(3), -1);
});

test('probation is min(floor(15% of rows), 750)', () => {
  assert.equal(probationLength(1000), 150);
  assert.equal(probationLength(4032), 604);
  assert.equal(probationLength(22_000), 750);
});

/** 1000 rows one a second, one window over rows 500..599; probation is 150 rows. */
function series(scores: (i: number) => number): ScoredSeries {
  const timestamps = Array.from({ length: 1000 }, (_, i) => i * 1000);
  return { name: 'synthetic', timestamps, scores: timestamps.map((_, i) => scores(i)), windows: [[500_000, 599_000]] };
}

test('a detection at the start of the window is perfect (100); never firing is the null score (0)', () => {
  assert.equal(scoreCorpus([series((i) => (i === 500 ? 1 : 0))], NAB_PROFILES.standard).normalised, 100);
  assert.equal(scoreCorpus([series(() => 0)], NAB_PROFILES.standard).normalised, 0);
});

test('only the earliest detection in a window counts, and later is worth less', () => {
  const early = scoreCorpus([series((i) => (i === 510 || i === 590 ? 1 : 0))], NAB_PROFILES.standard);
  const late = scoreCorpus([series((i) => (i === 590 ? 1 : 0))], NAB_PROFILES.standard);
  assert.ok(early.raw > late.raw);
  assert.equal(early.truePositives, 2);
});

test('false positives cost A_FP; right after a window they cost less; in probation nothing', () => {
  const profile = NAB_PROFILES.standard;
  const { points } = sweepPoints(series(() => 0), profile);
  assert.equal(points.length, 850);
  assert.ok(Math.abs(points[0]!.value + 0.11) < 1e-12, 'a detection before any window costs the full A_FP');
  const justAfter = points.find((_, k) => k === 600 - 150)!;
  assert.ok(justAfter.value > -0.01, 'a detection just after the window costs almost nothing');
  const inProbation = scoreCorpus([series((i) => (i < 100 || i === 500 ? 1 : 0))], profile);
  assert.equal(inProbation.normalised, 100);
});

test('the threshold sweep: rows at or above the threshold count; ties keep the highest threshold', () => {
  const sweep = sweepThresholds(
    [
      { score: 0.9, value: 0.5, window: 0 },
      { score: 0.9, value: -0.11, window: -1 },
      { score: 0.5, value: 0.9, window: 0 },
    ],
    1,
    NAB_PROFILES.standard,
  );
  assert.deepEqual(
    sweep.map((s) => [s.threshold, Number(s.score.toFixed(4))]),
    [
      [Number.POSITIVE_INFINITY, -1],
      [0.9, 0.39],
      [0.5, 0.79],
    ],
  );
});

test('scoring at a fixed threshold: the chosen threshold gives the best total; others are scored as they fall', () => {
  // One early detection (0.8), one false positive (0.6) and a late detection (0.4) in the window.
  const corpus = [series((i) => (i === 510 ? 0.8 : i === 300 ? 0.6 : i === 590 ? 0.4 : 0))];
  const profile = NAB_PROFILES.standard;
  const best = scoreCorpus(corpus, profile);
  const atBest = scoreCorpusAt(corpus, profile, best.threshold);
  assert.equal(best.threshold, 0.8);
  assert.ok(Math.abs(atBest.raw - best.raw) < 1e-12);
  assert.equal(atBest.normalised, best.normalised);
  const lower = scoreCorpusAt(corpus, profile, 0.5);
  assert.ok(Math.abs(lower.raw - (best.raw - 0.11)) < 1e-12, 'the false positive at 0.6 costs A_FP');
  assert.equal(lower.falsePositives, 1);
  const above = scoreCorpusAt(corpus, profile, 0.9);
  assert.equal(above.normalised, 0, 'above every score nothing is detected: the null score');
  assert.equal(above.truePositives, 0);
});
