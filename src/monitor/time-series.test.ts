import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { seriesKey, TimeSeriesStore } from './time-series.js';
import { ingestPushedMetrics, scrapeOnce } from './metric-scraper.js';

test('series are bounded by points, retention and series count', () => {
  const series = new TimeSeriesStore({ retentionMs: 1_000, maxPointsPerSeries: 3, maxSeries: 2 });
  for (let i = 0; i < 5; i++) series.append('x', { a: '1' }, i, i * 100);
  const key = seriesKey('x', { a: '1' });
  assert.deepEqual(series.points(key).map((p) => p.value), [2, 3, 4]);
  series.append('x', { a: '1' }, 9, 5_000);
  assert.deepEqual(series.points(key).map((p) => p.value), [9], 'older points expired');
  assert.equal(series.append('y', {}, 1, 0), true);
  assert.equal(series.append('z', {}, 1, 0), false);
  assert.equal(series.droppedSamples, 1);
  assert.equal(series.seriesCount, 2);
  assert.equal(seriesKey('m', { b: '2', a: '1' }), 'm{a="1",b="2"}');
});

test('counter rates survive resets', () => {
  const series = new TimeSeriesStore();
  const values = [10, 20, 30, 5, 15];
  values.forEach((value, i) => series.append('c', {}, value, i * 1_000));
  assert.equal(series.rate('c', 10_000, 4_000), (10 + 10 + 5 + 10) / 4);
  assert.equal(series.rate('missing', 10_000, 4_000), undefined);
});

test('scraping a real endpoint labels every sample; failures are results, not throws', async () => {
  const server = createServer((_req, res) => res.end('# TYPE api_errors_total counter\napi_errors_total{code="500"} 7\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const series = new TimeSeriesStore();
  try {
    const result = await scrapeOnce({ url: `http://127.0.0.1:${port}/metrics`, labels: { service: 'api', instance: 'api#0' } }, series);
    assert.equal(result.ok, true);
    assert.equal(series.latest(seriesKey('api_errors_total', { code: '500', service: 'api', instance: 'api#0' }))?.value, 7);
  } finally {
    server.close();
  }
  const failed = await scrapeOnce({ url: `http://127.0.0.1:${port}/metrics`, labels: {}, timeoutMs: 500 }, series);
  assert.equal(failed.ok, false);
  assert.ok(failed.error);
});

test('pushed JSON metrics are validated as a batch', () => {
  const series = new TimeSeriesStore();
  assert.deepEqual(ingestPushedMetrics({ metrics: [{ name: 'queue_depth', value: 3, labels: { q: 'a' } }] }, series, 1), { stored: 1, dropped: {} });
  assert.deepEqual(ingestPushedMetrics({ metrics: [{ name: 'ok', value: 1 }, { name: 'bad name', value: 1 }] }, series, 1), { error: 'metrics[1].name must be a metric name' });
  assert.equal(series.find('ok').length, 0, 'nothing of a refused batch is stored');
  assert.ok('error' in ingestPushedMetrics('nope', series, 1));
});
