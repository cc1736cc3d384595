import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeSeriesStore } from '../../monitor/time-series.js';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { memoryMetrics, runtimeMetrics } from './runtime-metrics.js';

/** The family names of a rendered registry, in order. */
const families = (text: string) => [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);

test('the loop families are registered in order, typed, and the leader and unresolved gauges read 0 from the start', () => {
  const registry = new MetricsRegistry();
  runtimeMetrics(registry);
  const text = registry.render();
  assert.deepEqual(families(text), [
    'homeostat_symptoms_total counter',
    'homeostat_incidents_opened_total counter',
    'homeostat_incidents_resolved_total counter',
    'homeostat_incidents_reopened_total counter',
    'homeostat_incidents_escalated_total counter',
    'homeostat_actions_total counter',
    'homeostat_action_duration_seconds histogram',
    'homeostat_mttd_seconds histogram',
    'homeostat_mttr_seconds histogram',
    'homeostat_remediation_duration_seconds histogram',
    'homeostat_workflow_step_duration_seconds histogram',
    'homeostat_scrapes_total counter',
    'homeostat_leader gauge',
    'homeostat_incidents_unresolved gauge',
  ]);
  assert.match(text, /^homeostat_leader 0$/m);
  assert.match(text, /^homeostat_incidents_unresolved 0$/m);
});

test('the MTTD buckets reach 10 s; a step histogram starts at 1 ms', () => {
  const registry = new MetricsRegistry();
  const m = runtimeMetrics(registry);
  m.mttd.observe({ symptom: 'process-crashed' }, 0.2);
  m.stepSeconds.observe({ step: 'act', status: 'completed' }, 0.002);
  const text = registry.render();
  assert.match(text, /^homeostat_mttd_seconds_bucket\{symptom="process-crashed",le="0.25"\} 1$/m);
  assert.match(text, /^homeostat_mttd_seconds_bucket\{symptom="process-crashed",le="10"\} 1$/m);
  assert.match(text, /^homeostat_workflow_step_duration_seconds_bucket\{status="completed",step="act",le="0.001"\} 0$/m);
  assert.match(text, /^homeostat_workflow_step_duration_seconds_bucket\{status="completed",step="act",le="0.005"\} 1$/m);
});

test('memory metrics read the series store at scrape time: series held, samples dropped and restamped by source and reason', () => {
  const registry = new MetricsRegistry();
  const series = new TimeSeriesStore({ maxSeries: 1 });
  memoryMetrics(registry, series);
  assert.match(registry.render(), /^homeostat_series 0$/m);
  series.append('a', {}, 1, 1_000);
  series.countDropped('scrape:api', 'global_series_limit', 3);
  const text = registry.render();
  assert.deepEqual(families(text), ['homeostat_series gauge', 'homeostat_metric_samples_dropped_total counter', 'homeostat_metric_samples_restamped_total counter', 'homeostat_process_resident_memory_bytes gauge']);
  assert.match(text, /^homeostat_series 1$/m);
  assert.match(text, /^homeostat_metric_samples_dropped_total\{reason="global_series_limit",source="scrape:api"\} 3$/m);
  assert.match(text, /^homeostat_process_resident_memory_bytes [1-9]\d*$/m);
});
