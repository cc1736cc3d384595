import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeSeriesStore } from '../monitor/time-series.js';
import { metricHistory } from './metric-history.js';

test('NaN and ±Inf samples are no value in the ranking tables; a target’s scrape duration is left out, its up kept', () => {
  const series = new TimeSeriesStore({ retentionMs: 3_600_000 });
  const labels = { service: 'redis', instance: '127.0.0.1:9121' };
  for (let i = 0; i < 20; i++) {
    const at = 100_000 + i * 1_000;
    series.append('redis_latency_seconds', labels, i === 15 ? Number.POSITIVE_INFINITY : i % 4 === 0 ? Number.NaN : 0.01, at);
    series.append('scrape_duration_seconds', labels, 0.002, at);
    series.append('up', labels, 1, at);
  }
  const tables = metricHistory([series], { services: ['redis'], alias: () => 'e0', onset: 115_000, now: 119_000, normalMs: 10_000, stepMs: 1_000, leadMs: 0 })!;
  const names = [...tables.normal.series.keys()];
  assert.ok(names.some((n) => n.includes('redis_latency_seconds')));
  assert.ok(names.some((n) => n.startsWith('e0_up')));
  assert.ok(!names.some((n) => n.includes('scrape_duration_seconds')));
  const latency = [...tables.normal.series.entries(), ...tables.anomalous.series.entries()].filter(([n]) => n.includes('redis_latency_seconds')).flatMap(([, v]) => v);
  assert.ok(latency.every((v) => v === 0.01), `a NaN or +Inf sample leaves the last finite value in place: ${latency.join(',')}`);
});
