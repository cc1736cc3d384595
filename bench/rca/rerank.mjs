// Rank the recorded tables of a benchmark run again with another build (the offline path only):
// the same recorded cases, the ranking code of `--dist`. The tables are those a run kept with
// --keep (`<tmp>/cases/<fault>-<service>-<rep>/{normal,anomalous}.csv`).
//
//   node bench/rca/rerank.mjs --dist dist --results bench/rca/results/offline-….json --cases /tmp/homeostat-rca-…/cases
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, summarise } from './accuracy.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || args[i + 1] === undefined) throw new Error(`--${name} is required`);
  return args[i + 1];
};
const bin = join(resolve(root, option('dist')), 'src/cli/bin.js');
const results = JSON.parse(readFileSync(option('results'), 'utf8'));
const casesDir = option('cases');
const graph = join(root, 'examples/shop/graph.json');

const cases = results.cases.map((c) => {
  const dir = join(casesDir, `${c.fault}-${c.service}-${c.rep}`);
  const run = spawnSync(process.execPath, [bin, 'analyze', 'rca', '--normal', join(dir, 'normal.csv'), '--anomalous', join(dir, 'anomalous.csv'), '--graph', graph, '--json'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${dir}: ${run.stderr}`);
  const ranking = JSON.parse(run.stdout);
  const position = ranking.findIndex((r) => r.element === c.service);
  const rank = position < 0 ? null : position + 1;
  if (rank !== c.rank) console.log(`${c.fault} ${c.service} #${c.rep}: rank ${c.rank ?? '-'} → ${rank ?? '-'} (top ${ranking.slice(0, 3).map((r) => r.element).join(' > ')})`);
  return { ...c, rank };
});
console.log(markdownTable(summarise(cases, results.settings.faults)));
