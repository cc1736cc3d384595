import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeSeriesStore } from '../../monitor/time-series.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { ElementEvent } from '../../supervisor/element-events.js';
import { ActionEvidence } from './action-evidence.js';

const exited = (instance: string, at: number, code: number, lastLines: string[]): ElementEvent => ({ kind: 'process-exited', element: 'api', instance, at, pid: 10, code, signal: null, reason: 'exited', uptimeMs: 5, lastLines });

test('evidence joins stored exits with the ones not yet stored, once each, for the instance asked, with its metrics and state', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const stored = exited('api#0', 1_000, 1, ['stored line']);
    const { kind, element, at, ...data } = stored;
    await store.appendEvents([{ kind, element, at, data: JSON.stringify(data) }]);
    const series = new TimeSeriesStore();
    series.append('http_errors_total', { service: 'api', instance: 'api#0' }, 3, 1_000);
    series.append('http_errors_total', { service: 'api', instance: 'api#0' }, 9, 2_000);
    series.append('http_errors_total', { service: 'api', instance: 'api#1' }, 1, 2_000);
    const evidence = new ActionEvidence({
      store,
      series,
      status: () => [
        { element: 'api', instance: 'api#0', state: 'running', health: 'healthy', restarts: 2, rssBytes: 1_024, lastExit: null },
        { element: 'api', instance: 'api#1', state: 'running', health: 'healthy', restarts: 0, rssBytes: 2_048, lastExit: null },
      ],
      onDropped: () => assert.fail('nothing to drop'),
    });
    evidence.remember(stored);
    evidence.remember(exited('api#0', 3_000, 137, ['a', 'b', 'the last line']));
    evidence.remember({ kind: 'probe-changed', element: 'api', instance: 'api#0', at: 4_000 } as ElementEvent);
    const gathered = await evidence.gather('api', 'api#0');
    assert.deepEqual(gathered.recentExits, [
      { at: 1_000, kind: 'process-exited', code: 1, reason: 'exited' },
      { at: 3_000, kind: 'process-exited', code: 137, reason: 'exited' },
    ]);
    assert.deepEqual(gathered.lastLines, ['a', 'b', 'the last line']);
    assert.deepEqual(Object.values(gathered.metrics as Record<string, number>), [9]);
    assert.deepEqual(gathered.states, [{ instance: 'api#0', state: 'running', health: 'healthy', restarts: 2, rssBytes: 1_024, lastExit: null }]);
    const whole = await evidence.gather('api');
    assert.equal((whole.states as unknown[]).length, 2, 'every replica of the service');
    assert.deepEqual(await evidence.gather('db'), { lastLines: [], recentExits: [], metrics: {}, states: [] });
  } finally {
    await store.close();
  }
});

test('one exit per instance is remembered, at most 1000 instances: the oldest instance is forgotten and counted', async () => {
  let dropped = 0;
  const evidence = new ActionEvidence({ store: { listEvents: async () => [] }, series: new TimeSeriesStore(), status: () => [], onDropped: () => dropped++ });
  for (let n = 0; n < 1_001; n++) evidence.remember(exited(`api#${n}`, n, 1, [`line ${n}`]));
  evidence.remember(exited('api#1000', 5_000, 2, ['again']));
  assert.equal(dropped, 1);
  assert.deepEqual((await evidence.gather('api', 'api#0')).recentExits, [], 'forgotten');
  assert.deepEqual((await evidence.gather('api', 'api#1')).lastLines, ['line 1']);
  assert.deepEqual((await evidence.gather('api', 'api#1000')).recentExits, [{ at: 5_000, kind: 'process-exited', code: 2, reason: 'exited' }], 'the latest exit of an instance replaces its earlier one');
  const lines = Array.from({ length: 30 }, (_, n) => `l${n}`);
  evidence.remember(exited('api#7', 6_000, 1, lines));
  assert.deepEqual((await evidence.gather('api', 'api#7')).lastLines, lines.slice(-20), 'the last 20 lines');
});
