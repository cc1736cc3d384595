// Task graphs with real agent processes: fan-out to three agent tasks and a fan-in, bad
// graphs (a cycle, an unknown capability) rejected before anything runs, per-task retries
// and compensation, and a planner's expansion surviving a SIGKILL of the worker running it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildGroup } from '../helpers/child.js';
import { AgentHarness } from './agent-harness.js';
import { graphWorkflows } from './fixtures/graph-workflows.js';

const GRAPH_WORKER = new URL('./fixtures/graph-worker.js', import.meta.url);

for (const storeKind of ['sqlite', 'postgres'] as const) test(`${storeKind}: fan-out to three agent tasks on three agents, fan-in with their outputs`, async () => {
  const h = await AgentHarness.open({ postgres: storeKind === 'postgres', workflows: (store) => graphWorkflows(store) });
  try {
    // Each agent takes one task at a time and holds it 1.5 s: three tasks at once need all three agents.
    const agents = await Promise.all(['r1', 'r2', 'r3'].map((name) => h.spawnAgent(name, { workMs: 1_500 })));
    const run = await h.engine.start('graph-fanout', { topic: 'tides' });
    const result = (await run.result({ timeout: '30s' })) as { states: Record<string, string>; outputs: Record<string, { by: string; input: { params: { part: string } } } | string[]> };
    assert.deepEqual(result.states, { history: 'completed', science: 'completed', economics: 'completed', merge: 'completed' });
    assert.deepEqual(result.outputs.merge, ['economics', 'history', 'science'], 'the fan-in saw the three outputs');
    const parts = ['history', 'science', 'economics'].map((id) => (result.outputs[id] as { input: { params: { part: string } } }).input.params.part);
    assert.deepEqual(parts, ['history', 'science', 'economics'], 'each agent task got its own params');
    const claimedBy = agents.map((agent) => agent.child.linesOf('claimed').length);
    assert.deepEqual(claimedBy, [1, 1, 1], 'the three tasks ran on the three agents at once');
    const tasks = await h.store.listAgentTasks({ runId: run.id });
    assert.equal(tasks.length, 3, 'three agent tasks, each dispatched once');
    const waves = (await h.store.listSteps(run.id)).filter((step) => step.name.startsWith('graph:fanout:wave:')).map((step) => step.name);
    assert.deepEqual(waves, ['graph:fanout:wave:1', 'graph:fanout:wave:2'], 'the three in one wave, the fan-in in the next');
  } finally {
    await h.close();
  }
});

test('a cycle and an unknown capability are rejected before any task is queued, naming the tasks', async () => {
  const h = await AgentHarness.open({ workflows: (store) => graphWorkflows(store) });
  try {
    await h.spawnAgent('r1');
    const cycle = await h.engine.start('graph-data', { name: 'loop', tasks: [{ id: 'a', capability: 'research', dependsOn: ['c'] }, { id: 'b', capability: 'research', dependsOn: ['a'] }, { id: 'c', capability: 'research', dependsOn: ['b'] }] });
    await assert.rejects(cycle.result({ timeout: '20s' }), /task graph "loop": tasks "a" form a dependency cycle: a → c → b → a/);
    const typo = await h.engine.start('graph-data', { name: 'typo', tasks: [{ id: 'a', capability: 'research' }, { id: 'b', capability: 'reserch', dependsOn: ['a'] }] });
    await assert.rejects(typo.result({ timeout: '20s' }), /task graph "typo": task "b" needs capability "reserch", which no agent has ever registered \(known: research\)/);
    const dangling = await h.engine.start('graph-data', { name: 'dangling', tasks: [{ id: 'a', capability: 'research', dependsOn: ['nope'] }] });
    await assert.rejects(dangling.result({ timeout: '20s' }), /task "a" depends on "nope", which is not a task of the graph/);
    for (const run of [cycle, typo, dangling]) {
      const start = (await h.store.listSteps(run.id)).find((step) => step.name.endsWith(':start'));
      assert.equal(start?.error?.code, 'HS_TASK_GRAPH_INVALID', `${run.id}: the graph's start step failed with the graph error`);
      assert.deepEqual(await h.store.listAgentTasks({ runId: run.id }), [], `${run.id}: nothing was queued`);
    }
  } finally {
    await h.close();
  }
});

test('a task failing past its retries fails the graph, cancels what had not started, and compensates what completed', async () => {
  const compensated: string[] = [];
  const h = await AgentHarness.open({ workflows: (store) => graphWorkflows(store, { onCompensate: (task) => compensated.push(task) }) });
  try {
    await h.spawnAgent('broke', { capabilities: ['pay'], fail: true });
    const run = await h.engine.start('graph-saga', {});
    await assert.rejects(run.result({ timeout: '30s' }), /task graph "saga": task "charge" failed after 2 attempts: failed on agent broke: broke cannot do/);
    const tasks = await h.store.listAgentTasks({ runId: run.id });
    assert.deepEqual(tasks.map((task) => [task.name, task.status]), [['charge', 'failed'], ['charge', 'failed']], 'one retry, each a new agent task; notify never queued');
    assert.deepEqual(compensated, ['reserve'], 'the completed reservation was undone once');
    const compensation = (await h.store.listSteps(run.id)).filter((step) => step.kind === 'compensation');
    assert.equal(compensation.length, 1, 'the compensation is a recorded step');
  } finally {
    await h.close();
  }
});

test('a planner expansion survives a SIGKILL of its worker: the takeover replays the recorded expansion and dispatches nothing twice', async () => {
  const h = await AgentHarness.open();
  const workers = new ChildGroup();
  try {
    const first = workers.spawn(GRAPH_WORKER, [h.storeUrl]);
    await first.waitForLine((line) => line.type === 'ready', 15_000, 'the first worker ready');
    // An agent that holds its task long enough for the kill to land while the expanded tasks are in flight.
    const agent = await h.spawnAgent('slow', { capacity: 3, workMs: 2_000 });
    const run = await h.engine.start('graph-planner', { topic: 'tides' });
    const planned = await first.waitForLine((line) => line.type === 'planned', 15_000, 'the planner ran');
    await agent.child.waitForLine((line) => line.type === 'claimed', 15_000, 'an expanded task claimed');
    await first.kill();
    const second = workers.spawn(GRAPH_WORKER, [h.storeUrl]);
    await second.waitForLine((line) => line.type === 'ready', 15_000, 'the second worker ready');
    const result = (await run.result({ timeout: '40s' })) as { states: Record<string, string>; outputs: { write: string[] } };
    const expanded = (planned.tasks as string[]).slice().sort();
    assert.deepEqual(result.outputs.write, [...expanded, 'plan'].sort(), 'the write-up saw the planner and exactly the tasks the killed worker planned (random ids: a re-plan would differ)');
    assert.equal(second.linesOf('planned').length, 0, 'the planner did not run again on the takeover');
    const tasks = await h.store.listAgentTasks({ runId: run.id });
    assert.deepEqual(tasks.map((task) => task.name).sort(), expanded, 'each expanded task was dispatched once');
    assert.ok(tasks.every((task) => task.status === 'completed'));
    const expansion = (await h.store.listSteps(run.id)).filter((step) => step.name === 'graph:planned:expand:plan');
    assert.equal(expansion.length, 1, 'the expansion is one recorded step');
  } finally {
    await workers.killAll();
    await h.close();
  }
});

test('an operator cancels a subtree while the graph runs: its tasks that had not started never start, the rest of the graph completes', async () => {
  const h = await AgentHarness.open({ workflows: (store) => graphWorkflows(store) });
  try {
    const agent = await h.spawnAgent('r1', { capacity: 2, workMs: 1_500 });
    const operator = await h.token('olga', 'operator');
    const run = await h.engine.start('graph-data', {
      name: 'sub',
      tasks: [
        { id: 'a', capability: 'research' },
        { id: 'b', capability: 'research', dependsOn: ['a'] },
        { id: 'c', capability: 'research', dependsOn: ['b'] },
        { id: 'd', capability: 'research' },
        { id: 'e', capability: 'research', dependsOn: ['d'] },
      ],
    });
    await agent.child.waitForLine((line) => line.type === 'claimed', 15_000, 'the first wave claimed');
    // Through the generic, audited signal route: the graph's cancel signal names the subtree's root.
    const sent = await fetch(`${h.url}/api/runs/${encodeURIComponent(run.id)}/signals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'graph-cancel:sub', payload: { task: 'b' } }),
    });
    assert.equal(sent.status < 300, true, `signal answered ${sent.status}`);
    const result = (await run.result({ timeout: '30s' })) as { states: Record<string, string> };
    assert.deepEqual(result.states, { a: 'completed', b: 'cancelled', c: 'cancelled', d: 'completed', e: 'completed' });
    const tasks = await h.store.listAgentTasks({ runId: run.id });
    assert.deepEqual(tasks.map((task) => task.name).sort(), ['a', 'd', 'e'], 'b and c were never queued');
    const audited = (await h.store.listAudit({ limit: 100 })).filter((entry) => entry.subject === `run:${run.id}`);
    assert.ok(audited.some((entry) => entry.actor === 'api:olga'), 'the cancellation is audited as the operator');
  } finally {
    await h.close();
  }
});
