import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardrailsSchema } from '../config/schema/policies.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { Guardrails } from './guardrails.js';

const config = guardrailsSchema.parse({ blastRadius: { maxReplicas: 1 } });

test('blast radius survives a controller restart: the replica under remediation is remembered until released', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    const before = new Guardrails(config, knowledge);
    assert.equal((await before.check({ service: 'api', instance: 'api#0', replicas: 3, dryRun: false })).allowed, true);

    // The controller restarts: a fresh Guardrails over the same store.
    const after = new Guardrails(config, knowledge);
    const denied = await after.check({ service: 'api', instance: 'api#1', replicas: 3, dryRun: false });
    assert.equal(denied.allowed, false);
    assert.match(JSON.stringify(denied.results), /1 of api's replicas under remediation \(api#0\); this action would make 2, limit 1/);

    // The resumed remediation of api#0 finishes and releases it: saved, so the next restart knows.
    after.release('api', 'api#0');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = new Guardrails(config, knowledge);
    assert.equal((await again.check({ service: 'api', instance: 'api#1', replicas: 3, dryRun: false })).allowed, true);
  } finally {
    await store.close();
  }
});

test('a batch counts every replica in it for the blast radius, and only the first batch is charged to the budget', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const guardrails = new Guardrails(guardrailsSchema.parse({ blastRadius: { maxReplicas: 2 }, budgets: { perElement: { max: 1, window: 3_600_000 } } }), new Knowledge(store));
    const first = await guardrails.check({ service: 'api', instances: ['api#0'], replicas: 4, dryRun: false });
    assert.equal(first.allowed, true);
    guardrails.release('api', 'api#0');
    const second = await guardrails.check({ service: 'api', instances: ['api#1', 'api#2'], replicas: 4, dryRun: false, chargeBudget: false });
    assert.equal(second.allowed, true, JSON.stringify(second.results));
    const third = await guardrails.check({ service: 'api', instances: ['api#3'], replicas: 4, dryRun: false, chargeBudget: false });
    assert.equal(third.allowed, false);
    assert.match(JSON.stringify(third.results), /would make 3, limit 2/);
  } finally {
    await store.close();
  }
});

test('a new config version changes the guardrails from the next check on; the budget keeps what it spent', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const guardrails = new Guardrails(guardrailsSchema.parse({ budgets: { perElement: { max: 1, window: 3_600_000 } } }), new Knowledge(store));
    assert.equal((await guardrails.check({ service: 'api', instance: 'api#0', replicas: 1, dryRun: false })).allowed, true);
    guardrails.release('api', 'api#0');
    assert.equal((await guardrails.check({ service: 'api', instance: 'api#0', replicas: 1, dryRun: false })).allowed, false, 'the budget of 1 is spent');

    guardrails.reconfigure(guardrailsSchema.parse({ budgets: { perElement: { max: 3, window: 3_600_000 } } }));
    const raised = await guardrails.check({ service: 'api', instance: 'api#0', replicas: 1, dryRun: false });
    assert.equal(raised.allowed, true);
    assert.match(JSON.stringify(raised.results), /1 of 3 left on api/, 'the action spent before the change still counts');
    guardrails.release('api', 'api#0');

    guardrails.reconfigure(guardrailsSchema.parse({ dryRun: true }));
    const dry = await guardrails.check({ service: 'api', instance: 'api#0', replicas: 1, dryRun: false });
    assert.equal(dry.dryRun, true, 'a dry-run switched on by the new version applies at once');
  } finally {
    await store.close();
  }
});
