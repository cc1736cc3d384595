// Bad task definitions are refused with a clear error before anything is queued.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentTasks, type AgentTaskOptions } from '../../../src/agents/agent-tasks.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { defineWorkflow } from '../../../src/workflow/define-workflow.js';
import { Engine } from '../../../src/workflow/engine.js';
import { tempDir } from '../temp-store.js';

test('a task with a malformed capability, maxLapses below 1 or a lease under 1 ms fails its run with HS_AGENT_TASK_INVALID, naming the option; nothing is queued', async () => {
  const temp = tempDir('homeostat-agent-defs-');
  const store = SqliteStore.open(temp.dbPath);
  const agents = createAgentTasks(store);
  const bad = defineWorkflow('agents-bad-definition', async (ctx, options: AgentTaskOptions) => agents.task(ctx, 'research', options));
  const engine = await Engine.open({ store, workflows: [bad as never] });
  try {
    const cases: [AgentTaskOptions, RegExp][] = [
      [{ capability: 'has space', input: 1 }, /task "research": capability must be 1 to 100 letters, digits, '\.', '_', ':' or '-', got "has space"/],
      [{ capability: '', input: 1 }, /capability must be .* got ""/],
      [{ capability: 'research', input: 1, maxLapses: 0 }, /task "research": maxLapses must be a whole number ≥ 1, got 0/],
      [{ capability: 'research', input: 1, maxLapses: 1.5 }, /maxLapses must be a whole number ≥ 1, got 1\.5/],
      [{ capability: 'research', input: 1, lease: 0 }, /task "research": the lease must be at least 1 ms/],
    ];
    for (const [options, message] of cases) {
      const run = await engine.start(bad, options);
      await assert.rejects(run.result({ timeout: '10s' }), message);
      assert.equal((await store.getRun(run.id))!.error?.code, 'HS_AGENT_TASK_INVALID', JSON.stringify(options));
    }
    assert.deepEqual(await store.listAgentTasks(), [], 'no task was queued');
  } finally {
    await engine.close(500);
    await store.close();
    temp.cleanup();
  }
});
