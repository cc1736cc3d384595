import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Symptom } from '../../../src/analyze/symptom.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { MetricWatch } from '../../../src/controller/metric-watch.js';
import { ingestPushedMetrics } from '../../../src/monitor/metric-scraper.js';
import { TimeSeriesStore } from '../../../src/monitor/time-series.js';

/** Samples out of time order, as real exporters send them: stored as the next sample, counted, never dropped. */
const DAY = 86_400_000;

test('a pushed sample older than its series latest point, or repeating its time with another value, is stored as the next sample at arrival and counted', () => {
  const now = 1_800_000_000_000;
  const series = new TimeSeriesStore({ retentionMs: 600_000 });
  const push = (metrics: { name: string; value: number; timestamp?: number }[], at = now) => ingestPushedMetrics({ metrics }, series, at, { name: 'push:t1', maxSeries: 100 });
  assert.deepEqual(push([{ name: 'q', value: 1, timestamp: now - 3_000 }]), { stored: 1, dropped: {} });
  // A clock stepped back: earlier than the latest point.
  assert.deepEqual(push([{ name: 'q', value: 2, timestamp: now - 5_000 }]), { stored: 1, dropped: {} });
  // Two merged exports: the same time, another value; then, a second later, an honest sample.
  assert.deepEqual(push([{ name: 'q', value: 3, timestamp: now }]), { stored: 1, dropped: {} });
  assert.deepEqual(push([{ name: 'q', value: 4, timestamp: now + 1_000 }], now + 1_000), { stored: 1, dropped: {} });
  assert.deepEqual(series.points('q'), [
    { at: now - 3_000, value: 1 },
    { at: now, value: 2 },
    { at: now + 1, value: 3 },
    { at: now + 1_000, value: 4 },
  ]);
  // The same sample exposed again (same time, same value) is kept as before, and not counted.
  push([{ name: 'r', value: 5, timestamp: now - 1_000 }, { name: 'r', value: 5, timestamp: now - 1_000 }]);
  assert.deepEqual(series.points('r').map((p) => p.at), [now - 1_000, now - 1_000]);
  // The red-team's window still holds: a little ahead is clamped (and now counted), far ahead, too old or negative is dropped.
  assert.deepEqual(push([{ name: 's', value: 1, timestamp: now + 60_000 }, { name: 's', value: 2, timestamp: now + DAY }, { name: 's', value: 3, timestamp: now - DAY }]), { stored: 1, dropped: { future_timestamp: 1, stale_timestamp: 1 } });
  assert.equal(series.ingest({ name: 'push:t1', maxSeries: 100 }, 's', {}, 4, -1, now), 'invalid_timestamp');
  assert.deepEqual(series.points('s'), [{ at: now, value: 1 }]);
  assert.deepEqual(
    series.restamped().map((r) => [r.source, r.reason, r.count]),
    [
      ['push:t1', 'reordered', 1],
      ['push:t1', 'repeated', 1],
      ['push:t1', 'clock_skew', 1],
    ],
  );
  assert.deepEqual(series.dropped().map((d) => [d.reason, d.count]), [['future_timestamp', 1], ['stale_timestamp', 1], ['invalid_timestamp', 1]], 'nothing out of order was dropped');
});

test('an exporter whose clock stepped back a minute still feeds its rules: the rate rule and the detector rule fire on its samples', async () => {
  const { config } = parseConfig(
    `services:\n  app: { command: node }\nmonitor:\n  scrape: [{ service: app }]\nsymptoms:\n  app-errors: { service: app, metric: app_errors_total, aggregate: rate, window: 10s, above: 5 }\n  app-queue:\n    service: app\n    metric: app_queue_depth\n    detector: { name: static-threshold, above: 50 }\n`,
    { file: '/tmp/x/homeostat.yaml' },
  );
  let now = 1_800_000_000_000;
  const stepped = now - 60_000;
  let scrapes = 0;
  // The first exposition is stamped with the true time; then the exporter's clock steps back a
  // minute (an NTP correction) and runs on from there. Its queue gauge is stamped with one
  // fixed time throughout (an exporter stamping the time its cache was filled), while its value climbs.
  const server = createServer((_req, res) => {
    const stamp = scrapes === 0 ? now : stepped + scrapes * 1_000;
    const errors = scrapes * 10;
    const queue = scrapes < 5 ? 10 : 80;
    scrapes++;
    res.end(`app_errors_total ${errors} ${stamp}\napp_queue_depth ${queue} ${stepped}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const observed: Symptom[] = [];
  const watch = new MetricWatch({ config, endpoints: () => [{ instance: 'app#0', port }], observe: (s) => observed.push(s), clock: { now: () => now, sleep: async () => {} } });
  try {
    for (let second = 0; second < 10; second++) {
      now += 1_000;
      await watch.scrape('app', '/metrics');
      watch.evaluate('app', now);
    }
    assert.deepEqual(observed.map((s) => s.name).sort(), ['app-errors', 'app-queue'], 'both rules fire on the samples behind the clock step');
    const restamped = Object.fromEntries(watch.series.restamped().map((r) => [r.reason, r.count]));
    // The 9 error samples after the step; the gauge once when its value changed under the same
    // stamp (repeated), and after that 4 times, its stamp now behind the point stored at arrival.
    assert.deepEqual(restamped, { reordered: 13, repeated: 1 });
    assert.deepEqual(watch.series.dropped(), [], 'none dropped');
  } finally {
    watch.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
