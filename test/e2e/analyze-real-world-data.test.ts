import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, inputFolder } from './analyze-harness.js';

/** `homeostat analyze` on data as real exports write it: the default detector, rows out of order, missing values. */
const write = inputFolder('homeostat-analyze-real-');

const START = Date.UTC(2024, 0, 1);

/** A daily-ish wave with noise, a level shift at 700 and a spike at 1100: one row a minute. */
function series(length = 1_400): { stamp: string; value: number }[] {
  return Array.from({ length }, (_, i) => {
    const wave = 20 + 10 * Math.sin((2 * Math.PI * i) / 240) + ((i * 7919) % 17) / 17;
    const value = i === 1_100 ? 95 : i >= 700 ? wave + 12 : wave;
    return { stamp: new Date(START + i * 60_000).toISOString().replace('T', ' ').slice(0, 19), value: Number(value.toFixed(3)) };
  });
}

function csv(rows: { stamp: string; value: string | number }[]): string {
  return ['timestamp,value', ...rows.map((r) => `${r.stamp},${r.value}`)].join('\n') + '\n';
}

const scores = (out: string[]) => out.slice(1).map((line) => line.split(',')[1]);

test('analyze detect without --detector uses contextual-fatigue, the best measured detector, and --help says so and why', async () => {
  const file = write('default.csv', csv(series()));
  const byDefault = await cli('analyze', 'detect', file);
  const named = await cli('analyze', 'detect', file, '--detector', 'contextual-fatigue');
  const ensemble = await cli('analyze', 'detect', file, '--detector', 'ensemble');
  for (const run of [byDefault, named, ensemble]) assert.equal(run.status, 0, run.err);
  assert.notDeepEqual(scores(ensemble.out), scores(named.out), 'the two detectors score this series differently');
  assert.deepEqual(scores(byDefault.out), scores(named.out), 'the default is contextual-fatigue');
  const help = await cli('analyze', '--help');
  assert.equal(help.status, 0);
  const text = help.out.join('\n');
  assert.match(text, /default contextual-fatigue: the best detector measured on real data/);
  assert.match(text, /79\.66 standard \/ 72\.77 low-FP \/ 83\.84 low-FN; 78\.27 \/ 71\.46 \/ 82\.39 with the\s+threshold held out/);
});

test('analyze detect: rows out of time order or repeating a timestamp are scored as the next sample, said once on stderr; --strict refuses them', async () => {
  const rows = series(900);
  // A clock stepped back an hour for rows 400–402 (three rows earlier than the one before them), and two merged rows repeat a timestamp.
  const untidy = rows.map((row, i) => (i >= 400 && i <= 402 ? { ...row, stamp: new Date(START + (i - 60) * 60_000).toISOString().replace('T', ' ').slice(0, 19) } : row));
  untidy[600] = { ...untidy[600]!, stamp: untidy[599]!.stamp };
  untidy[601] = { ...untidy[601]!, stamp: untidy[599]!.stamp };
  const file = write('untidy.csv', csv(untidy));
  const result = await cli('analyze', 'detect', file);
  assert.equal(result.status, 0, result.err);
  assert.equal(result.out.length, 901, 'one score per row');
  assert.deepEqual(result.out.slice(1).map((line) => line.split(',')[0]), untidy.map((r) => r.stamp), 'each row keeps its own timestamp');
  assert.ok(scores(result.out).every((s) => s !== '' && Number.isFinite(Number(s))), 'every row has a score');
  // Scored as the next sample: the same scores as a file in time order whose untidy rows carry the time of the row before.
  const inOrder = untidy.map((row, i) => (i >= 400 && i <= 402 ? { ...row, stamp: untidy[399]!.stamp } : row));
  const reference = await cli('analyze', 'detect', write('in-order.csv', csv(inOrder)), '--detector', 'rate-of-change');
  const sameDetector = await cli('analyze', 'detect', file, '--detector', 'rate-of-change');
  assert.deepEqual(scores(sameDetector.out), scores(reference.out));
  assert.equal(result.err, `homeostat analyze: ${file}: 3 rows earlier than a row before them were scored as the next sample (file order); 2 rows repeating the timestamp before them were scored as the next sample. --strict makes rows out of order and missing values errors.`);
  const strict = await cli('analyze', 'detect', file, '--strict');
  assert.equal(strict.status, 1);
  assert.match(strict.err, /HS_ANALYSIS_BAD_ROW: .*untidy\.csv:402: timestamp "2024-01-01 05:40:00" is earlier than the row before/);
});

test('analyze detect: NaN, nan, Inf, -Inf and empty cells are missing values: printed with an empty score, not fed to the detector', async () => {
  const rows: { stamp: string; value: string | number }[] = series(600);
  const gaps = new Map([[0, 'nan'], [100, 'NaN'], [200, 'Inf'], [300, '-Inf'], [400, ''], [500, ' inf ']]);
  const withGaps = rows.map((row, i) => (gaps.has(i) ? { ...row, value: gaps.get(i)! } : row));
  // No header: the first row, whose value is missing, is data, not a header.
  const file = write('gaps.csv', csv(withGaps).split('\n').slice(1).join('\n'));
  const result = await cli('analyze', 'detect', file);
  assert.equal(result.status, 0, result.err);
  assert.equal(result.out.length, 601, 'a row out for every row in');
  for (const i of gaps.keys()) assert.equal(result.out[i + 1], `${rows[i]!.stamp},`, `row ${i} has an empty score`);
  // The detector never saw them: the other rows score as in the file without the gaps.
  const without = await cli('analyze', 'detect', write('no-gaps.csv', csv(rows.filter((_, i) => !gaps.has(i)))));
  assert.deepEqual(scores(result.out).filter((s) => s !== ''), scores(without.out));
  assert.match(result.err, /6 rows without a value \(empty, NaN, Inf\) have an empty score/);
  const strict = await cli('analyze', 'detect', file, '--strict');
  assert.equal(strict.status, 1);
  assert.match(strict.err, /HS_ANALYSIS_BAD_ROW: .*gaps\.csv:1: the value "nan" is missing/);
  const typo = await cli('analyze', 'detect', write('typo.csv', '1700000000,1\n1700000060,1,5\n'));
  assert.equal(typo.status, 1, 'text that is neither a number nor a missing value is still an error');
  assert.match(typo.err, /HS_ANALYSIS_BAD_ROW: .*typo\.csv:2: expected "timestamp,number"/);
});

test('analyze rca: NaN, nan, Inf and empty cells are gaps, not a reason to reject the file', async () => {
  const header = 'time,api_latency,api_cpu,db_latency,db_cpu';
  const normal = [header];
  const anomalous = [header];
  for (let i = 0; i < 120; i++) {
    const wobble = ((i * 7919) % 11) / 11;
    normal.push([i * 10, 30 + wobble, i === 7 ? 'nan' : 40 + wobble, i === 9 ? 'NaN' : 5 + wobble, 20 + wobble].join(','));
  }
  for (let i = 0; i < 60; i++) {
    const wobble = ((i * 104729) % 11) / 11;
    const db = i >= 10 ? 60 : 5;
    const api = i >= 12 ? 30 + db : 30;
    anomalous.push([1200 + i * 10, i === 20 ? 'Inf' : api + wobble, i === 3 ? '' : 40 + wobble, i === 30 ? '-inf' : db + wobble, i === 40 ? 'nan' : 20 + wobble].join(','));
  }
  const result = await cli('analyze', 'rca', '--normal', write('rca-normal.csv', normal.join('\n') + '\n'), '--anomalous', write('rca-anomalous.csv', anomalous.join('\n') + '\n'), '--json');
  assert.equal(result.status, 0, result.err);
  const ranking = JSON.parse(result.out.join('\n')) as { element: string }[];
  assert.deepEqual(ranking.map((c) => c.element), ['db', 'api']);
});
