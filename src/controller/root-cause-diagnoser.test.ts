import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/load-config.js';
import { TimeSeriesStore } from '../monitor/time-series.js';
import { RootCauseDiagnoser } from './root-cause-diagnoser.js';
import { INSTANCE_CPU } from './resource-series.js';
import { promqlHistory } from './promql-history.js';
import type { RangeAnswer, RangeWindow } from '../monitor/prometheus-query.js';

const { config } = parseConfig(
  `services:
  db_main: { command: node }
  api: { command: node, dependsOn: [db_main] }
  cron: { command: node }
monitor:
  scrape: [{ service: api, every: 1s }]
`,
  { file: '/tmp/x/homeostat.yaml' },
);

test('the monitor\'s history ranks a dependency without a symptom of its own above the dependent that complained (service names with underscores too)', async () => {
  const scraped = new TimeSeriesStore({ retentionMs: 3_600_000 });
  const resources = new TimeSeriesStore({ retentionMs: 3_600_000 });
  const onset = 1_700_000_600_000;
  let errors = 0;
  for (let t = onset - 300_000; t <= onset + 5_000; t += 1_000) {
    const faulty = t >= onset - 4_000;
    // The db's CPU jumps first (a hog); the api's error counter climbs a little later.
    resources.append(INSTANCE_CPU, { service: 'db_main', instance: 'db_main#0' }, faulty ? 95 + (t % 3) : 3 + (t % 5) / 5, t);
    resources.append(INSTANCE_CPU, { service: 'api', instance: 'api#0' }, 2 + (t % 7) / 7, t);
    errors += t >= onset - 2_000 ? 20 : t % 3 === 0 ? 1 : 0;
    scraped.append('api_errors_total', { service: 'api', instance: 'api#0' }, errors, t);
  }
  const diagnoser = new RootCauseDiagnoser({ config, series: [resources, scraped], now: () => onset + 5_000 });
  const diagnosis = await diagnoser.diagnose([{ name: 'api-errors', element: 'api', instance: 'api#0', at: onset, labels: {}, signal: { message: 'api errors' } }]);
  const candidates = diagnosis.candidates!;
  assert.deepEqual(candidates.map((c) => c.element), ['db_main', 'api'], JSON.stringify(candidates, null, 1));
  assert.equal(diagnosis.cause, 'metric-anomaly');
  assert.ok(candidates[0]!.evidence.some((e) => e.startsWith('db_main:homeostat_instance_cpu_percent{instance="db_main#0",service="db_main"} left its normal range')), candidates[0]!.evidence.join('\n'));
  assert.ok(candidates[1]!.evidence.some((e) => /depends on db_main, which is unhealthy too/.test(e)), candidates[1]!.evidence.join('\n'));
  assert.equal(diagnosis.classification, 'transient');
});

test('a service in no dependsOn relation is ranked alone', async () => {
  const diagnosis = await new RootCauseDiagnoser({ config }).diagnose([{ name: 'process-crashed', element: 'cron', at: 1, labels: {}, signal: {} }]);
  assert.deepEqual(diagnosis.candidates!.map((c) => [c.element, c.kind, c.confidence]), [['cron', 'element', 1]]);
  assert.equal(diagnosis.cause, 'process-crashed');
});

test('an idle dependency whose CPU reads 0 and then 1 % is not blamed for a dependent\'s crash (quiet machine)', async () => {
  const resources = new TimeSeriesStore({ retentionMs: 3_600_000 });
  const onset = 1_700_000_600_000;
  for (let t = onset - 60_000; t <= onset + 3_000; t += 1_000) {
    // A flat 0 % normal period, then two blips of 1 %: what an idle process shows on a quiet host.
    resources.append(INSTANCE_CPU, { service: 'db_main', instance: 'db_main#0' }, t >= onset - 1_000 && t <= onset ? 1 : 0, t);
    resources.append(INSTANCE_CPU, { service: 'api', instance: 'api#0' }, 0, t);
  }
  const diagnoser = new RootCauseDiagnoser({ config, series: [resources], now: () => onset + 3_000 });
  const diagnosis = await diagnoser.diagnose([{ name: 'process-crashed', element: 'api', instance: 'api#0', at: onset, labels: {}, signal: { message: 'api#0 exited' } }]);
  assert.equal(diagnosis.candidates![0]!.element, 'api', JSON.stringify(diagnosis.candidates, null, 1));
  assert.equal(diagnosis.cause, 'process-crashed');
});

test('the history of a dependency\'s PromQL rule, read back from Prometheus, ranks it as the cause; a rule whose query fails is left out and named', async () => {
  const { config: withPromql } = parseConfig(
    `prometheus: { url: "http://127.0.0.1:9" }
services:
  db_main: { command: node }
  api: { command: node, dependsOn: [db_main] }
symptoms:
  db-latency:
    service: db_main
    query: histogram_quantile(0.99, sum by (le) (rate(db_query_seconds_bucket[1m])))
    above: 1
  api-down:
    service: api
    query: up{job="api"}
    below: 1
`,
    { file: '/tmp/x/homeostat.yaml' },
  );
  const onset = 1_700_000_600_000;
  const asked: { query: string; window: RangeWindow }[] = [];
  const query = async (_url: string, promql: string, window: RangeWindow): Promise<RangeAnswer> => {
    asked.push({ query: promql, window });
    if (promql.startsWith('up')) return { ok: false, error: 'HTTP 503' };
    const samples: [number, number][] = [];
    // The db's p99 latency: about 20 ms, then 4 s from shortly before the api's symptom.
    for (let t = window.startMs; t <= window.endMs; t += window.stepMs) samples.push([t, t >= onset - 4_000 ? 4 + (t % 3_000) / 3_000 : 0.02 + (t % 7_000) / 700_000]);
    return { ok: true, series: [{ labels: { job: 'db', service: 'ignored' }, samples }] };
  };
  const failed: string[] = [];
  const diagnoser = new RootCauseDiagnoser({
    config: withPromql,
    now: () => onset + 5_000,
    promql: async (services, fromMs, nowMs, stepMs) => {
      const history = await promqlHistory(withPromql, { services, fromMs, nowMs, stepMs, query });
      failed.push(...history.failed.map((f) => `${f.rule}: ${f.error}`));
      return history.store;
    },
  });
  const diagnosis = await diagnoser.diagnose([{ name: 'process-crashed', element: 'api', instance: 'api#0', at: onset, labels: {}, signal: { message: 'api#0 exited' } }]);
  assert.deepEqual(asked.map((a) => a.query).sort(), ['histogram_quantile(0.99, sum by (le) (rate(db_query_seconds_bucket[1m])))', 'up{job="api"}']);
  assert.ok(asked[0]!.window.startMs <= onset - withPromql.correlation.normalPeriod - 5_000, 'the window covers the normal period');
  assert.equal(asked[0]!.window.endMs, onset + 5_000);
  assert.deepEqual(failed, ['api-down: HTTP 503']);
  const top = diagnosis.candidates![0]!;
  assert.equal(top.element, 'db_main', JSON.stringify(diagnosis.candidates, null, 1));
  assert.ok(top.evidence.some((e) => e.startsWith('db_main:db-latency{job="db",service="db_main"} left its normal range')), top.evidence.join('\n'));
  const without = await new RootCauseDiagnoser({ config: withPromql, now: () => onset + 5_000 }).diagnose([{ name: 'process-crashed', element: 'api', instance: 'api#0', at: onset, labels: {}, signal: { message: 'api#0 exited' } }]);
  assert.equal(without.candidates![0]!.element, 'api', 'without the PromQL history nothing points at the db');
});
