import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOfContentType, parsePrometheusText, parsePrometheusTextInSlices } from './prometheus-parser.js';

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

/** An OpenMetrics exposition as a Go or Python client library writes one, with every type. */
const OPENMETRICS = [
  '# HELP http_requests Requests served.',
  '# TYPE http_requests counter',
  'http_requests_total{route="/cart",code="200"} 1027 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 1.0 1733580000.123',
  'http_requests_created{route="/cart",code="200"} 1733570000.5',
  '# TYPE request_seconds histogram',
  '# UNIT request_seconds seconds',
  'request_seconds_bucket{le="0.1"} 900 # {trace_id="00f067aa0ba902b7"} 0.067',
  'request_seconds_bucket{le="+Inf"} 1027',
  'request_seconds_sum 41.5',
  'request_seconds_count 1027',
  '# TYPE queue_wait gaugehistogram',
  'queue_wait_bucket{le="1.0"} 3',
  'queue_wait_bucket{le="+Inf"} 5',
  'queue_wait_gsum 7.5',
  'queue_wait_gcount 5',
  '# TYPE build info',
  'build_info{version="2.4.1",revision="9c0e1f"} 1',
  '# TYPE feature_flags stateset',
  'feature_flags{feature_flags="dark_mode"} 1',
  'feature_flags{feature_flags="new_checkout"} 0',
  '# TYPE cache_ratio unknown',
  'cache_ratio NaN',
  '# TYPE temperature_celsius gauge',
  'temperature_celsius{sensor="cpu"} -Inf 1733580001.25',
  'temperature_celsius{sensor="gpu"} +Inf',
  '# EOF',
  '',
].join('\n');

test('OpenMetrics in full: _total/_created counters, exemplars, UNIT, gaugehistogram, info, stateset, unknown, NaN/±Inf, timestamps in seconds', () => {
  const families = new Map(parsePrometheusText(OPENMETRICS, 'openmetrics').map((f) => [f.name, f]));
  assert.deepEqual([...families.keys()], ['http_requests', 'request_seconds', 'queue_wait', 'build', 'feature_flags', 'cache_ratio', 'temperature_celsius']);
  const counter = families.get('http_requests')!;
  assert.equal(counter.type, 'counter');
  assert.deepEqual(counter.samples.map((s) => [s.name, s.value]), [['http_requests_total', 1027], ['http_requests_created', 1733570000.5]]);
  assert.deepEqual(counter.samples[0]!.exemplar, { labels: { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, value: 1, timestamp: 1733580000123 });
  assert.equal(counter.samples[0]!.timestamp, undefined, 'the exemplar timestamp is not the sample’s');
  const histogram = families.get('request_seconds')!;
  assert.equal(histogram.unit, 'seconds');
  assert.equal(histogram.samples.length, 4);
  assert.deepEqual(histogram.samples[0]!.exemplar, { labels: { trace_id: '00f067aa0ba902b7' }, value: 0.067 });
  assert.equal(histogram.samples[1]!.labels.le, '+Inf');
  assert.deepEqual(families.get('queue_wait')!.samples.map((s) => s.name), ['queue_wait_bucket', 'queue_wait_bucket', 'queue_wait_gsum', 'queue_wait_gcount']);
  assert.deepEqual(families.get('build')!.samples.map((s) => [s.name, s.labels.version]), [['build_info', '2.4.1']]);
  assert.deepEqual(families.get('feature_flags')!.samples.map((s) => [s.labels.feature_flags, s.value]), [['dark_mode', 1], ['new_checkout', 0]]);
  assert.equal(families.get('cache_ratio')!.type, 'unknown');
  assert.ok(Number.isNaN(families.get('cache_ratio')!.samples[0]!.value));
  const [cpu, gpu] = families.get('temperature_celsius')!.samples;
  assert.equal(cpu!.value, -Infinity);
  assert.equal(cpu!.timestamp, 1733580001250, 'OpenMetrics timestamps are seconds, stored as ms');
  assert.equal(gpu!.value, Infinity);
});

test('a timestamp means ms in the text format and seconds in OpenMetrics; the Content-Type says which', () => {
  assert.equal(parsePrometheusText('x 1 1733580000123')[0]!.samples[0]!.timestamp, 1733580000123);
  assert.equal(parsePrometheusText('x 1 1733580000.5', 'openmetrics')[0]!.samples[0]!.timestamp, 1733580000500);
  assert.equal(formatOfContentType('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
  assert.equal(formatOfContentType('text/plain; version=0.0.4; charset=utf-8'), 'text');
  assert.equal(formatOfContentType(null), 'text');
});

test('lenient parsing skips each bad line with its number and reason, and keeps every good one', async () => {
  const text = [
    '# TYPE jobs counter',
    'jobs_total{queue="mail"} 12',
    'jobs_total{queue="mail} 13',
    'jobs_total{queue="sms"} twelve',
    '# TYPE jobs_latency gauge-ish',
    'jobs_total{queue="push"} 4 # not-an-exemplar',
    'jobs_total{queue="push",queue="x"} 4',
    'ok_gauge 1',
    '# EOF',
    'after_eof 1',
  ].join('\n');
  const { families, skipped, skippedCount } = await parsePrometheusTextInSlices(text, { maxSamples: 100, format: 'openmetrics' });
  assert.deepEqual(
    families.flatMap((f) => f.samples.map((s) => `${s.name}=${s.value}`)),
    ['jobs_total=12', 'ok_gauge=1'],
  );
  assert.deepEqual(
    skipped.map((s) => [s.line, s.text]),
    [
      [3, 'jobs_total{queue="mail} 13'],
      [4, 'jobs_total{queue="sms"} twelve'],
      [5, '# TYPE jobs_latency gauge-ish'],
      [6, 'jobs_total{queue="push"} 4 # not-an-exemplar'],
      [7, 'jobs_total{queue="push",queue="x"} 4'],
      [10, 'after_eof 1'],
    ],
  );
  assert.equal(skippedCount, 6);
  assert.match(skipped[0]!.reason, /unterminated label value/);
  assert.match(skipped[1]!.reason, /invalid value "twelve"/);
  assert.match(skipped[2]!.reason, /unknown metric type "gauge-ish"/);
  assert.match(skipped[3]!.reason, /exemplar/);
  assert.match(skipped[4]!.reason, /label queue appears twice/);
  assert.match(skipped[5]!.reason, /after # EOF/);
});

test('a body of thousands of bad lines reports the first 100 and counts them all', async () => {
  const text = Array.from({ length: 1_500 }, (_, i) => `<div class="row-${i}">`).join('\n');
  const { families, skipped, skippedCount } = await parsePrometheusTextInSlices(text, { maxSamples: 100 });
  assert.deepEqual(families, []);
  assert.equal(skipped.length, 100);
  assert.equal(skippedCount, 1_500);
  assert.equal(skipped[99]!.line, 100);
});
