import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../store/open-store.js';
import { setProviderState } from './provider-actions.js';

test('provider rungs: drain, limit and restore write the provider\'s state to the store, attributed to the incident; other targets are refused', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    const target = { incidentId: 'inc-1', service: 'provider:openai', requestId: 'remediate:provider:openai:inc-1:0:1' };
    const known = ['openai', 'claude'];
    const drained = await setProviderState(store, { action: 'drain' }, target, 1_000, known);
    assert.equal(drained.ok, true);
    assert.match(drained.detail, /^drained provider openai/);
    assert.deepEqual(await store.listModelProviderStates(), [{ provider: 'openai', drained: true, maxConcurrency: null, reason: 'incident inc-1 (remediate:provider:openai:inc-1:0:1)', changedBy: 'controller', changedAt: 1_000 }]);

    assert.equal((await setProviderState(store, { action: 'limit', concurrency: 2 }, target, 2_000, known)).ok, true);
    assert.deepEqual((await store.listModelProviderStates()).map((s) => [s.drained, s.maxConcurrency, s.changedAt]), [[false, 2, 2_000]]);
    assert.equal((await setProviderState(store, { action: 'restore' }, target, 3_000, known)).ok, true);
    assert.deepEqual((await store.listModelProviderStates()).map((s) => [s.drained, s.maxConcurrency, s.changedAt]), [[false, null, 3_000]]);

    const service = await setProviderState(store, { action: 'drain' }, { incidentId: 'inc-2', service: 'api' }, 4_000, known);
    assert.deepEqual(service, { ok: false, detail: 'drain acts on a model provider (element provider:<name>), not on api' });
    const unknown = await setProviderState(store, { action: 'drain' }, { incidentId: 'inc-3', service: 'provider:mistral' }, 4_000, known);
    assert.equal(unknown.ok, false);
    assert.match(unknown.detail, /no model provider "mistral"/);
    assert.equal((await store.listModelProviderStates()).length, 1, 'nothing written for a refused rung');
  } finally {
    await store.close();
  }
});
