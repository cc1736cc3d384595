// Two-fold held-out check of a configuration choice on NAB: split the files into two halves
// (even and odd positions in the corpus order), choose on one half — the configuration with the
// best standard-profile score, and for each profile its best threshold — then score the other
// half with that configuration and those thresholds, unchanged; and the reverse. The held-out
// figure sums both held-out halves' raw scores and normalises them over the whole corpus, so it
// reads like a full-corpus score that no choice ever saw. In brackets: the held-out half with its
// threshold re-chosen on itself (only the configuration held out, as NAB chooses thresholds).
// Usage: node analysis/holdout.mjs <configs.json|configs.mjs> [--nab path]
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NAB_PROFILES, detect, loadNabCorpus, score, scoreCorpusAt } from './nab-harness.mjs';

const args = process.argv.slice(2);
const nabFlag = args.indexOf('--nab');
const nabArg = nabFlag < 0 ? undefined : args.splice(nabFlag, 2)[1];
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const nabPath = resolve(nabArg ?? resolve(repoRoot, '..', 'shared', 'data', 'nab'));
const source = resolve(args[0]);
const configs = source.endsWith('.json') ? JSON.parse(readFileSync(source, 'utf8')) : (await import(pathToFileURL(source).href)).default;

const files = loadNabCorpus(nabPath);
const half = (parity) => files.filter((_file, i) => i % 2 === parity);
const halves = [half(0), half(1)];
// Every configuration's output on both halves (a fresh detector per file, so the halves do not interact).
const outputs = configs.map(([label, config]) => ({ label, runs: halves.map((files) => detect(files, config)) }));

const profiles = Object.keys(NAB_PROFILES);
const heldOut = Object.fromEntries(profiles.map((p) => [p, { raw: 0, nullScore: 0, perfectScore: 0 }]));
const retunedTotal = Object.fromEntries(profiles.map((p) => [p, { raw: 0, nullScore: 0, perfectScore: 0 }]));
for (const [train, test] of [[0, 1], [1, 0]]) {
  let chosen;
  for (const output of outputs) {
    const result = score(output.runs[train]);
    if (chosen === undefined || result.standard.normalised > chosen.result.standard.normalised) chosen = { output, result };
  }
  const line = [];
  for (const profile of profiles) {
    const atThreshold = scoreCorpusAt(chosen.output.runs[test], NAB_PROFILES[profile], chosen.result[profile].threshold);
    heldOut[profile].raw += atThreshold.raw;
    heldOut[profile].nullScore += atThreshold.nullScore;
    heldOut[profile].perfectScore += atThreshold.perfectScore;
    const retuned = score(chosen.output.runs[test])[profile];
    retunedTotal[profile].raw += retuned.raw;
    retunedTotal[profile].nullScore += retuned.nullScore;
    retunedTotal[profile].perfectScore += retuned.perfectScore;
    line.push(`${profile} ${chosen.result[profile].normalised.toFixed(2)} → ${atThreshold.normalised.toFixed(2)} (threshold re-chosen there: ${retuned.normalised.toFixed(2)})`);
  }
  const names = ['even', 'odd'];
  console.log(`chosen on the ${names[train]} files: ${chosen.output.label}; on the ${names[train]} files → on the ${names[test]} files: ${line.join(', ')}`);
}
const normalised = (total) => (100 * (total.raw - total.nullScore)) / (total.perfectScore - total.nullScore);
console.log(`held out, configuration and threshold (both halves, normalised over the whole corpus): ${profiles.map((p) => `${p} ${normalised(heldOut[p]).toFixed(2)}`).join(', ')}`);
console.log(`held out, configuration only (threshold re-chosen on each half): ${profiles.map((p) => `${p} ${normalised(retunedTotal[p]).toFixed(2)}`).join(', ')}`);
