import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/workflow/engine.js';
import { UpHarness } from './loop-harness.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/**
 * A user workflow run fails on a transient cause; the policy's `redrive` rung redrives it
 * from the failed step on the leader's worker (the workflow loaded by `up` itself), waits for
 * it to complete, and the incident resolves — the finished step is not run again.
 */
test('redrive: a failed run of a workflow up loads is redriven by the policy, completes, and the incident resolves', async () => {
  const h = new UpHarness(`workflows:
  modules: [${join(FIXTURES, 'import-workflow.js')}]
policies:
  failed-imports:
    match: { symptom: [workflow-failed] }
    ladder: [{ action: redrive, timeout: 30s }]
    verify: { healthyFor: 200ms, timeout: 10s }
`);
  const failOnce = join(h.dir, 'fail-once');
  const imported = join(h.dir, 'imported');
  writeFileSync(failOnce, 'the upstream feed is down for one attempt');
  try {
    await h.up();
    const started = await h.cli('start', 'import-orders', '--id', 'import-1', '--input', JSON.stringify({ failOnce, imported }));
    assert.equal(started.status, 0, started.out);
    const incident = await h.waitForIncident((i) => i.element === 'workflow:import-orders', 20_000, 'the incident about the failed run');
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 40_000, 'the incident resolved by the redrive');
    assert.equal(resolved.resolvedBy, 'redrive workflow:import-orders');
    assert.equal(readFileSync(imported, 'utf8'), 'batch-1\n', 'imported once, by the redriven run');

    const engine = await Engine.open({ store: h.db(), worker: false });
    try {
      const run = await engine.describe('import-1');
      assert.equal(run.run.status, 'completed');
      assert.deepEqual(JSON.parse(String(run.run.output)), { imported: 'batch-1' });
    } finally {
      await engine.close();
    }
    const action = (await h.knowledge().incidents.explain(incident.id))!.entries.find((e) => e.kind === 'action')!;
    assert.equal(action.data.ok, true);
    assert.match(String(action.data.detail), /redrove import-1; completed: import-1/);
  } finally {
    await h.close();
  }
});
