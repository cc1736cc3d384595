// Checks homeostat's NAB scorer against the corpus itself: scored with the scorer, NAB's published
// anomaly scores of Numenta HTM on the 41 files must give the published normalised results
// (75.52 / 70.68 / 78.99). A measurement over a third-party corpus, so it lives here and not in
// the test suite (which must need nothing outside the repository); the suite's own check of the
// scorer (test/integration/nab-scorer.test.ts) works on a small corpus scored by hand.
// Usage: node analysis/reproduce-numenta.mjs [path/to/nab]   (default ../shared/data/nab from the
// repo root). Exits 1 when a profile is off by 0.01 or more.
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadNabCorpus, NAB_PROFILES, scoreCorpus } from './nab-harness.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const nabPath = resolve(process.argv[2] ?? resolve(repoRoot, '..', 'shared', 'data', 'nab'));
const distRoot = process.env.HOMEOSTAT_DIST ? pathToFileURL(resolve(process.env.HOMEOSTAT_DIST) + '/').href : new URL('../../dist/', import.meta.url).href;
const { loadReferenceScores } = await import(new URL('src/analyze/evaluation/nab-corpus.js', distRoot).href);

const PUBLISHED = { standard: 75.52, reward_low_FP_rate: 70.68, reward_low_FN_rate: 78.99 };

const files = loadNabCorpus(nabPath);
const corpus = files.map((file) => ({ name: file.name, timestamps: file.timestamps, scores: loadReferenceScores(nabPath, 'numenta', file.name), windows: file.windows }));
let failed = false;
console.log(`Numenta HTM's published scores through homeostat's NAB scorer (${files.length} files, ${nabPath})`);
console.log('| profile | published | scored here | windows |');
console.log('|---|---|---|---|');
for (const [profile, published] of Object.entries(PUBLISHED)) {
  const result = scoreCorpus(corpus, NAB_PROFILES[profile]);
  const off = Math.abs(result.normalised - published) >= 0.01;
  failed ||= off;
  console.log(`| ${profile} | ${published.toFixed(2)} | ${result.normalised.toFixed(4)}${off ? ' (OFF)' : ''} | ${result.windows} |`);
}
if (failed) {
  console.error('the scorer does not reproduce NAB’s published scores');
  process.exit(1);
}
