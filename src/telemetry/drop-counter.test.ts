import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DropCounter, type DropReport } from './drop-counter.js';
import { MetricsRegistry } from './metrics.js';

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('every drop is counted on /metrics; the first is reported at once, the rest of the interval in one report with their count', async () => {
  const reports: DropReport[] = [];
  const registry = new MetricsRegistry();
  const drops = new DropCounter({ report: (r) => reports.push(r), intervalMs: 200 });
  drops.define('loop-symptoms', 'symptoms waiting');
  drops.define('early-symptoms', 'early symptoms');
  drops.register(registry);
  // Defined buffers show 0 before their first drop, so an alert can be written on them.
  assert.match(registry.render(), /^homeostat_dropped_total\{buffer="early-symptoms"\} 0$/m);
  for (let i = 0; i < 500; i++) drops.drop('loop-symptoms');
  assert.match(registry.render(), /^homeostat_dropped_total\{buffer="loop-symptoms"\} 500$/m);
  assert.deepEqual(reports, [{ buffer: 'loop-symptoms', what: 'symptoms waiting', dropped: 1, total: 1 }]);
  await until(() => reports.length === 2, 'the report at the end of the interval');
  assert.deepEqual(reports[1], { buffer: 'loop-symptoms', what: 'symptoms waiting', dropped: 499, total: 500 });
  drops.drop('loop-symptoms', 3);
  drops.close();
  assert.deepEqual(reports.at(-1), { buffer: 'loop-symptoms', what: 'symptoms waiting', dropped: 3, total: 503 }, 'close reports what was not yet reported');
  assert.equal(drops.total('loop-symptoms'), 503);
});

test('a followed buffer (it counts its own drops) is read at scrape time and reported when its count grew', async () => {
  const reports: DropReport[] = [];
  const registry = new MetricsRegistry();
  let elsewhere = 0;
  const drops = new DropCounter({ report: (r) => reports.push(r), intervalMs: 60_000, pollMs: 20 });
  drops.follow('element-events', 'element events waiting for the store', () => elsewhere);
  drops.register(registry);
  try {
    elsewhere = 7;
    assert.match(registry.render(), /^homeostat_dropped_total\{buffer="element-events"\} 7$/m);
    await until(() => reports.length === 1, 'the report of the followed count');
    assert.deepEqual(reports[0], { buffer: 'element-events', what: 'element events waiting for the store', dropped: 7, total: 7 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(reports.length, 1, 'no report while the count stays');
    elsewhere = 9;
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(reports.length, 1, 'no second report within the interval');
    drops.close();
    assert.deepEqual(reports[1], { buffer: 'element-events', what: 'element events waiting for the store', dropped: 2, total: 9 });
  } finally {
    drops.close();
  }
});
