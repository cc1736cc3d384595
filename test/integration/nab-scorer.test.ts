import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNabCorpus, loadReferenceScores } from '../../src/analyze/evaluation/nab-corpus.js';
import { NAB_PROFILES, scoreCorpus } from '../../src/analyze/evaluation/nab-scorer.js';

/*
 * The NAB scorer end to end (corpus layout on disk, loader, scorer) on a corpus small enough
 * to score by hand from NAB's published rules. Reproducing Numenta's published results on the
 * real corpus is a measurement over third-party data: bench/analysis/reproduce-numenta.mjs.
 *
 * Two files of 20 rows, one a minute; probation is floor(0.15 × 20) = 3 rows each.
 * - a.csv: a window over rows 10..13 (4 rows). Scores: row 1 = 1.0 (in probation: ignored),
 *   row 5 = 0.7 (before any window: costs A_FP × σ(3) = −A_FP), row 12 = 0.9 (in the window,
 *   y = −(13 − 12 + 1)/4 = −0.5: earns A_TP × σ(−0.5)/σ(−1)), row 15 = 0.6 (after the window,
 *   d = |13 − 15|/(13 − 10) = 2/3: costs A_FP × σ(2/3)).
 * - b.csv: a window over rows 0..2, wholly in probation (not counted), and one over rows
 *   14..16 (3 rows). Scores: row 8 = 0.8 (d = |2 − 8|/2 = 3: −A_FP), row 14 = 0.5 (y = −3/3 = −1:
 *   earns exactly A_TP).
 * Every other row scores 0. Two windows count.
 */

/** NAB's scaled sigmoid, written out here again so the test does not trust the scorer's. */
const sigma = (y: number): number => (y > 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1);

const MINUTE = 60_000;
const START = Date.UTC(2014, 3, 1);
/** NAB's timestamp spelling: `2014-04-01 00:10:00`, and `.000000` in windows.json. */
const at = (row: number, fraction = ''): string => new Date(START + row * MINUTE).toISOString().replace('T', ' ').replace(/\.\d+Z$/, fraction);

function writeCorpus(root: string): void {
  const files = {
    'synthetic/a.csv': { windows: [[10, 13]], scores: { 1: 1.0, 5: 0.7, 12: 0.9, 15: 0.6 } },
    'synthetic/b.csv': { windows: [[0, 2], [14, 16]], scores: { 8: 0.8, 14: 0.5 } },
  } as Record<string, { windows: [number, number][]; scores: Record<number, number> }>;
  mkdirSync(join(root, 'data', 'synthetic'), { recursive: true });
  mkdirSync(join(root, 'labels'), { recursive: true });
  mkdirSync(join(root, 'reference-results', 'handmade', 'synthetic'), { recursive: true });
  const windows: Record<string, [string, string][]> = {};
  for (const [name, file] of Object.entries(files)) {
    const rows = Array.from({ length: 20 }, (_, row) => row);
    writeFileSync(join(root, 'data', name), `timestamp,value\n${rows.map((row) => `${at(row)},${(row % 7) * 1.5}`).join('\n')}\n`);
    writeFileSync(join(root, 'reference-results', 'handmade', 'synthetic', `handmade_${name.split('/')[1]}`), `timestamp,anomaly_score\n${rows.map((row) => `${at(row)},${file.scores[row] ?? 0}`).join('\n')}\n`);
    windows[name] = file.windows.map(([first, last]) => [at(first, '.000000'), at(last, '.000000')]);
  }
  writeFileSync(join(root, 'labels', 'windows.json'), JSON.stringify(windows, null, 1));
}

test('the NAB scorer gives the hand-computed scores on a small corpus in NAB’s layout, for all three profiles', () => {
  const root = mkdtempSync(join(tmpdir(), 'homeostat-nab-'));
  try {
    writeCorpus(root);
    const files = loadNabCorpus(root);
    assert.deepEqual(files.map((file) => [file.name, file.values.length, file.windows.length]), [['synthetic/a.csv', 20, 1], ['synthetic/b.csv', 20, 2]]);
    const corpus = files.map((file) => ({ name: file.name, timestamps: file.timestamps, scores: loadReferenceScores(root, 'handmade', file.name), windows: file.windows }));

    for (const [profile, costs] of Object.entries(NAB_PROFILES)) {
      // The best threshold is 0.5: both windows detected (a late in its window, b at its start)
      // against three false positives; the probation row's 1.0 takes no part.
      const best = (costs.tpWeight * sigma(-0.5)) / sigma(-1) + costs.tpWeight + costs.fpWeight * (-1 - 1 + sigma(2 / 3));
      const nullScore = -costs.fnWeight * 2;
      const perfectScore = costs.tpWeight * 2;
      const result = scoreCorpus(corpus, costs);
      assert.equal(result.windows, 2, `${profile}: the window wholly in probation is not counted`);
      assert.equal(result.threshold, 0.5, profile);
      assert.deepEqual([result.truePositives, result.falsePositives], [2, 3], profile);
      assert.ok(Math.abs(result.raw - best) < 1e-9, `${profile}: raw ${result.raw}, by hand ${best}`);
      assert.equal(result.nullScore, nullScore, profile);
      assert.equal(result.perfectScore, perfectScore, profile);
      assert.ok(Math.abs(result.normalised - (100 * (best - nullScore)) / (perfectScore - nullScore)) < 1e-9, `${profile}: normalised ${result.normalised}`);
    }
    // The same numbers, worked out once on paper (σ(−0.5) = 0.848284, σ(−1) = 0.986614, σ(2/3) = −0.931110).
    const normalised = Object.fromEntries(Object.entries(NAB_PROFILES).map(([profile, costs]) => [profile, Number(scoreCorpus(corpus, costs).normalised.toFixed(2))]));
    assert.deepEqual(normalised, { standard: 88.43, reward_low_FP_rate: 80.37, reward_low_FN_rate: 92.29 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
