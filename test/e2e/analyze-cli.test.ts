import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { cli, inputFolder } from './analyze-harness.js';

const write = inputFolder('homeostat-analyze-');

test('analyze detect: one score row per input row, the spike scoring highest', async () => {
  const rows = ['timestamp,value'];
  for (let i = 0; i < 600; i++) rows.push(`2024-01-01 ${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,${i === 500 ? 90 : 10 + ((i * 7919) % 13) / 13}`);
  const file = write('series.csv', rows.join('\n') + '\n');
  for (const detector of ['robust-zscore', 'conformal-knn', 'ensemble']) {
    const { status, out, err } = await cli('analyze', 'detect', file, '--detector', detector);
    assert.equal(status, 0, err);
    assert.equal(out[0], 'timestamp,anomaly_score');
    assert.equal(out.length, 601);
    const scores = out.slice(1).map((line) => Number(line.split(',')[1]));
    assert.equal(scores.indexOf(Math.max(...scores)), 500, `${detector}: highest score not at the spike`);
    assert.equal(out[501]!.split(',')[0], '2024-01-01 08:20:00');
  }
});

test('analyze detect: a malformed row names the file and line; a missing file and an unknown detector fail clearly', async () => {
  const bad = write('bad.csv', 'timestamp,value\n1700000000,1\n1700000060,oops\n');
  const malformed = await cli('analyze', 'detect', bad, '--detector', 'ewma');
  assert.equal(malformed.status, 1);
  assert.match(malformed.err, /HS_ANALYSIS_BAD_ROW: .*bad\.csv:3: expected "timestamp,number"/);
  const missing = await cli('analyze', 'detect', join(dirname(bad), 'nope.csv'));
  assert.equal(missing.status, 1);
  assert.match(missing.err, /HS_ANALYSIS_INPUT: cannot read .*nope\.csv/);
  const unknown = await cli('analyze', 'detect', bad, '--detector', 'psychic');
  assert.equal(unknown.status, 2);
  assert.match(unknown.err, /unknown detector "psychic"/);
  assert.equal((await cli('analyze', 'detect')).status, 2);
  assert.equal((await cli('analyze', 'explain')).status, 2);
});

/** frontend → api → db; the db's latency goes up first, then the api's and the frontend's follow. */
function rcaTables(): { normal: string; anomalous: string } {
  const header = 'time,frontend_latency,frontend_errors,api_latency,api_cpu,db_latency,db_cpu';
  const normal = [header];
  const anomalous = [header];
  for (let i = 0; i < 120; i++) {
    const wobble = ((i * 7919) % 11) / 11;
    normal.push([i * 10, 50 + wobble, 0, 30 + wobble, 40 + 2 * wobble, 5 + wobble / 2, 20 + wobble].join(','));
  }
  for (let i = 0; i < 60; i++) {
    const wobble = ((i * 104729) % 11) / 11;
    const db = i >= 10 ? 60 : 5;
    const api = i >= 12 ? 30 + db : 30;
    const frontend = i >= 14 ? 50 + api : 50;
    anomalous.push([1200 + i * 10, frontend + wobble, 0, api + wobble, 40 + 2 * wobble, db + wobble / 2, 20 + wobble].join(','));
  }
  return { normal: normal.join('\n') + '\n', anomalous: anomalous.join('\n') + '\n' };
}

test('analyze rca: the dependency that went wrong first is ranked first, with and without the graph', async () => {
  const { normal, anomalous } = rcaTables();
  const normalPath = write('normal.csv', normal);
  const anomalousPath = write('anomalous.csv', anomalous);
  const graph = write('graph.json', JSON.stringify({ frontend: ['api'], api: ['db'], db: [] }));
  const withGraph = await cli('analyze', 'rca', '--normal', normalPath, '--anomalous', anomalousPath, '--graph', graph, '--json');
  assert.equal(withGraph.status, 0, withGraph.err);
  const ranking = JSON.parse(withGraph.out.join('\n')) as { element: string; confidence: number; evidence: string[] }[];
  assert.deepEqual(ranking.map((c) => c.element), ['db', 'api', 'frontend']);
  assert.ok(ranking[0]!.evidence.some((line) => /explains 2 of its 2 dependents/.test(line)));
  assert.ok(ranking[1]!.evidence.some((line) => /depends on db/.test(line)));
  const text = await cli('analyze', 'rca', '--normal', normalPath, '--anomalous', anomalousPath);
  assert.equal(text.status, 0, text.err);
  assert.match(text.out[0]!, /^1\. db {2}score/);
  assert.ok(text.out.some((line) => /db_latency left its normal range at t=1300/.test(line)));
});

test('analyze rca: bad tables and graphs are named with their line; missing options are usage errors', async () => {
  const { normal } = rcaTables();
  const normalPath = write('normal2.csv', normal);
  const broken = write('broken.csv', 'time,db_cpu\n0,1\n10,abc\n');
  const result = await cli('analyze', 'rca', '--normal', normalPath, '--anomalous', broken);
  assert.equal(result.status, 1);
  assert.match(result.err, /HS_ANALYSIS_BAD_ROW: .*broken\.csv:3: column "db_cpu": "abc" is not a number/);
  const badGraph = write('bad-graph.json', '{ "api": "db" }');
  const graphResult = await cli('analyze', 'rca', '--normal', normalPath, '--anomalous', normalPath, '--graph', badGraph);
  assert.equal(graphResult.status, 1);
  assert.match(graphResult.err, /bad-graph\.json: "api" must list its dependencies as an array/);
  assert.equal((await cli('analyze', 'rca', '--normal', normalPath)).status, 2);
});
