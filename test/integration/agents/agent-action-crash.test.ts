// An agent's action is run at most once even when the controller dies in the middle of it:
// a worker is SIGKILLed while a restart and a scale to 2 replicas are in flight; the worker
// that takes the runs over does not restart again (not safe twice: `uncertain`), and sets
// the replica count again (an absolute count: harmless twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentActionWorkflow, type AgentActionOutput } from '../../../src/execute/agent-action-workflow.js';
import { Knowledge } from '../../../src/knowledge/knowledge.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { Engine } from '../../../src/workflow/engine.js';
import { ChildGroup } from '../helpers/child.js';

const WORKER = new URL('./fixtures/agent-action-worker.js', import.meta.url);

test('agent actions: after a crash mid-action, a restart is not repeated (uncertain) and a scale to a count is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-agent-action-crash-'));
  const path = join(dir, 'homeostat.db');
  const children = new ChildGroup();
  let engine: Engine | undefined;
  const store = SqliteStore.open(path);
  try {
    const worker = children.spawn(WORKER, [path, 'r1:restart', 's1:scale']);
    await worker.waitForLine((line) => line.type === 'acting' && line.action === 'restart', 15_000, 'the restart in flight');
    await worker.waitForLine((line) => line.type === 'acting' && line.action === 'scale', 15_000, 'the scale in flight');
    await worker.kill();

    const ran: string[] = [];
    const workflow = agentActionWorkflow({
      knowledge: new Knowledge(store),
      actuator: {
        execute: async (action, target) => {
          ran.push(`${action.action} ${target.service}`);
          return { ok: true, detail: `${action.action} ${target.service} again` };
        },
      },
    });
    engine = await Engine.open({ store, workflows: [workflow as never], worker: { leaseMs: 300, heartbeatIntervalMs: 100 } });
    const restart = (await engine.start(workflow, undefined as never, { id: 'agent-action:ops-bot:r1' })).result({ timeout: 20_000 }) as Promise<AgentActionOutput>;
    const scale = (await engine.start(workflow, undefined as never, { id: 'agent-action:ops-bot:s1' })).result({ timeout: 20_000 }) as Promise<AgentActionOutput>;
    const [restarted, scaled] = await Promise.all([restart, scale]);
    assert.equal(restarted.status, 'uncertain', restarted.detail);
    assert.match(restarted.detail, /may or may not have taken effect: not repeated/);
    assert.equal(scaled.status, 'done');
    assert.deepEqual(ran, ['scale api'], 'the restart was not run again');
  } finally {
    await children.killAll();
    await engine?.close(500);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
