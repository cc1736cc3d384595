import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { TimeSeriesStore } from '../../monitor/time-series.js';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { runtimeDrops } from './runtime-drops.js';

test('every buffer of up is on /metrics from the start; a drop is counted and warned about with what the buffer holds', () => {
  const lines: { msg: string; buffer?: string; dropped?: number; total?: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const registry = new MetricsRegistry();
  const metricSeries = new TimeSeriesStore();
  let elementEvents = 0;
  const drops = runtimeDrops(registry, { logger, elementEvents: () => elementEvents, metricSeries, resourceSeries: new TimeSeriesStore(), liveEvents: () => 7 });
  try {
    const text = registry.render();
    for (const buffer of ['loop-symptoms', 'incident-symptoms', 'early-symptoms', 'recent-exits', 'element-events', 'metric-samples', 'resource-samples']) {
      assert.match(text, new RegExp(`^homeostat_dropped_total\\{buffer="${buffer}"\\} 0$`, 'm'));
    }
    assert.match(text, /^homeostat_dropped_total\{buffer="live-events"\} 7$/m);
    drops.drop('early-symptoms', 2);
    elementEvents = 4;
    metricSeries.countDropped('push', 'stale_timestamp', 5);
    const after = registry.render();
    assert.match(after, /^homeostat_dropped_total\{buffer="early-symptoms"\} 2$/m);
    assert.match(after, /^homeostat_dropped_total\{buffer="element-events"\} 4$/m);
    assert.match(after, /^homeostat_dropped_total\{buffer="metric-samples"\} 5$/m);
    assert.deepEqual(
      lines.map(({ msg, buffer, dropped, total }) => ({ msg, buffer, dropped, total })),
      [{ msg: 'dropped 2 symptoms seen before this process led the loop: the buffer was full (2 since start)', buffer: 'early-symptoms', dropped: 2, total: 2 }],
    );
  } finally {
    drops.close();
  }
});
