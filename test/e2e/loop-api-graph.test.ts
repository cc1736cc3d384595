import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiHarness } from './api-harness.js';

test('GET /api/services carries each service\'s dependsOn and standby (from the applied config version); GET /api/incidents/:id its parsed diagnosis', async () => {
  const h = await ApiHarness.open();
  try {
    await h.store.saveElementStates('sup', [
      { instance: 'api#0', element: 'api', owner: 'sup', state: 'running', health: 'healthy', data: '{}', updatedAt: 1 },
      { instance: 'db#0', element: 'db', owner: 'sup', state: 'running', health: 'healthy', data: '{}', updatedAt: 1 },
    ]);
    const before = await h.call('viewer', 'GET', '/api/services');
    assert.deepEqual(before.json.services.map((s: { name: string; dependsOn: string[] }) => [s.name, s.dependsOn]), [['api', []], ['db', []]]);
    await h.knowledge.configVersions.applied('services:\n  api: { command: node, dependsOn: [db] }\n  db: { command: node }\n', 'test');
    const after = await h.call('viewer', 'GET', '/api/services');
    assert.deepEqual(after.json.services.map((s: { name: string; dependsOn: string[] }) => [s.name, s.dependsOn]), [['api', ['db']], ['db', []]]);
    assert.deepEqual((await h.call('viewer', 'GET', '/api/services/api')).json.dependsOn, ['db']);
    assert.deepEqual(after.json.services.map((s: { standby: string | null }) => s.standby), [null, null]);
    // Both spellings of a standby: a name, or { service, after }.
    await h.knowledge.configVersions.applied('services:\n  api: { command: node, standby: { service: db, after: 1s } }\n  db: { command: node, standby: api }\n', 'test');
    const paired = await h.call('viewer', 'GET', '/api/services');
    assert.deepEqual(paired.json.services.map((s: { name: string; standby: string | null }) => [s.name, s.standby]), [['api', 'db'], ['db', 'api']]);

    const { incident } = await h.knowledge.incidents.open({ key: 'api', element: 'db', symptom: 'api-errors', summary: 'api errors' });
    const candidates = [{ element: 'db', kind: 'element' as const, score: 1.2, confidence: 0.7, evidence: ['its own symptom: liveness-failing on db#0'] }];
    await h.knowledge.incidents.setDiagnosis(incident.id, { cause: 'liveness-failing', confidence: 0.7, evidence: [], candidates, classification: 'transient' });
    const shown = await h.call('viewer', 'GET', `/api/incidents/${incident.id}`);
    assert.equal(shown.json.diagnosis.candidates[0].element, 'db');
    assert.equal(shown.json.diagnosis.classification, 'transient');
  } finally {
    await h.close();
  }
});
