import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ElementStateRecord } from '../store/records.js';
import { CPU_SERIES, ResourceHistory, RSS_SERIES } from './resource-history.js';

const state = (instance: string, updatedAt: number, data: unknown): ElementStateRecord => ({ instance, element: instance.split('#')[0]!, owner: 'o', state: 'running', health: 'healthy', data: typeof data === 'string' ? data : JSON.stringify(data), updatedAt });

test('ResourceHistory keeps one CPU and RSS point per saved state, skips what it cannot read, and survives store errors', async () => {
  let states: ElementStateRecord[] = [state('api#0', 1_000, { rssBytes: 10, cpuPercent: 1 }), state('api#1', 1_000, 'not json'), state('db#0', 1_000, { rssBytes: null, cpuPercent: null })];
  let failing = false;
  const history = new ResourceHistory({ listElementStates: async () => (failing ? Promise.reject(new Error('down')) : states) }, { now: () => 5_000 });
  await history.sampleOnce();
  await history.sampleOnce();
  const [rss] = history.series.find(RSS_SERIES, { instance: 'api#0' });
  assert.deepEqual(history.series.points(rss!.key), [{ at: 1_000, value: 10 }], 'the same state twice is one point');
  assert.equal(history.series.find(RSS_SERIES, { instance: 'api#1' }).length, 0);
  assert.equal(history.series.find(CPU_SERIES, { service: 'db' }).length, 0, 'no process, no point');
  states = [state('api#0', 3_000, { rssBytes: 12, cpuPercent: 4 })];
  failing = true;
  await history.sampleOnce();
  failing = false;
  await history.sampleOnce();
  assert.deepEqual(history.series.points(rss!.key).map((p) => p.value), [10, 12]);
  assert.deepEqual(history.series.points(history.series.find(CPU_SERIES, { instance: 'api#0' })[0]!.key).map((p) => p.value), [1, 4]);
});

test('ResourceHistory drops points past its retention', async () => {
  let now = 0;
  const history = new ResourceHistory({ listElementStates: async () => [state('api#0', now, { rssBytes: now, cpuPercent: 0 })] }, { retentionMs: 1_000, now: () => now });
  for (now = 0; now <= 3_000; now += 500) await history.sampleOnce();
  const [rss] = history.series.find(RSS_SERIES);
  assert.deepEqual(history.series.points(rss!.key).map((p) => p.at), [2_000, 2_500, 3_000]);
});
