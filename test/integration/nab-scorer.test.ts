import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNabCorpus, loadReferenceScores } from '../../src/analyze/evaluation/nab-corpus.js';
import { NAB_PROFILES, scoreCorpus } from '../../src/analyze/evaluation/nab-scorer.js';

// Compiled into dist/test/integration/; the repository root is three levels up, and the NAB
// data lives beside the repository (read-only), as in CI.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const nab = join(root, '..', 'shared', 'data', 'nab');

test('the NAB scorer reproduces Numenta HTM’s published scores on the shared files (75.52 / 70.68 / 78.99)', () => {
  assert.ok(existsSync(join(nab, 'labels', 'windows.json')), `NAB data not found at ${nab} (expected ../shared/data/nab relative to the repository root)`);
  const files = loadNabCorpus(nab);
  assert.equal(files.length, 41);
  const corpus = files.map((file) => ({ name: file.name, timestamps: file.timestamps, scores: loadReferenceScores(nab, 'numenta', file.name), windows: file.windows }));
  const expected = { standard: 75.52, reward_low_FP_rate: 70.68, reward_low_FN_rate: 78.99 };
  for (const [profile, target] of Object.entries(expected)) {
    const result = scoreCorpus(corpus, NAB_PROFILES[profile as keyof typeof NAB_PROFILES]);
    assert.equal(result.windows, 64);
    assert.ok(Math.abs(result.normalised - target) < 0.01, `${profile}: ${result.normalised.toFixed(4)}, expected ${target}`);
  }
});
