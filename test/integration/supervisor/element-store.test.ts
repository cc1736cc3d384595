import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../temp-store.js';

test('SQLite: events append in order and page by id; element states replace per owner', async () => {
  const tmp = tempDir('homeostat-elements-');
  const store = SqliteStore.open(tmp.dbPath);
  try {
    await store.appendEvents([]);
    await store.appendEvents(
      Array.from({ length: 5 }, (_, i) => ({ at: 1_000 + i, element: i % 2 ? 'api' : 'worker', kind: i === 4 ? 'crash-looping' : 'process-exited', data: JSON.stringify({ i }) })),
    );
    const all = await store.listEvents();
    assert.deepEqual(all.map((e) => e.at), [1_000, 1_001, 1_002, 1_003, 1_004]);
    assert.ok(all.every((e, i) => i === 0 || e.id > all[i - 1]!.id));
    assert.deepEqual((await store.listEvents({ limit: 2 })).map((e) => e.at), [1_003, 1_004], 'the latest, oldest first');
    assert.deepEqual((await store.listEvents({ sinceId: all[1]!.id, limit: 2 })).map((e) => e.at), [1_002, 1_003]);
    assert.deepEqual((await store.listEvents({ element: 'api' })).map((e) => e.at), [1_001, 1_003]);
    assert.deepEqual((await store.listEvents({ kinds: ['crash-looping'] })).map((e) => JSON.parse(e.data)), [{ i: 4 }]);

    const state = (instance: string, owner: string) => ({ instance, element: instance.split('#')[0]!, owner, state: 'running', health: 'healthy', data: '{}', updatedAt: 5 });
    await store.saveElementStates('a', [state('api#0', 'a'), state('api#1', 'a')]);
    await store.saveElementStates('b', [state('db#0', 'b')]);
    await store.saveElementStates('a', [state('api#0', 'a')]);
    assert.deepEqual((await store.listElementStates()).map((s) => `${s.owner}:${s.instance}`), ['a:api#0', 'b:db#0']);
  } finally {
    await store.close();
    tmp.cleanup();
  }
});
