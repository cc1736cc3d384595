import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load-config.js';
import { PromqlWatch } from '../../../src/controller/promql-watch.js';
import { instantQuery } from '../../../src/monitor/prometheus-query.js';
import type { Symptom } from '../../../src/analyze/symptom.js';
import { fakePrometheus } from '../helpers/fake-prometheus.js';

test('instantQuery: vectors, scalars, NaN and ±Inf are answers; errors, non-JSON and an unreachable Prometheus are failures that say why', async () => {
  const p = await fakePrometheus();
  try {
    p.vector([{ job: 'api' }, '0.25'], [{ job: 'db' }, '+Inf'], [{ job: 'x' }, 'NaN']);
    const answer = await instantQuery(p.url, 'rate(x[1m])', 1_000);
    assert.ok(answer.ok);
    assert.deepEqual(answer.series.map((s) => s.value), [0.25, Infinity, NaN]);
    assert.equal(p.queries().at(-1), 'rate(x[1m])');
    p.state.body = JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '-Inf'] } });
    assert.deepEqual(await instantQuery(p.url, '1', 1_000), { ok: true, series: [{ labels: {}, value: -Infinity }] });
    p.state.status = 400;
    p.state.body = JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' });
    assert.deepEqual(await instantQuery(p.url, 'up{', 1_000), { ok: false, error: 'bad_data: parse error at char 3' });
    p.state.status = 502;
    p.state.body = '<html>bad gateway</html>';
    assert.match((await instantQuery(p.url, 'up', 1_000) as { error: string }).error, /HTTP 502: not JSON/);
    p.state.status = 200;
    p.state.body = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } });
    assert.match((await instantQuery(p.url, 'up[1m]', 1_000) as { error: string }).error, /answers a matrix/);
  } finally {
    await p.close();
  }
  assert.match((await instantQuery(p.url, 'up', 1_000) as { error: string }).error, /cannot reach/);
});

test('a PromQL rule fires per answered series after for:, holds through hysteresis, is unknown (not healthy) while queries fail, and clears', async () => {
  const p = await fakePrometheus();
  let now = 0;
  const observed: Symptom[] = [];
  const cleared: string[] = [];
  const outcomes: string[] = [];
  const { config } = parseConfig(
    `services:\n  api: { command: node }\nprometheus: { url: "${p.url}", timeout: 1s }\nsymptoms:\n  api-errors:\n    service: api\n    query: sum by (job) (rate(errors_total[1m]))\n    above: 1\n    clearBelow: 0.5\n    for: 2s\n`,
    { file: '/tmp/x/homeostat.yaml' },
  );
  const watch = new PromqlWatch({ config, observe: (s) => observed.push(s), onCleared: (rule, series) => cleared.push(series), onQuery: (_rule, outcome, error) => outcomes.push(error ? `${outcome}: ${error}` : outcome), clock: { now: () => now } });
  try {
    assert.equal(watch.isFiring('api-errors', 'api'), true, 'never answered: unknown, not healthy');
    p.vector([{ job: 'api' }, '3']);
    await watch.evaluate('api-errors');
    assert.equal(watch.isFiring('api-errors', 'api'), true, 'pending');
    now = 2_000;
    await watch.evaluate('api-errors');
    assert.equal(observed.length, 1);
    assert.equal(observed[0]!.element, 'api');
    assert.equal(observed[0]!.labels.aggregate, 'promql');
    assert.match(String(observed[0]!.signal.message), /PromQL sum by \(job\) \(rate\(errors_total\[1m\]\)\) is 3 for \{"job":"api"\}, above 1/);
    assert.deepEqual(watch.firingRules(), [{ rule: 'api-errors', element: 'api' }]);
    now = 3_000;
    p.vector([{ job: 'api' }, '0.7']);
    await watch.evaluate('api-errors');
    assert.deepEqual(cleared, [], 'above clearBelow: still firing');
    p.state.status = 503;
    p.state.body = 'down';
    await watch.evaluate('api-errors');
    assert.match(outcomes.at(-1)!, /^failed: HTTP 503/);
    p.vector([{ job: 'api' }, 'NaN']);
    await watch.evaluate('api-errors');
    assert.deepEqual(cleared, [], 'NaN is no value');
    p.vector([{ job: 'api' }, '0.1']);
    await watch.evaluate('api-errors');
    assert.deepEqual(cleared, ['api-errors{job="api"}']);
    assert.equal(watch.isFiring('api-errors', 'api'), false, 'known and clear');
    p.state.status = 500;
    p.state.body = JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' });
    await watch.evaluate('api-errors');
    assert.equal(watch.isFiring('api-errors', 'api'), true, 'a failed query makes the rule unknown again: verification does not pass on it');
    assert.deepEqual(outcomes.filter((o) => o === 'ok').length, 5);
    // A series that fired and then vanished from the answer is over.
    now = 10_000;
    p.vector([{ job: 'db' }, '9']);
    await watch.evaluate('api-errors');
    now = 12_000;
    await watch.evaluate('api-errors');
    assert.equal(observed.length, 2);
    p.vector();
    await watch.evaluate('api-errors');
    assert.deepEqual(cleared, ['api-errors{job="api"}', 'api-errors{job="db"}']);
    assert.equal(watch.isFiring('api-errors', 'api'), false);
  } finally {
    watch.stop();
    await p.close();
  }
});

test('PromQL rule settings that cannot work are config errors at their line', () => {
  const errors = (yaml: string) => {
    try {
      parseConfig(`services:\n  api: { command: node }\n${yaml}`, { file: '/tmp/x/homeostat.yaml' });
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  assert.match(errors('symptoms:\n  q: { service: api, query: up, below: 1 }\n'), /homeostat\.yaml:4:\d+: symptoms\.q\.query: a PromQL rule needs prometheus: \{ url \} in this file/);
  assert.match(errors('prometheus: { url: "http://p:9090" }\nsymptoms:\n  q: { service: api, query: up, metric: up, below: 1 }\n'), /symptoms\.q\.metric: a symptom rule takes a metric or a query, not both/);
  assert.match(errors('prometheus: { url: "http://p:9090" }\nsymptoms:\n  q: { service: api, query: up, absent: 1m }\n'), /a PromQL rule takes above or below/);
  assert.match(errors('prometheus: { url: "http://p:9090" }\nsymptoms:\n  q: { service: api, query: up, above: 1, aggregate: rate }\n'), /symptoms\.q\.aggregate: a PromQL rule takes no aggregate: use rate\(\) in the query/);
  assert.match(errors('symptoms:\n  q: { service: api, above: 1 }\n'), /symptoms\.q\.metric: a symptom rule needs a metric \(or a PromQL query\)/);
  assert.equal(errors('prometheus: { url: "http://p:9090" }\nsymptoms:\n  q: { service: api, query: up, below: 1, every: 5s }\n'), '');
});

test('a PromQL range rule fires only when every point of the window is past the threshold; a NaN point holds its state; the window is the last `range`', async () => {
  const p = await fakePrometheus();
  const now = 1_000_000;
  const observed: Symptom[] = [];
  const cleared: string[] = [];
  const { config } = parseConfig(
    `services:\n  api: { command: node }\nprometheus: { url: "${p.url}", timeout: 1s }\nsymptoms:\n  api-slow:\n    service: api\n    query: max(latency_seconds)\n    range: 2m\n    step: 30s\n    above: 0.5\n    clearBelow: 0.2\n`,
    { file: '/tmp/x/homeostat.yaml' },
  );
  const watch = new PromqlWatch({ config, observe: (s) => observed.push(s), onCleared: (_rule, series) => cleared.push(series), clock: { now: () => now } });
  try {
    p.matrix([{}, [[880, '0.9'], [910, '0.4'], [940, '0.9'], [970, '0.9'], [1000, '0.9']]]);
    await watch.evaluate('api-slow');
    assert.deepEqual(p.state.requests.at(-1)!.params, { query: 'max(latency_seconds)', start: '880', end: '1000', step: '30' });
    assert.equal(observed.length, 0, 'one point of the window was not above 0.5');
    assert.equal(watch.isFiring('api-slow', 'api'), false);
    p.matrix([{}, [[880, '0.9'], [910, '0.6'], [1000, '0.9']]]);
    await watch.evaluate('api-slow');
    assert.equal(observed.length, 1, 'every point above 0.5: fired');
    assert.match(String(observed[0]!.signal.message), /^PromQL max\(latency_seconds\) over the last 120 s is 0\.6 for \{\}, above 0\.5$/);
    p.matrix([{}, [[880, '0.9'], [910, 'NaN'], [1000, '0.1']]]);
    await watch.evaluate('api-slow');
    assert.deepEqual(cleared, [], 'a NaN point is no value: the state holds');
    p.matrix([{}, [[880, '0.9'], [910, '0.3'], [1000, '0.9']]]);
    await watch.evaluate('api-slow');
    assert.deepEqual(cleared, [], '0.3 is not at or below clearBelow 0.2: still firing');
    p.matrix([{}, [[880, '0.9'], [910, '0.1']]]);
    await watch.evaluate('api-slow');
    assert.equal(cleared.length, 1, 'a point at or below clearBelow clears it');
    assert.equal(watch.unknownReason('api-slow', 'api'), undefined, 'answered: known');
    p.state.status = 503;
    p.state.rangeBody = 'down';
    await watch.evaluate('api-slow');
    assert.equal(watch.isFiring('api-slow', 'api'), true, 'a failed range query is unknown, not healthy');
    assert.equal(watch.unknownReason('api-slow', 'api'), 'its query failed: HTTP 503: not JSON: down', 'and says why, for verification');
    assert.equal(watch.unknownReason('api-slow', 'db'), undefined, 'not a rule of db');
  } finally {
    await p.close();
  }
});

test('range and step: only on PromQL rules, and a sound window', () => {
  const errors = (rule: string) => {
    try {
      parseConfig(`services:\n  api: { command: node }\nprometheus: { url: "http://127.0.0.1:9090" }\nsymptoms:\n  r:\n    service: api\n${rule}`, { file: '/tmp/x/homeostat.yaml', displayName: 'homeostat.yaml' });
      return [];
    } catch (error) {
      return (error as Error).message.split('\n').filter((line) => line.startsWith('homeostat.yaml'));
    }
  };
  assert.deepEqual(errors('    metric: x\n    above: 1\n    range: 1m\n'), ['homeostat.yaml:9:12: symptoms.r.range: range is for PromQL rules (query:); a metric rule reads its window with window/for']);
  assert.deepEqual(errors('    query: x\n    above: 1\n    range: 1m\n    step: 5m\n'), ['homeostat.yaml:10:11: symptoms.r.step: step (300000 ms) must not exceed range (60000 ms)']);
  assert.deepEqual(errors('    query: x\n    above: 1\n    range: 0s\n'), ['homeostat.yaml:9:12: symptoms.r.range: range must be a positive duration']);
  assert.deepEqual(errors('    query: x\n    above: 1\n    range: 1m\n    step: 10s\n'), []);
});

test('a rule fired by +Inf records "+Inf" in its signal, as Prometheus writes it, not JSON\'s null', async () => {
  const p = await fakePrometheus();
  const observed: Symptom[] = [];
  const { config } = parseConfig(`services:\n  api: { command: node }\nprometheus: { url: "${p.url}", timeout: 1s }\nsymptoms:\n  api-latency:\n    service: api\n    query: histogram_quantile(0.99, rate(latency_bucket[1m]))\n    above: 1\n`, { file: '/tmp/x/homeostat.yaml' });
  const watch = new PromqlWatch({ config, observe: (s) => observed.push(s), clock: { now: () => 0 } });
  try {
    p.vector([{}, '+Inf']);
    await watch.evaluate('api-latency');
    assert.equal(observed.length, 1);
    assert.equal(JSON.parse(JSON.stringify(observed[0]!.signal)).value, '+Inf');
  } finally {
    await p.close();
  }
});
