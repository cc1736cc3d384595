import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load-config.js';
import { MetricWatch } from '../../../src/controller/metric-watch.js';
import type { Symptom } from '../../../src/analyze/symptom.js';

function watchOf(symptoms: string) {
  const { config } = parseConfig(`services:\n  api: { command: node }\nsymptoms:\n${symptoms}`, { file: '/tmp/x/homeostat.yaml' });
  const observed: Symptom[] = [];
  const cleared: string[] = [];
  const watch = new MetricWatch({ config, endpoints: () => [], observe: (s) => observed.push(s), onCleared: (rule, instance) => cleared.push(`${rule}@${instance}`) });
  const sample = (metric: string, at: number, value: number, labels: Record<string, string> = {}) => watch.series.append(metric, { service: 'api', instance: 'api#0', ...labels }, value, at);
  return { watch, observed, cleared, sample };
}

function configErrors(symptom: string): string[] {
  try {
    parseConfig(`services:\n  api: { command: node }\nsymptoms:\n  s:\n    service: api\n    metric: m\n${symptom}`, { file: '/tmp/x/homeostat.yaml' });
  } catch (error) {
    return (error as Error).message.split('\n').filter((line) => line.startsWith('/tmp/x/homeostat.yaml'));
  }
  return [];
}

test('contradictory rule settings are refused with the file, line and field', () => {
  assert.match(configErrors('    below: 5\n    clearAbove: 3\n').join('\n'), /homeostat\.yaml:8:\d+: symptoms\.s\.clearAbove: clearAbove \(3\) must not be lower than below \(5\)/);
  assert.match(configErrors('    above: 5\n    clearAbove: 7\n').join('\n'), /symptoms\.s\.clearAbove: clearAbove is the hysteresis of below rules only/);
  assert.match(configErrors('    below: 5\n    clearBelow: 7\n').join('\n'), /symptoms\.s\.clearBelow: a below rule clears with clearAbove/);
  assert.match(configErrors('    above: 5\n    below: 1\n').join('\n'), /takes one of above, below, absent, detector or trend, not above and below/);
  assert.match(configErrors('    absent: 30s\n    for: 10s\n').join('\n'), /symptoms\.s\.for: an absent rule's duration is its for/);
  assert.match(configErrors('    absent: 30s\n    aggregate: rate\n').join('\n'), /symptoms\.s\.aggregate: an absent rule watches samples, not their rate/);
  assert.match(configErrors('    absent: 30s\n    ratio: { metric: r }\n').join('\n'), /symptoms\.s\.ratio: an absent rule watches samples of one selector/);
  assert.match(configErrors('    above: 1\n    ratio: { }\n').join('\n'), /symptoms\.s\.ratio\.metric/);
  assert.deepEqual(configErrors('    below: 1\n    clearAbove: 1\n    for: 2s\n'), [], 'clearAbove equal to below is allowed');
});

test('below: fires on each series after for:, clears at clearAbove, and the symptom says so', () => {
  const h = watchOf('  low-throughput:\n    service: api\n    metric: rps\n    below: 10\n    clearAbove: 20\n    for: 1s\n');
  for (const [at, value] of [[0, 50], [1_000, 5], [1_500, 5], [2_000, 5]] as const) {
    h.sample('rps', at, value);
    h.watch.evaluate('api', at);
  }
  assert.equal(h.observed.length, 1);
  assert.equal(h.observed[0]!.name, 'low-throughput');
  assert.equal(h.observed[0]!.instance, 'api#0');
  assert.equal(h.observed[0]!.labels.kind, 'below');
  assert.match(String(h.observed[0]!.signal.message), /rps is 5\.00, below 10/);
  assert.deepEqual(h.watch.firingRules(), [{ rule: 'low-throughput', element: 'api' }]);
  h.sample('rps', 3_000, 15);
  h.watch.evaluate('api', 3_000);
  assert.deepEqual(h.cleared, [], 'between below and clearAbove: still firing');
  h.sample('rps', 4_000, 25);
  h.watch.evaluate('api', 4_000);
  assert.deepEqual(h.cleared, ['low-throughput@api#0']);
  assert.deepEqual(h.watch.firingRules(), []);
});

test('absent: a series that went away raises one symptom on the service after the duration, and its return clears it', () => {
  const h = watchOf('  heartbeat-missing:\n    service: api\n    metric: heartbeat\n    labels: { job: worker }\n    absent: 5s\n');
  h.sample('heartbeat', 0, 1, { job: 'worker' });
  h.watch.evaluate('api', 0);
  h.sample('unrelated', 3_000, 1);
  h.sample('heartbeat', 3_000, 1, { job: 'other' });
  h.watch.evaluate('api', 3_000);
  h.watch.evaluate('api', 4_999);
  assert.equal(h.observed.length, 0, 'other metrics and other label values do not count, but 5 s have not passed');
  h.watch.evaluate('api', 5_000);
  assert.equal(h.observed.length, 1);
  const [symptom] = h.observed;
  assert.equal(symptom!.element, 'api');
  assert.equal(symptom!.instance, undefined, 'absence is of the whole selector');
  assert.equal(symptom!.labels.kind, 'absent');
  assert.match(String(symptom!.signal.message), /no samples of heartbeat\{"job":"worker"\} for 5 s/);
  h.watch.evaluate('api', 9_000);
  assert.equal(h.observed.length, 1, 'raised once');
  assert.equal(h.watch.isFiring('heartbeat-missing', 'api'), true, 'verification sees it firing');
  h.sample('heartbeat', 9_500, 1, { job: 'worker', instance: 'api#1' });
  h.watch.evaluate('api', 9_500);
  assert.deepEqual(h.cleared, ['heartbeat-missing@api'], 'any matching series clears it');
  assert.equal(h.watch.isFiring('heartbeat-missing', 'api'), false);
});

test('absent: a series that never existed fires the duration after the watch started evaluating (a restarted up waits too)', () => {
  const h = watchOf('  never-seen:\n    service: api\n    metric: heartbeat\n    absent: 2s\n');
  h.watch.evaluate('api', 10_000);
  h.watch.evaluate('api', 11_999);
  assert.equal(h.observed.length, 0);
  h.watch.evaluate('api', 12_000);
  assert.equal(h.observed.length, 1);
});

test('rate: a counter rate above a level fires after for:, a counter reset is not a negative rate, and clearBelow holds it', () => {
  const h = watchOf('  error-rate:\n    service: api\n    metric: errors_total\n    aggregate: rate\n    window: 5s\n    above: 2\n    clearBelow: 0.5\n    for: 1s\n');
  const counter = [0, 1, 2, 7, 12, 17, 1, 2, 2, 2, 2, 2, 2, 2];
  const firedAt: number[] = [];
  const clearedAt: number[] = [];
  counter.forEach((value, i) => {
    const at = i * 1_000;
    h.sample('errors_total', at, value);
    const [o, c] = [h.observed.length, h.cleared.length];
    h.watch.evaluate('api', at);
    if (h.observed.length > o) firedAt.push(at);
    if (h.cleared.length > c) clearedAt.push(at);
  });
  // Rate over 5 s: at 3 s (7−0)/3 = 2.33 pending; at 4 s 3 fired. At 6 s the counter reset to 1 counts as +1.
  assert.deepEqual(firedAt, [4_000]);
  assert.ok(String(h.observed[0]!.signal.message).startsWith('errors_total rate over 5000 ms is'));
  // At 10 s the window holds 17→1 (a reset: +1), 1→2 and three flat samples: 2 over 5 s, 0.4/s ≤ 0.5.
  assert.deepEqual(clearedAt, [10_000], 'clears once the 5 s window holds at most 0.5/s');
});

test('ratio: errors ÷ requests per instance fires above the level, and a zero denominator (no traffic) holds the state', () => {
  const h = watchOf('  error-ratio:\n    service: api\n    metric: http_requests_total\n    labels: { code: "500" }\n    aggregate: rate\n    window: 3s\n    ratio: { metric: http_requests_total }\n    above: 0.2\n    clearBelow: 0.05\n');
  const step = (at: number, errors: number, ok: number) => {
    h.sample('http_requests_total', at, errors, { code: '500' });
    h.sample('http_requests_total', at, ok, { code: '200' });
    h.watch.evaluate('api', at);
  };
  step(0, 0, 0);
  step(1_000, 1, 9);
  assert.equal(h.observed.length, 0, 'errors are 10 % of requests');
  step(2_000, 6, 14);
  assert.equal(h.observed.length, 1, '6 of 20 requests in the window failed: 30 %');
  assert.equal(h.observed[0]!.labels.aggregate, 'ratio');
  assert.equal(h.observed[0]!.instance, 'api#0');
  assert.match(String(h.observed[0]!.signal.message), /http_requests_total rate over 3000 ms ÷ http_requests_total rate over 3000 ms is 0\.300, above 0\.2/);
  step(3_000, 6, 14);
  step(4_000, 6, 14);
  step(5_000, 6, 14);
  step(6_000, 6, 14);
  assert.deepEqual(h.cleared, [], 'no requests: no value, so the symptom neither clears nor turns infinite');
  assert.equal(h.watch.isFiring('error-ratio', 'api'), true);
  step(7_000, 6, 114);
  assert.deepEqual(h.cleared, ['error-ratio@api#0'], 'traffic back without errors: the ratio is 0');
});
