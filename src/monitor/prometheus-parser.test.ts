import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText } from './prometheus-parser.js';

test('counters and gauges with HELP, TYPE, labels and timestamps', () => {
  const families = parsePrometheusText(
    [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# A normal comment',
      '# TYPE temperature gauge',
      'temperature -3.5e1',
    ].join('\n'),
  );
  assert.equal(families.length, 2);
  assert.deepEqual(families[0], {
    name: 'http_requests_total',
    type: 'counter',
    help: 'The total number of HTTP requests.',
    samples: [
      { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestamp: 1395066363000 },
      { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestamp: 1395066363000 },
    ],
  });
  assert.deepEqual(families[1], { name: 'temperature', type: 'gauge', help: '', samples: [{ name: 'temperature', labels: {}, value: -35 }] });
});

test('label values with escapes, HELP escapes, NaN and ±Inf', () => {
  const [family] = parsePrometheusText(
    [
      '# HELP msdos_file_access_time_seconds Access time\\nwith a \\\\ backslash',
      '# TYPE msdos_file_access_time_seconds gauge',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'msdos_file_access_time_seconds{path="a"} NaN',
      'msdos_file_access_time_seconds{path="b"} +Inf',
      'msdos_file_access_time_seconds{ path = "c" , } -Inf',
    ].join('\n'),
  );
  assert.equal(family!.help, 'Access time\nwith a \\ backslash');
  assert.deepEqual(family!.samples[0]!.labels, { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
  assert.equal(family!.samples[0]!.value, 1458255915);
  assert.ok(Number.isNaN(family!.samples[1]!.value));
  assert.equal(family!.samples[2]!.value, Infinity);
  assert.deepEqual(family!.samples[3], { name: 'msdos_file_access_time_seconds', labels: { path: 'c' }, value: -Infinity });
});

test('histograms and summaries group their buckets, quantiles, sums and counts', () => {
  const families = parsePrometheusText(
    [
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'http_request_duration_seconds_count 144320',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds{quantile="0.99"} 76656',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'rpc_duration_seconds_count 2693',
      'no_type_here_count 5',
    ].join('\n'),
  );
  assert.deepEqual(families.map((f) => [f.name, f.type, f.samples.length]), [
    ['http_request_duration_seconds', 'histogram', 4],
    ['rpc_duration_seconds', 'summary', 4],
    ['no_type_here_count', 'untyped', 1],
  ]);
  assert.deepEqual(families[0]!.samples[1], { name: 'http_request_duration_seconds_bucket', labels: { le: '+Inf' }, value: 144320 });
  assert.equal(families[1]!.samples[2]!.value, 17560473);
});

test('malformed lines fail with the line number and a clear reason', () => {
  const cases: [string, RegExp][] = [
    ['ok 1\nbroken{job="api} 1', /metrics line 2: unterminated label value/],
    ['x{job=api} 1', /line 1: expected a quoted value for label job/],
    ['x 1\n\nx{a="1",a="2"} 1', /line 3: label a appears twice/],
    ['x one', /line 1: invalid value "one" for x/],
    ['x 1 12.5', /line 1: invalid timestamp "12.5"/],
    ['x', /line 1: sample x has no value/],
    ['# TYPE x countr', /line 1: unknown metric type "countr"/],
    ['x 1\n# TYPE x counter', /line 2: # TYPE for x comes after its samples/],
    ['x{a="\\q"} 1', /invalid escape/],
    ['{a="b"} 1', /line 1: expected a metric name/],
    ['x 1 2 3', /unexpected text/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parsePrometheusText(text), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'HS_METRICS_PARSE');
      assert.match(error.message, message);
      return true;
    });
  }
});
