import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Symptom } from '../analyze/symptom.js';
import { TerminalError } from '../resilience/terminal-error.js';
import type { RunRecord } from '../store/records.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { defineWorkflow } from '../workflow/define-workflow.js';
import { Engine } from '../workflow/engine.js';
import { symptomOfRun, WorkflowWatch } from './workflow-watch.js';

test('a failed workflow run becomes a workflow-failed symptom on its element, once', async () => {
  const store = SqliteStore.open(':memory:');
  const failing = defineWorkflow('orders.fulfil', async (ctx) => {
    await ctx.step('charge', () => {
      throw new TerminalError('card declined');
    });
  });
  const ok = defineWorkflow('homeostat.internal', async () => 'fine');
  const engine = await Engine.open({ store, workflows: [failing as never, ok as never] });
  try {
    const seen: Symptom[] = [];
    const watch = new WorkflowWatch({ store, observe: (s) => seen.push(s), since: 0 });
    const run = await engine.start('orders.fulfil', {}, { id: 'order-1' });
    await assert.rejects(run.result({ timeout: 5_000 }));
    await watch.poll();
    await watch.poll();
    assert.equal(seen.length, 1, 'reported once');
    assert.equal(seen[0]!.name, 'workflow-failed');
    assert.equal(seen[0]!.element, 'workflow:orders.fulfil');
    assert.deepEqual(seen[0]!.labels, { workflow: 'orders.fulfil', status: 'failed' });
    assert.match(String(seen[0]!.signal.message), /run order-1 failed: .*card declined/);
  } finally {
    await engine.close(1_000);
    await store.close();
  }
});

test('a parked (dead-lettered) run is workflow-dead-lettered', () => {
  const run = { id: 'r1', workflow: 'w', status: 'parked', generation: 0, error: { name: 'E', message: 'history mismatch', code: 'HS_NONDETERMINISM' }, finishedAt: 5, updatedAt: 5 } as unknown as RunRecord;
  const symptom = symptomOfRun(run);
  assert.equal(symptom.name, 'workflow-dead-lettered');
  assert.match(String(symptom.signal.message), /run r1 was dead-lettered \(parked\): HS_NONDETERMINISM: history mismatch/);
});
