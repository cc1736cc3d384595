import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load-config.js';
import { MetricWatch } from '../../../src/controller/metric-watch.js';
import type { Symptom } from '../../../src/analyze/symptom.js';

/** A seeded uniform generator (mulberry32) and gaussian noise from it (Box–Muller). */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

function watchOf(symptoms: string, services = 'api: { command: node, maxMemory: 200MB }') {
  const { config } = parseConfig(`services:\n  ${services}\nsymptoms:\n${symptoms}`, { file: '/tmp/x/homeostat.yaml' });
  const observed: Symptom[] = [];
  const cleared: string[] = [];
  const watch = new MetricWatch({ config, endpoints: () => [], observe: (s) => observed.push(s), onCleared: (rule) => cleared.push(rule) });
  /** One sample of `metric` on api#0, evaluated as a scrape would be. */
  const sample = (metric: string, at: number, value: number) => {
    watch.series.append(metric, { service: 'api', instance: 'api#0' }, value, at);
    watch.evaluate('api', at);
  };
  return { watch, observed, cleared, sample };
}

const LATENCY_RULE = `  api-latency:
    service: api
    metric: api_work_latency_seconds
    detector: { name: robust-zscore, window: 300, warmup: 30 }
    raiseAt: 0.9999
    clearBelow: 0.99
    for: 100ms
    clearFor: 1s
`;

test('a noisy but healthy latency series raises no symptom over a long run: 120 s of gaussian noise at a 100 ms scrape period', () => {
  const h = watchOf(LATENCY_RULE);
  const noise = gaussian(42);
  const start = 1_700_000_000_000;
  let excursions = 0;
  for (let i = 0; i < 1_200; i++) {
    const value = 0.05 + 0.01 * noise();
    if (Math.abs(value - 0.05) > 0.025) excursions++;
    h.sample('api_work_latency_seconds', start + i * 100, value);
  }
  assert.ok(excursions > 5, `the noise has single-sample excursions past 2.5 σ (${excursions}), none of which may raise the symptom`);
  assert.deepEqual(h.observed, [], 'no symptom');
  assert.deepEqual(h.cleared, []);
  assert.equal(h.watch.anyFiring(), false);
});

test('a latency anomaly is raised within 3 scrape periods of the first slow sample, and clears only after it held below clearBelow for clearFor', () => {
  const h = watchOf(LATENCY_RULE);
  const noise = gaussian(7);
  const start = 1_700_000_000_000;
  let t = start;
  for (let i = 0; i < 300; i++, t += 100) h.sample('api_work_latency_seconds', t, 0.05 + 0.01 * noise());
  const shiftAt = t;
  for (let i = 0; i < 3 && h.observed.length === 0; i++, t += 100) h.sample('api_work_latency_seconds', t, 0.55 + 0.01 * noise());
  assert.equal(h.observed.length, 1, 'raised within 3 samples of the shift');
  const [symptom] = h.observed;
  assert.equal(symptom!.name, 'api-latency');
  assert.equal(symptom!.instance, 'api#0');
  assert.equal(symptom!.labels.kind, 'detector');
  assert.ok((symptom!.at - shiftAt) / 100 < 3, `detected ${(symptom!.at - shiftAt) / 100} periods after the shift`);
  assert.match(String(symptom!.signal.message), /robust-zscore anomaly score (1\.0000|0\.99\d+) ≥ 0\.9999 for 2 samples/);
  // One healthy sample does not clear it; a second of clearFor does.
  h.sample('api_work_latency_seconds', t, 0.05);
  t += 100;
  h.sample('api_work_latency_seconds', t, 0.6);
  t += 100;
  assert.deepEqual(h.cleared, []);
  for (let i = 0; i < 12; i++, t += 100) h.sample('api_work_latency_seconds', t, 0.05 + 0.01 * noise());
  assert.deepEqual(h.cleared, ['api-latency']);
  assert.equal(h.observed.length, 1, 'raised once');
});

test('a trend rule raises an early symptom with the time left before maxMemory is reached', () => {
  const h = watchOf(`  api-memory-trend:
    service: api
    metric: api_resident_memory_bytes
    trend: { limit: maxMemory, within: 2m, window: 30, minSamples: 10 }
`);
  const start = 1_700_000_000_000;
  // 60 MB, steady for a while: no forecast.
  for (let i = 0; i < 30; i++) h.sample('api_resident_memory_bytes', start + i * 1_000, 60e6 + (i % 3) * 1e5);
  assert.equal(h.observed.length, 0);
  // Then a leak of 1 MB/s: 140 MB to go, 140 s away at first — raised once it is under 2 minutes.
  let at = start + 30_000;
  let value = 60e6;
  while (h.observed.length === 0 && value < 200e6) {
    value += 1e6;
    at += 1_000;
    h.sample('api_resident_memory_bytes', at, value);
  }
  assert.equal(h.observed.length, 1);
  const signal = h.observed[0]!.signal;
  assert.equal(signal.predictive, true);
  const left = Number(signal.timeToLimitMs);
  assert.ok(left > 60_000 && left <= 120_000, `time left ${left} ms`);
  assert.ok(value < 200e6, 'raised before the limit was reached');
  assert.match(String(signal.message), /reaches its limit 200000000 in \d+\.\d s \(trend \d+\/s, fit 0?\.?\d+/);
});

test('detector rules: unknown names, unknown or mistyped options, refused values and mixed kinds are config errors at their line', () => {
  const errorsOf = (yaml: string) => {
    try {
      parseConfig(yaml, { file: '/tmp/x/homeostat.yaml', displayName: 'homeostat.yaml' });
    } catch (error) {
      return (error as Error).message.split('\n').filter((l) => l.startsWith('homeostat.yaml'));
    }
    return [];
  };
  const errors = errorsOf(`services:
  api: { command: node }
symptoms:
  a: { service: api, metric: m, detector: { name: robust-zscor } }
  b: { service: api, metric: m, detector: { name: ewma, alpha: high } }
  c: { service: api, metric: m, detector: { name: robust-zscore, windw: 3 } }
  d: { service: api, metric: m, detector: { name: robust-zscore, window: -1 } }
  g: { service: api, metric: m, above: 1, raiseAt: 0.9 }
`);
  assert.deepEqual(errors.map((e) => e.replace(/; known: .*/, '; known: …')), [
    'homeostat.yaml:4:51: symptoms.a.detector.name: unknown detector "robust-zscor"; known: …',
    'homeostat.yaml:5:64: symptoms.b.detector.alpha: expected a number, got "high"',
    'homeostat.yaml:6:73: symptoms.c.detector.windw: unknown option "windw" for detector robust-zscore; known: …',
    'homeostat.yaml:7:51: symptoms.d.detector.name: detector "robust-zscore": capacity must be a positive integer, got -1',
    'homeostat.yaml:8:52: symptoms.g.raiseAt: raiseAt applies to detector rules only',
  ]);
  assert.deepEqual(errorsOf(`services:
  api: { command: node }
symptoms:
  e: { service: api, metric: m, above: 1, detector: { name: ewma } }
  f: { service: api, metric: m, trend: { limit: maxMemory, within: 1m } }
`), [
    'homeostat.yaml:4:6: symptoms.e: a symptom rule takes one of above, below, absent, detector or trend, not above and detector',
    'homeostat.yaml:5:49: symptoms.f.trend.limit: service "api" has no maxMemory to predict',
  ]);
});
