// NAB benchmark: every homeostat detector over the NAB corpus, scored for the three cost
// profiles with homeostat's NAB scorer, next to the published detectors' scores on the same
// files. Usage: node analysis/run.mjs [path/to/nab]   (default ../shared/data/nab from the repo root)
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NAMED_DETECTORS, detect, loadNabCorpus, score } from './nab-harness.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const nabPath = resolve(process.argv[2] ?? resolve(repoRoot, '..', 'shared', 'data', 'nab'));

// Published on exactly these 41 files (from the corpus README): standard / low FP / low FN.
const PUBLISHED = [
  ['CAD OSE', 75.89, 72.41, 79.24],
  ['Numenta HTM', 75.52, 70.68, 78.99],
  ['earthgecko Skyline', 60.17, 52.14, 64.59],
  ['KNN CAD', 58.53, 48.64, 63.5],
  ['Relative Entropy', 53.4, 46.24, 57.48],
  ['Etsy Skyline', 46.52, 37.35, 50.8],
  ['Windowed Gaussian', 41.42, 26.48, 48.45],
  ['Bayesian changepoint', 37.24, 17.49, 49.83],
];

// The static threshold needs a limit known in advance; NAB gives none, so it is not run here.
// alert-rate-discount by name is contextual-value-rank itself, and alert-fatigue is contextual-fatigue
// (a wrapper needs a member), so they are not run twice.
const RUN = Object.entries(NAMED_DETECTORS).filter(([name]) => name !== 'static-threshold' && name !== 'alert-rate-discount' && name !== 'alert-fatigue');

const files = loadNabCorpus(nabPath);
console.log(`NAB: ${files.length} files, ${files.reduce((n, f) => n + f.values.length, 0)} rows, ${files.reduce((n, f) => n + f.windows.length, 0)} windows (${nabPath})\n`);
const rows = [];
for (const [name, config] of RUN) {
  const started = performance.now();
  const result = score(detect(files, config));
  const seconds = (performance.now() - started) / 1000;
  rows.push([`homeostat ${name}`, result.standard.normalised, result.reward_low_FP_rate.normalised, result.reward_low_FN_rate.normalised, seconds]);
  console.error(`  ${name}: ${seconds.toFixed(1)} s`);
}
for (const row of PUBLISHED) rows.push([`${row[0]} (published)`, row[1], row[2], row[3], undefined]);
rows.sort((a, b) => b[1] - a[1]);
console.log('| detector | standard | reward_low_FP | reward_low_FN | run time |');
console.log('|---|---|---|---|---|');
for (const [name, standard, lowFp, lowFn, seconds] of rows) {
  console.log(`| ${name} | ${standard.toFixed(2)} | ${lowFp.toFixed(2)} | ${lowFn.toFixed(2)} | ${seconds === undefined ? '' : `${seconds.toFixed(1)} s`} |`);
}
