// Reassignment with real agent processes: an agent SIGKILLed mid-task, one frozen by
// SIGSTOP whose late answer after SIGCONT is fenced off, and a task that kills every agent
// it meets going to the dead-letter queue with its history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentHarness } from './agent-harness.js';

// The same on both stores: the embedded default and PostgreSQL (a fresh schema of the shared server).
for (const storeKind of ['sqlite', 'postgres'] as const) {
  const open = (options: { maxLapses?: number } = {}) => AgentHarness.open({ ...options, postgres: storeKind === 'postgres' });

  test(`${storeKind}: SIGKILL an agent mid-task: its lease lapses and the task completes on another capable agent`, async () => {
    const h = await open();
    try {
      const doomed = await h.spawnAgent('doomed', { workMs: 60_000 });
      const run = await h.start('kill');
      const claimed = await doomed.child.waitForLine((line) => line.type === 'claimed', 10_000, 'doomed claimed the task');
      await h.spawnAgent('rescuer', { workMs: 50 });
      await doomed.child.kill();
      const output = (await run.result({ timeout: '20s' })) as { found: { by: string; generation: number } };
      assert.deepEqual(output.found, { by: 'rescuer', input: { topic: 'kill' }, generation: 2 });
      assert.deepEqual(await h.history(String(claimed.id)), ['created:-:0', 'claimed:doomed:1', 'lapsed:doomed:1', 'claimed:rescuer:2', 'completed:rescuer:2']);
    } finally {
      await h.close();
    }
  });

  test(`${storeKind}: SIGSTOP an agent mid-task: the task completes elsewhere; after SIGCONT its late answer is refused — exactly one result`, async () => {
    const h = await open();
    try {
      // Long enough that the test stops it before it could answer, even on a loaded machine; short enough to answer soon after SIGCONT.
      const frozen = await h.spawnAgent('frozen', { workMs: 4_000 });
      const run = await h.start('stop');
      const claimed = await frozen.child.waitForLine((line) => line.type === 'claimed', 10_000, 'frozen claimed the task');
      frozen.child.signal('SIGSTOP');
      const rescuer = await h.spawnAgent('rescuer', { workMs: 50 });
      const output = (await run.result({ timeout: '20s' })) as { found: { by: string; generation: number } };
      assert.deepEqual(output.found, { by: 'rescuer', input: { topic: 'stop' }, generation: 2 });
      frozen.child.signal('SIGCONT');
      const refused = await frozen.child.waitForLine((line) => line.type === 'refused', 15_000, 'the frozen agent\'s late answer refused');
      assert.deepEqual({ code: refused.code, generation: refused.generation }, { code: 'HS_AGENT_TASK_FENCED', generation: 1 });
      assert.match(String(refused.message), /does not hold task .* under generation 1: its lease lapsed and the task is at generation 2 now, held by rescuer/);
      const history = await h.history(String(claimed.id));
      assert.deepEqual(history.filter((entry) => entry.startsWith('completed')), ['completed:rescuer:2'], 'one result accepted');
      assert.ok(history.includes('refused:frozen:1'), `the refusal is in the task's history: ${history.join(', ')}`);
      assert.equal(frozen.child.linesOf('completed').length, 0);
      assert.equal(rescuer.child.linesOf('completed').length, 1);
      const task = (await h.store.getAgentTask(String(claimed.id)))!;
      assert.deepEqual({ status: task.status, agent: task.agent, result: JSON.parse(task.result!) as unknown }, { status: 'completed', agent: 'rescuer', result: { by: 'rescuer', input: { topic: 'stop' }, generation: 2 } });
    } finally {
      await h.close();
    }
  });

  test(`${storeKind}: a task that killed maxLapses agents is dead-lettered with its history, and its run fails saying so`, async () => {
    const h = await open({ maxLapses: 2 });
    try {
      const first = await h.spawnAgent('victim-1', { workMs: 60_000 });
      const run = await h.start('poison');
      const claimed = await first.child.waitForLine((line) => line.type === 'claimed', 10_000, 'victim-1 claimed the task');
      await first.child.kill();
      const second = await h.spawnAgent('victim-2', { workMs: 60_000 });
      await second.child.waitForLine((line) => line.type === 'claimed', 10_000, 'victim-2 claimed the task');
      await second.child.kill();
      await assert.rejects(run.result({ timeout: '20s' }), /was dead-lettered: the task's lease lapsed 2 times \(maxLapses 2\); last held by victim-2/);
      assert.equal((await h.store.getRun(run.id))!.error?.code, 'HS_AGENT_TASK_DEAD_LETTERED');
      const dead = await h.store.listAgentTasks({ status: 'dead' });
      assert.deepEqual(dead.map((task) => task.id), [String(claimed.id)]);
      assert.deepEqual(await h.history(String(claimed.id)), ['created:-:0', 'claimed:victim-1:1', 'lapsed:victim-1:1', 'claimed:victim-2:2', 'lapsed:victim-2:2', 'dead-lettered:victim-2:2']);
    } finally {
      await h.close();
    }
  });
}
