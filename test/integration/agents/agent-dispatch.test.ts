// Agents as real processes: registration bound to its token, health and load, tasks
// dispatched by capability and resumed by their result, replay that never re-dispatches,
// bad definitions (an unknown capability) and an agent's failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../helpers/wait.js';
import { AgentHarness } from './agent-harness.js';

async function call(h: AgentHarness, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${h.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

test('an agent registers, heartbeats and shows alive with its load; a killed one is listed dead', async () => {
  const h = await AgentHarness.open();
  try {
    const viewer = await h.token('viewer', 'viewer');
    const a = await h.spawnAgent('researcher-1', { capabilities: ['research', 'summarize'], capacity: 2, workMs: 60_000 });
    const listed = async () => ((await call(h, viewer, 'GET', '/api/agents')).json.agents as { name: string; health: string; load: number; capacity: number; capabilities: string[]; owner: string }[])[0]!;
    const first = await listed();
    assert.deepEqual({ name: first.name, health: first.health, capabilities: first.capabilities, capacity: first.capacity, owner: first.owner, load: first.load }, { name: 'researcher-1', health: 'alive', capabilities: ['research', 'summarize'], capacity: 2, owner: 'test-team', load: 0 });
    const run = await h.start('load');
    await a.child.waitForLine((line) => line.type === 'claimed', 10_000, 'the task claimed');
    assert.equal((await listed()).load, 1, 'one task in flight of 2');
    await a.child.kill();
    await waitUntil(async () => (await listed()).health === 'dead', { timeoutMs: 10_000, message: 'the killed agent listed dead' });
    await h.engine.cancel(run.id);
  } finally {
    await h.close();
  }
});

test('agent tokens speak only the agent protocol, as their own agent; people\'s tokens cannot act as agents; bad registrations get 400', async () => {
  const h = await AgentHarness.open();
  try {
    const mine = await h.token('agent-a');
    const other = await h.token('agent-b');
    const admin = await h.token('root', 'admin');
    const registration = { name: 'a', capabilities: ['research'], version: '1', capacity: 1, owner: 'me' };
    assert.equal((await call(h, mine, 'POST', '/api/agents/register', registration)).status, 200);
    const stolen = await call(h, other, 'POST', '/api/agents/register', registration);
    assert.deepEqual([stolen.status, stolen.json.error?.code], [403, 'HS_AGENT_NOT_OWNED']);
    for (const path of ['/api/agents/a/heartbeat', '/api/agents/a/claim']) {
      const refused = await call(h, other, 'POST', path, {});
      assert.deepEqual([refused.status, refused.json.error?.code], [403, 'HS_AGENT_NOT_OWNED'], path);
    }
    const asAdmin = await call(h, admin, 'POST', '/api/agents/a/claim', {});
    assert.deepEqual([asAdmin.status, asAdmin.json.error?.code], [403, 'HS_API_FORBIDDEN'], 'an admin is no agent');
    for (const path of ['/api/runs', '/api/agents', '/api/incidents', '/api/audit']) {
      assert.equal((await call(h, mine, 'GET', path)).status, 403, `an agent token may not read ${path}`);
    }
    assert.equal((await call(h, mine, 'POST', '/api/runs', { workflow: 'agents-test-research', input: { topic: 'x' } })).status, 403, 'nor start runs');
    const unregistered = await call(h, other, 'POST', '/api/agents/b/heartbeat', {});
    assert.deepEqual([unregistered.status, unregistered.json.error?.code], [404, 'HS_AGENT_NOT_REGISTERED']);
    for (const bad of [{ ...registration, capacity: 0 }, { ...registration, capabilities: [] }, { ...registration, capabilities: ['has space'] }, { ...registration, name: '../x' }, { ...registration, extra: 1 }]) {
      const answer = await call(h, mine, 'POST', '/api/agents/register', bad);
      assert.deepEqual([answer.status, answer.json.error?.code], [400, 'HS_API_INVALID_REQUEST'], JSON.stringify(bad));
    }
    const wrongGeneration = await call(h, mine, 'POST', '/api/agents/a/tasks/nope/complete', { generation: 1, result: 1 });
    assert.deepEqual([wrongGeneration.status, wrongGeneration.json.error?.code], [404, 'HS_AGENT_TASK_NOT_FOUND']);
  } finally {
    await h.close();
  }
});

test('a task goes to an agent with its capability, its result resumes the run, and replay never dispatches it again', async () => {
  const h = await AgentHarness.open();
  try {
    const writer = await h.spawnAgent('writer', { capabilities: ['write'] });
    const researcher = await h.spawnAgent('researcher', { capabilities: ['research'], workMs: 300 });
    const run = await h.start('tides');
    const output = (await run.result({ timeout: '20s' })) as { found: { by: string; input: unknown; generation: number }; checked: string };
    assert.deepEqual(output, { found: { by: 'researcher', input: { topic: 'tides' }, generation: 1 }, checked: 'checked researcher' });
    assert.equal(writer.child.linesOf('claimed').length, 0, 'the agent without the capability took nothing');
    const [task] = await h.store.listAgentTasks({ runId: run.id });
    assert.equal(task!.status, 'completed');
    assert.deepEqual(await h.history(task!.id), ['created:-:0', 'claimed:researcher:1', 'completed:researcher:1'], 'created and claimed once, though the run was replayed after its suspended wait');
    assert.equal(researcher.child.linesOf('claimed').length, 1);
    const steps = await h.store.listSteps(run.id);
    assert.ok(steps.some((step) => step.name === 'task:research'), 'the creation is a recorded step');
    assert.ok((await h.store.getRun(run.id))!.epoch >= 2, 'the run suspended while it waited and was claimed again: its history was replayed');
  } finally {
    await h.close();
  }
});

test('a task for a capability no agent ever registered fails its run at once, naming the known ones; an agent\'s failure fails the run with its message', async () => {
  const h = await AgentHarness.open();
  try {
    await h.spawnAgent('grumpy', { capabilities: ['research'], fail: true });
    const typo = await h.start('x', 'reserch');
    await assert.rejects(typo.result({ timeout: '20s' }), /task "research" needs capability "reserch", which no agent has ever registered \(known: research\)/);
    const failed = (await h.store.getRun(typo.id))!;
    assert.deepEqual({ status: failed.status, code: failed.error?.code }, { status: 'failed', code: 'HS_STEP_FAILED' });
    const creation = (await h.store.listSteps(typo.id)).find((step) => step.name === 'task:research');
    assert.equal(creation?.error?.code, 'HS_AGENT_CAPABILITY_UNKNOWN', 'the step failed with the capability error, not retried');
    assert.deepEqual(await h.store.listAgentTasks({ runId: typo.id }), [], 'no task was queued');
    const failing = await h.start('y');
    await assert.rejects(failing.result({ timeout: '20s' }), /failed on agent grumpy: grumpy cannot do \{"topic":"y"\}/);
    const [task] = await h.store.listAgentTasks({ runId: failing.id });
    assert.equal(task!.status, 'failed');
  } finally {
    await h.close();
  }
});
