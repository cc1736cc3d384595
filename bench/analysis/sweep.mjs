// Hyper-parameter sweeps over the NAB corpus (one configuration for the whole corpus at a
// time, never per file). Usage:
//   node analysis/sweep.mjs <configs.json|configs.mjs> [--files] [--nab path] [--part k/n]
// The configs file holds an array of [label, DetectorConfig] pairs (an .mjs file default-exports
// it). Prints the three normalised scores per configuration; --files adds a per-file breakdown
// (windows hit and false detections at the standard profile's threshold). --part k/n runs
// every n-th configuration starting at k, to spread a sweep over processes; --subset even|odd
// scores every other file only (a two-fold check that the chosen configuration generalises).
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { detect, loadNabCorpus, score } from './nab-harness.mjs';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const perFile = args.includes('--files');
if (perFile) args.splice(args.indexOf('--files'), 1);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const nabPath = resolve(flag('--nab') ?? resolve(repoRoot, '..', 'shared', 'data', 'nab'));
const [part, parts] = (flag('--part') ?? '0/1').split('/').map(Number);
const source = resolve(args[0]);
const configs = source.endsWith('.json') ? JSON.parse(readFileSync(source, 'utf8')) : (await import(pathToFileURL(source).href)).default;

// --subset even|odd keeps every other file (for a two-fold check of the configuration choice).
const subset = flag('--subset');
const files = loadNabCorpus(nabPath).filter((_file, i) => subset === undefined || (subset === 'even') === (i % 2 === 0));
for (let c = part; c < configs.length; c += parts) {
  const [label, config] = configs[c];
  const started = performance.now();
  const corpus = detect(files, config);
  const result = score(corpus);
  const seconds = (performance.now() - started) / 1000;
  const fmt = (r) => r.normalised.toFixed(2);
  console.log(`${fmt(result.standard)}\t${fmt(result.reward_low_FP_rate)}\t${fmt(result.reward_low_FN_rate)}\t${seconds.toFixed(1)}s\t${label}`);
  if (perFile) breakdown(corpus, result.standard.threshold);
}

/** Windows hit (and how early, 1 = window start) and false detections per file at `threshold`. */
function breakdown(corpus, threshold) {
  for (const series of corpus) {
    const probation = Math.min(Math.floor(0.15 * series.scores.length), 750);
    const hits = [];
    let falsePositives = 0;
    for (const [start, end] of series.windows) {
      let first = -1;
      let last = -1;
      for (let i = 0; i < series.timestamps.length; i++) {
        if (series.timestamps[i] >= start && series.timestamps[i] <= end) {
          if (first < 0) first = i;
          last = i;
        }
      }
      let hit = '-';
      for (let i = Math.max(first, probation); i <= last && first >= 0; i++) {
        if (series.scores[i] >= threshold) {
          hit = ((i - first) / (last - first + 1)).toFixed(2);
          break;
        }
      }
      hits.push(hit);
    }
    for (let i = probation; i < series.scores.length; i++) {
      if (series.scores[i] < threshold) continue;
      const t = series.timestamps[i];
      if (!series.windows.some(([start, end]) => t >= start && t <= end)) falsePositives++;
    }
    console.log(`    ${series.name.padEnd(58)} windows [${hits.join(' ')}] fp ${falsePositives}`);
  }
}
