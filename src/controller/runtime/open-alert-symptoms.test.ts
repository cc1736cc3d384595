import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Knowledge } from '../../knowledge/knowledge.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { assumeOpenAlertSymptoms } from './open-alert-symptoms.js';

test('the alert symptoms of open incidents are assumed firing; other symptoms and resolved incidents are not', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    const { incident: web } = await knowledge.incidents.open({ key: 'web', element: 'web', symptom: 'HighErrors', summary: 'test' });
    await knowledge.incidents.recordMany(web.id, [
      { kind: 'symptom', data: { name: 'HighErrors', element: 'web', at: 1, labels: { source: 'alertmanager', node: 'n1' } } },
      { kind: 'symptom', data: { name: 'QueueStuck', element: 'worker', at: 2, labels: { source: 'webhook' } } },
      { kind: 'symptom', data: { name: 'process-crashed', element: 'web', at: 3, labels: { node: 'n1' } } },
      { kind: 'symptom', data: { name: 'app-errors', element: 'web', at: 4, labels: {} } },
    ]);
    const { incident: old } = await knowledge.incidents.open({ key: 'db', element: 'db', symptom: 'DbDown', summary: 'test' });
    await knowledge.incidents.record(old.id, 'symptom', { name: 'DbDown', element: 'db', at: 5, labels: { source: 'alertmanager' } });
    await knowledge.incidents.resolve(old.id, { resolution: 'operator', by: 'cli:alice', summary: 'fixed' });

    const assumed: string[] = [];
    assert.equal(await assumeOpenAlertSymptoms(knowledge, { assumeFiring: (service, symptom) => assumed.push(`${symptom} on ${service}`) }), 2);
    assert.deepEqual(assumed.sort(), ['HighErrors on web', 'QueueStuck on worker']);
  } finally {
    await store.close();
  }
});
