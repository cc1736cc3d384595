import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load-config.js';
import { AutonomicLoop } from '../../../src/controller/autonomic-loop.js';
import { WorkflowWatch } from '../../../src/controller/workflow-watch.js';
import type { ElementControl } from '../../../src/execute/element-control.js';
import { Knowledge } from '../../../src/knowledge/knowledge.js';
import { TerminalError } from '../../../src/resilience/terminal-error.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { defineWorkflow } from '../../../src/workflow/define-workflow.js';
import { Engine } from '../../../src/workflow/engine.js';
import { waitUntil } from '../helpers/wait.js';
import { tempDir } from '../temp-store.js';

test('engine events → symptoms: a failed run of a workflow opens an incident on the element workflow:<name>', async () => {
  const tmp = tempDir('homeostat-wf-symptoms-');
  const store = SqliteStore.open(tmp.dbPath);
  const { config } = parseConfig('services:\n  api: { command: node, args: [x.js] }\n', { file: `${tmp.dir}/homeostat.yaml` });
  const knowledge = new Knowledge(store);
  const fulfil = defineWorkflow('orders.fulfil', async (ctx) => {
    await ctx.step('charge', () => {
      throw new TerminalError('card declined');
    });
  });
  const engine = await Engine.open({ store, workflows: [fulfil as never] });
  const control: ElementControl = { instances: () => [], isHealthy: () => true, restart: async () => undefined, stopStart: async () => undefined, scale: async () => undefined };
  const loop = new AutonomicLoop({ config, knowledge, engine, control });
  loop.start();
  const watch = new WorkflowWatch({ store, observe: (symptom) => loop.observe(symptom), everyMs: 50, since: 0 });
  watch.start();
  try {
    await assert.rejects((await engine.start('orders.fulfil', {}, { id: 'order-7' })).result({ timeout: 5_000 }));
    await waitUntil(async () => (await store.listIncidents({ element: 'workflow:orders.fulfil' })).some((i) => i.status === 'escalated'), { timeoutMs: 5_000, message: 'the incident on workflow:orders.fulfil' });
    const [incident] = await store.listIncidents({ element: 'workflow:orders.fulfil' });
    assert.equal(incident!.symptom, 'workflow-failed');
    const explained = (await knowledge.incidents.explain(incident!.id))!;
    assert.ok(explained.entries.some((e) => e.kind === 'signal' && /run order-7 failed: .*card declined/.test(String(e.data.message))), JSON.stringify(explained.entries));
  } finally {
    watch.stop();
    await loop.stop();
    await engine.close(500);
    await store.close();
    tmp.cleanup();
  }
});
