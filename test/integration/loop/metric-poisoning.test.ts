import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Symptom } from '../../../src/analyze/symptom.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { MetricWatch } from '../../../src/controller/metric-watch.js';
import { ingestPushedMetrics, scrapeOnce } from '../../../src/monitor/metric-scraper.js';
import { seriesKey, TimeSeriesStore } from '../../../src/monitor/time-series.js';

const DAY = 86_400_000;

/** A real exporter on 127.0.0.1 whose body `respond` writes; counts the bytes it managed to send. */
async function exporter(respond: (res: ServerResponse) => void) {
  const server = createServer((_req, res) => respond(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('one sample a day ahead does not blind a rate rule: 100 errors in 10 s still raise the symptom', async () => {
  const { config } = parseConfig(
    `services:\n  api: { command: node }\nmonitor:\n  scrape: [{ service: api }]\nsymptoms:\n  api-errors:\n    service: api\n    metric: api_errors_total\n    aggregate: rate\n    window: 10s\n    above: 5\n`,
    { file: '/tmp/x/homeostat.yaml' },
  );
  let now = 1_800_000_000_000;
  let errors = 0;
  let poison = true;
  const server = await exporter((res) => {
    // The first exposition carries one sample stamped a day ahead, the rest are honest.
    res.end(poison ? `api_errors_total 0 ${now + DAY}\n` : `api_errors_total ${errors}\n`);
  });
  const observed: Symptom[] = [];
  const watch = new MetricWatch({ config, endpoints: () => [{ instance: 'api#0', port: server.port }], observe: (s) => observed.push(s), clock: { now: () => now, sleep: async () => {} } });
  try {
    await watch.scrape('api', '/metrics');
    poison = false;
    for (let second = 1; second <= 10; second++) {
      now += 1_000;
      errors += 10;
      await watch.scrape('api', '/metrics');
      watch.evaluate('api', now);
    }
    assert.deepEqual(
      observed.map((s) => s.name),
      ['api-errors'],
      'the rule fires on the honest samples',
    );
    assert.deepEqual(
      watch.series.dropped().map((d) => [d.source, d.reason, d.count]),
      [['scrape:api#0', 'future_timestamp', 1]],
      'the poisoned sample is counted, by source and reason',
    );
  } finally {
    watch.stop();
    await server.close();
  }
});

test('timestamps are checked against a window around now: negative and far-future ones dropped, slight skew clamped, older than retention dropped', () => {
  const now = 1_800_000_000_000;
  const series = new TimeSeriesStore({ retentionMs: 600_000 });
  const result = ingestPushedMetrics(
    {
      metrics: [
        { name: 'q', value: 1, timestamp: now - 1_000 },
        { name: 'q', value: 2, timestamp: now + 60_000 },
        { name: 'q', value: 3, timestamp: now + DAY },
        { name: 'q', value: 4, timestamp: now - DAY },
      ],
    },
    series,
    now,
  );
  assert.deepEqual(result, { stored: 2, dropped: { future_timestamp: 1, stale_timestamp: 1 } });
  assert.deepEqual(series.points('q'), [
    { at: now - 1_000, value: 1 },
    { at: now, value: 2 },
  ]);
  assert.deepEqual(ingestPushedMetrics({ metrics: [{ name: 'q', value: 1, timestamp: -5 }] }, series, now), { error: 'metrics[0].timestamp must be milliseconds since the epoch, not negative' });
  assert.equal(series.ingest({ name: 'scrape:x', maxSeries: 10 }, 'q', {}, 1, -1, now), 'invalid_timestamp', 'a negative scraped timestamp');
});

test('one source cannot fill the global series cap: a push of 10 000 series stops at its budget, and others still get series', () => {
  const now = Date.now();
  const series = new TimeSeriesStore({ maxSeries: 10_000 });
  const flood = { metrics: Array.from({ length: 10_000 }, (_, i) => ({ name: 'flood', labels: { i: String(i) }, value: 1 })) };
  const result = ingestPushedMetrics(flood, series, now, { name: 'push:attacker', maxSeries: 1_000 });
  assert.deepEqual(result, { stored: 1_000, dropped: { source_series_limit: 9_000 } });
  assert.equal(series.seriesOf('push:attacker'), 1_000);
  assert.deepEqual(ingestPushedMetrics({ metrics: [{ name: 'queue_depth', value: 3 }] }, series, now, { name: 'push:worker', maxSeries: 1_000 }), { stored: 1, dropped: {} });
  assert.deepEqual(
    series.dropped().map((d) => [d.source, d.reason, d.count]),
    [['push:attacker', 'source_series_limit', 9_000]],
  );
  series.prune(now + 700_000);
  assert.equal(series.seriesOf('push:attacker'), 0, 'expired series give their budget back');
});

test('a scrape target with more series than its limit is refused whole and counted', async () => {
  const server = await exporter((res) => res.end(Array.from({ length: 500 }, (_, i) => `wide{i="${i}"} 1\n`).join('')));
  const series = new TimeSeriesStore();
  try {
    const result = await scrapeOnce({ url: `http://127.0.0.1:${server.port}/metrics`, labels: { instance: 'api#0' }, maxSeries: 100, source: 'scrape:api#0' }, series);
    assert.equal(result.ok, false);
    assert.equal(result.limit, 'series');
    assert.match(result.error ?? '', /more than 100 samples/);
    assert.equal(series.seriesCount, 0, 'nothing of the refused scrape is stored');
    assert.deepEqual(series.dropped().map((d) => [d.source, d.reason]), [['scrape:api#0', 'target_series_limit']]);
  } finally {
    await server.close();
  }
});

test('a scrape body past its size limit is cut off while streaming, never buffered whole', async () => {
  let sent = 0;
  let closedEarly = false;
  // An endless exposition: it only stops when the scraper hangs up.
  const server = await exporter((res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let i = 0;
    const chunk = () => {
      while (!res.destroyed) {
        const line = Array.from({ length: 1_000 }, () => `endless{i="${i++}"} 1\n`).join('');
        sent += line.length;
        if (!res.write(line)) {
          res.once('drain', chunk);
          return;
        }
      }
    };
    res.once('close', () => (closedEarly = !res.writableEnded));
    chunk();
  });
  const series = new TimeSeriesStore();
  try {
    const result = await scrapeOnce({ url: `http://127.0.0.1:${server.port}/metrics`, labels: {}, timeoutMs: 60_000, maxBodyBytes: 1_048_576, source: 'scrape:endless' }, series);
    assert.equal(result.ok, false);
    assert.equal(result.limit, 'body');
    assert.match(result.error ?? '', /larger than 1048576 bytes/);
    assert.equal(series.seriesCount, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(closedEarly, 'the scraper hung up');
    assert.ok(sent < 16 * 1_048_576, `the exporter could send only about the limit plus socket buffers (${sent} bytes)`);
  } finally {
    server.server.closeAllConnections();
    await server.close();
  }
});

test('a body announced larger than the limit is refused before reading it', async () => {
  const body = `big 1\n${'#'.repeat(2_000_000)}\n`;
  const server = await exporter((res) => res.end(body));
  const series = new TimeSeriesStore();
  try {
    const result = await scrapeOnce({ url: `http://127.0.0.1:${server.port}/metrics`, labels: {}, maxBodyBytes: 1_000_000 }, series);
    assert.equal(result.limit, 'body');
    assert.equal(series.find('big').length, 0);
  } finally {
    await server.close();
  }
});

test('honest scrapes are unchanged: every sample stored with the target labels', async () => {
  const server = await exporter((res) => res.end('# TYPE api_errors_total counter\napi_errors_total{code="500"} 7\n'));
  const series = new TimeSeriesStore();
  try {
    const result = await scrapeOnce({ url: `http://127.0.0.1:${server.port}/metrics`, labels: { service: 'api', instance: 'api#0' } }, series);
    assert.equal(result.ok, true);
    assert.equal(series.latest(seriesKey('api_errors_total', { code: '500', service: 'api', instance: 'api#0' }))?.value, 7);
    assert.deepEqual(series.dropped(), []);
  } finally {
    await server.close();
  }
});
