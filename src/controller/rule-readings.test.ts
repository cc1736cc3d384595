import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/load-config.js';
import { TimeSeriesStore } from '../monitor/time-series.js';
import { ratioReadings } from './rule-readings.js';

function ratioRule(aggregate: 'value' | 'rate') {
  const { config } = parseConfig(
    `services:\n  api: { command: node }\nsymptoms:\n  errors:\n    service: api\n    metric: errors_total\n    aggregate: ${aggregate}\n    window: 10s\n    ratio: { metric: requests_total }\n    above: 0.1\n`,
    { file: '/tmp/x/homeostat.yaml' },
  );
  return { ...config.symptoms.errors!, metric: 'errors_total' };
}

test('a ratio sums the numerator series of each instance and divides by the denominator of the same instance', () => {
  const series = new TimeSeriesStore();
  series.append('errors_total', { service: 'api', instance: 'api#0', code: '500' }, 2, 1_000);
  series.append('errors_total', { service: 'api', instance: 'api#0', code: '503' }, 3, 1_000);
  series.append('requests_total', { service: 'api', instance: 'api#0' }, 50, 1_000);
  series.append('requests_total', { service: 'api', instance: 'api#1' }, 10, 1_000);
  series.append('requests_total', { service: 'other', instance: 'other#0' }, 10, 1_000);
  const readings = ratioReadings(series, ratioRule('value'), 'api', 1_000);
  assert.deepEqual(
    readings.map((r) => [r.instance, r.value]),
    [
      ['api#0', 0.1],
      ['api#1', 0],
    ],
    'api#1 has no error series: 0 errors; the other service is not read',
  );
});

test('a zero denominator is no value, not infinity', () => {
  const series = new TimeSeriesStore();
  series.append('errors_total', { service: 'api', instance: 'api#0' }, 4, 1_000);
  series.append('requests_total', { service: 'api', instance: 'api#0' }, 0, 1_000);
  const [reading] = ratioReadings(series, ratioRule('value'), 'api', 1_000);
  assert.equal(reading!.value, undefined);
  assert.equal(reading!.denominator, 0);
});

test('a ratio of rates: errors per request over the window, through a counter reset, and no value before two samples', () => {
  const series = new TimeSeriesStore();
  const rule = ratioRule('rate');
  const at = (t: number, errors: number, requests: number) => {
    series.append('errors_total', { service: 'api', instance: 'api#0' }, errors, t);
    series.append('requests_total', { service: 'api', instance: 'api#0' }, requests, t);
  };
  at(0, 10, 100);
  assert.equal(ratioReadings(series, rule, 'api', 0)[0]!.value, undefined, 'one sample has no rate');
  at(1_000, 12, 120);
  assert.equal(ratioReadings(series, rule, 'api', 1_000)[0]!.value, 0.1);
  // The process restarted: both counters start again from small values.
  at(2_000, 3, 10);
  const [reading] = ratioReadings(series, rule, 'api', 2_000);
  assert.equal(reading!.value, (2 + 3) / (20 + 10), 'a drop counts the new value as the increase');
  // No traffic: the requests rate is 0, so the ratio is no value.
  const idle = new TimeSeriesStore();
  idle.append('errors_total', { service: 'api', instance: 'api#0' }, 5, 0);
  idle.append('errors_total', { service: 'api', instance: 'api#0' }, 5, 1_000);
  idle.append('requests_total', { service: 'api', instance: 'api#0' }, 50, 0);
  idle.append('requests_total', { service: 'api', instance: 'api#0' }, 50, 1_000);
  assert.equal(ratioReadings(idle, rule, 'api', 1_000)[0]!.value, undefined);
});
