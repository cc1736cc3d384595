import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../store/open-store.js';
import { setAgentQuarantine } from './agent-actions.js';

test('agent rungs: quarantine requeues the agent\'s tasks and keeps it from claiming, release lets it claim again; other targets are refused', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    await store.registerAgent({ name: 'adder-3', capabilities: ['add'], version: '1', capacity: 2, owner: 'team', heartbeatMs: 200, tokenId: 't3' }, 1_000);
    await store.createAgentTask({ id: 'run:1', runId: 'run', name: 'sum', capability: 'add', input: '{}', leaseMs: 60_000, maxLapses: 3, createdAt: 1_000 });
    assert.equal((await store.claimAgentTasks('adder-3', 1_100))!.tasks.length, 1);
    const target = { incidentId: 'inc-1', service: 'agent:adder-3', requestId: 'remediate:agent:adder-3:inc-1:0:1' };
    const quarantined = await setAgentQuarantine(store, { action: 'quarantine' }, target, 2_000);
    assert.deepEqual(quarantined, { ok: true, detail: 'quarantined agent adder-3: it claims no task on any dispatcher of the store; its 1 task(s) in flight went back to the queue (run:1)' });
    assert.deepEqual(await store.listAgentQuarantines(), [{ agent: 'adder-3', quarantined: true, reason: 'incident inc-1 (remediate:agent:adder-3:inc-1:0:1)', changedBy: 'controller', changedAt: 2_000 }]);
    assert.equal((await store.getAgentTask('run:1'))!.status, 'queued');
    assert.deepEqual((await store.claimAgentTasks('adder-3', 2_100))!.tasks, [], 'quarantined: it claims nothing');
    assert.equal((await setAgentQuarantine(store, { action: 'quarantine' }, target, 2_200)).detail.endsWith('it held no task'), true, 'a second time changes nothing more');

    assert.equal((await setAgentQuarantine(store, { action: 'release' }, target, 3_000)).ok, true);
    assert.equal((await store.claimAgentTasks('adder-3', 3_100))!.tasks.length, 1, 'released: it claims again');

    assert.deepEqual(await setAgentQuarantine(store, { action: 'quarantine' }, { incidentId: 'inc-2', service: 'api' }, 4_000), { ok: false, detail: 'quarantine acts on an agent (element agent:<name>), not on api' });
    assert.deepEqual(await setAgentQuarantine(store, { action: 'quarantine' }, { incidentId: 'inc-3', service: 'agent:nobody' }, 4_000), { ok: false, detail: 'quarantine: no agent "nobody" is registered' });
    assert.equal((await store.listAgentQuarantines()).length, 1, 'nothing written for a refused rung');
  } finally {
    await store.close();
  }
});

test('an operator\'s quarantine is the operator\'s: the loop neither takes it over nor releases it; a person does', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    await store.registerAgent({ name: 'a1', capabilities: ['add'], version: '1', capacity: 1, owner: 'team', heartbeatMs: 200, tokenId: 't1' }, 1_000);
    const target = { incidentId: 'inc-1', service: 'agent:a1' };
    await store.quarantineAgent('a1', 'answers look wrong', 'api:alice', 2_000);
    const loopQuarantine = await setAgentQuarantine(store, { action: 'quarantine' }, target, 2_100);
    assert.match(loopQuarantine.detail, /already quarantined by api:alice, whose quarantine it stays/);
    const loopRelease = await setAgentQuarantine(store, { action: 'release' }, target, 2_200);
    assert.deepEqual(loopRelease, { ok: false, detail: 'left agent a1 quarantined: api:alice quarantined it, and only an operator releases it (homeostat agents release a1)' });
    assert.deepEqual((await store.listAgentQuarantines()).map((q) => [q.quarantined, q.changedBy, q.reason]), [[true, 'api:alice', 'answers look wrong']], 'unchanged');
    assert.deepEqual(await store.releaseAgent('a1', 'checked', 'operator:bob', 2_300), { released: true, heldBy: 'api:alice' }, 'another person may');
    assert.deepEqual(await store.releaseAgent('a1', 'again', 'operator:bob', 2_400), { released: false, heldBy: null }, 'nothing to release twice');
    // The loop's own quarantine stays the loop's to release; a person may take it over.
    await setAgentQuarantine(store, { action: 'quarantine' }, target, 3_000);
    await store.quarantineAgent('a1', 'keep it out', 'operator:bob', 3_100);
    assert.equal((await setAgentQuarantine(store, { action: 'release' }, target, 3_200)).ok, false, 'taken over by a person: the loop cannot release it');
  } finally {
    await store.close();
  }
});
