/** The agent part of the Store contract (registry, tasks by capability, fenced leases), registered by `storeConformance`. */
import assert from 'node:assert/strict';
import type { NewAgentRecord, NewAgentTaskRecord } from '../../../src/store/agent-records.js';
import type { Store } from '../../../src/store/store.js';

type It = (title: string, body: (store: Store) => Promise<void>) => void;

function agent(name: string, capabilities: string[], capacity = 1, tokenId = `tok-${name}`): NewAgentRecord {
  return { name, capabilities, version: '1.0.0', capacity, owner: 'team', heartbeatMs: 100, tokenId };
}

function task(id: string, capability: string, createdAt: number, leaseMs = 500, maxLapses = 2): NewAgentTaskRecord {
  return { id, runId: `run-${id}`, name: 'research', capability, input: `{"id":"${id}"}`, leaseMs, maxLapses, createdAt };
}

export function agentConformance(it: It): void {
  it('agents: registration is bound to its token; re-registering updates; capabilities ever registered are kept', async (store) => {
    const first = await store.registerAgent(agent('a1', ['research', 'write']), 1_000);
    assert.equal(first.registered, true);
    assert.deepEqual(first.agent, { ...agent('a1', ['research', 'write']), registeredAt: 1_000, lastHeartbeatAt: 1_000 });
    const stolen = await store.registerAgent(agent('a1', ['other'], 1, 'tok-intruder'), 1_100);
    assert.equal(stolen.registered, false, 'another token may not take the name');
    assert.deepEqual((await store.getAgent('a1'))!.capabilities, ['research', 'write'], 'unchanged');
    const again = await store.registerAgent(agent('a1', ['summarize'], 3), 1_200);
    assert.equal(again.registered, true);
    assert.deepEqual({ capabilities: again.agent.capabilities, capacity: again.agent.capacity }, { capabilities: ['summarize'], capacity: 3 });
    assert.deepEqual(await store.knownCapabilities(), ['research', 'summarize', 'write'], 'a capability once registered stays known');
    assert.equal(await store.heartbeatAgent('nobody', 1_300), undefined);
    assert.deepEqual(await store.heartbeatAgent('a1', 1_300), { held: [] });
    assert.equal((await store.getAgent('a1'))!.lastHeartbeatAt, 1_300);
    await store.registerAgent(agent('a0', ['write']), 1_400);
    assert.deepEqual((await store.listAgents()).map((a) => a.name), ['a0', 'a1']);
  });

  it('agents: two first registrations of one name by different tokens at once: exactly one holds it', async (store) => {
    const results = await Promise.all(['t1', 't2', 't3', 't4'].map((token) => store.registerAgent(agent('x', ['research'], 1, token), 1_000)));
    const winners = results.filter((r) => r.registered);
    assert.equal(winners.length, 1, 'one token got the name');
    const holder = (await store.getAgent('x'))!.tokenId;
    assert.equal(winners[0]!.agent.tokenId, holder);
    for (const loser of results.filter((r) => !r.registered)) assert.equal(loser.agent.tokenId, holder, 'the losers are shown the holder');
  });

  it('agent tasks: created once; claimed by capability, oldest first, up to capacity, never twice by concurrent claimers', async (store) => {
    assert.equal((await store.createAgentTask(task('t2', 'research', 2_000))).created, true);
    assert.equal((await store.createAgentTask(task('t1', 'research', 1_000))).created, true);
    await store.createAgentTask(task('t3', 'write', 500));
    const repeat = await store.createAgentTask({ ...task('t1', 'research', 9_000), input: '{"changed":true}' });
    assert.deepEqual({ created: repeat.created, input: repeat.task.input, status: repeat.task.status }, { created: false, input: '{"id":"t1"}', status: 'queued' });
    assert.equal(await store.claimAgentTasks('ghost', 3_000), undefined);
    await store.registerAgent(agent('r1', ['research'], 1), 3_000);
    await store.registerAgent(agent('r2', ['research'], 5), 3_000);
    const [x, y] = await Promise.all([store.claimAgentTasks('r1', 3_000), store.claimAgentTasks('r2', 3_000)]);
    const all = [...x!.tasks, ...y!.tasks].map((t) => t.id).sort();
    assert.deepEqual(all, ['t1', 't2'], 'each research task once; the write task to nobody');
    assert.ok(x!.tasks.length <= 1, 'r1 stays within its capacity of 1');
    const t1 = (await store.getAgentTask('t1'))!;
    assert.deepEqual({ status: t1.status, generation: t1.generation, leaseExpiresAt: t1.leaseExpiresAt }, { status: 'claimed', generation: 1, leaseExpiresAt: 3_500 });
    assert.equal(Object.values(await store.agentLoads()).reduce((a, b) => a + b, 0), 2);
    assert.deepEqual((await store.claimAgentTasks('r1', 3_100))!.tasks.length, 0);
  });

  it('agent tasks: heartbeats renew unexpired leases only; a result is accepted once, from the holder under its generation', async (store) => {
    await store.registerAgent(agent('r1', ['research']), 0);
    await store.createAgentTask(task('t', 'research', 0, 500));
    const [claimed] = (await store.claimAgentTasks('r1', 100))!.tasks;
    assert.equal(claimed!.generation, 1);
    assert.deepEqual(await store.heartbeatAgent('r1', 400), { held: [{ id: 't', generation: 1 }] });
    assert.equal((await store.getAgentTask('t'))!.leaseExpiresAt, 900);
    const wrongGeneration = await store.completeAgentTask('t', 'r1', 2, '"x"', 450);
    assert.equal(wrongGeneration.outcome, 'refused');
    assert.equal((await store.completeAgentTask('t', 'other', 1, '"x"', 450)).outcome, 'refused');
    const done = await store.completeAgentTask('t', 'r1', 1, '{"answer":42}', 500);
    assert.equal(done.outcome, 'accepted');
    assert.deepEqual({ status: done.task.status, result: done.task.result, finishedAt: done.task.finishedAt, leaseExpiresAt: done.task.leaseExpiresAt }, { status: 'completed', result: '{"answer":42}', finishedAt: 500, leaseExpiresAt: null });
    assert.equal((await store.completeAgentTask('t', 'r1', 1, '{"answer":42}', 600)).outcome, 'repeated', 'the same agent answering again');
    assert.equal((await store.failAgentTask('t', 'r1', 1, 'too late', 700)).outcome, 'refused', 'a completed task does not fail');
    assert.equal((await store.completeAgentTask('missing', 'r1', 1, 'null', 700)).task, undefined);
    assert.deepEqual((await store.listAgentTaskEvents('t')).map((e) => `${e.kind}:${e.agent ?? '-'}:${e.generation}`), ['created:-:0', 'claimed:r1:1', 'refused:r1:2', 'refused:other:1', 'completed:r1:1', 'refused:r1:1']);
  });

  it('agent tasks: a lapsed lease goes to another agent under a new generation, the old holder is fenced; at maxLapses the task is dead-lettered', async (store) => {
    await store.registerAgent(agent('a', ['research']), 0);
    await store.registerAgent(agent('b', ['research']), 0);
    await store.registerAgent(agent('c', ['research']), 0);
    await store.createAgentTask(task('t', 'research', 0, 500, 2));
    assert.equal((await store.claimAgentTasks('a', 100))!.tasks[0]!.generation, 1);
    assert.deepEqual(await store.heartbeatAgent('a', 700), { held: [] }, 'a lapsed lease is not revived by a late heartbeat');
    const second = (await store.claimAgentTasks('b', 700))!;
    assert.deepEqual(second.swept.map((t) => `${t.id}:${t.status}:${t.lapses}`), ['t:queued:1']);
    assert.deepEqual(second.tasks.map((t) => `${t.id}:${t.generation}`), ['t:2']);
    assert.equal((await store.completeAgentTask('t', 'a', 1, '"late"', 800)).outcome, 'refused', 'the frozen agent\'s late answer');
    assert.equal((await store.getAgentTask('t'))!.status, 'claimed');
    const swept = await store.sweepAgentTasks(1_300);
    assert.deepEqual(swept.map((t) => `${t.id}:${t.status}:${t.lapses}:${t.agent}`), ['t:dead:2:b']);
    assert.match(swept[0]!.error!, /lapsed 2 times/);
    assert.deepEqual((await store.claimAgentTasks('c', 1_400))!.tasks, [], 'a dead task is never claimed');
    assert.deepEqual((await store.listAgentTasks({ status: 'dead' })).map((t) => t.id), ['t']);
    assert.deepEqual((await store.listAgentTaskEvents('t')).map((e) => `${e.kind}:${e.agent ?? '-'}:${e.generation}`), ['created:-:0', 'claimed:a:1', 'lapsed:a:1', 'claimed:b:2', 'refused:a:1', 'lapsed:b:2', 'dead-lettered:b:2']);
    assert.deepEqual(await store.sweepAgentTasks(2_000), [], 'nothing left to sweep');
  });

  it('agent tasks: a failure is terminal; listing filters by status and run', async (store) => {
    await store.registerAgent(agent('a', ['x']), 0);
    await store.createAgentTask(task('t1', 'x', 1));
    await store.createAgentTask(task('t2', 'x', 2));
    assert.equal((await store.claimAgentTasks('a', 10))!.tasks.length, 1, 'capacity 1: one of the two');
    const failed = await store.failAgentTask('t1', 'a', 1, 'cannot parse the input', 20);
    assert.deepEqual({ outcome: failed.outcome, status: failed.task?.status, error: failed.task?.error }, { outcome: 'accepted', status: 'failed', error: 'cannot parse the input' });
    assert.deepEqual((await store.listAgentTasks({ status: 'failed' })).map((t) => t.id), ['t1']);
    assert.deepEqual((await store.listAgentTasks({ runId: 'run-t2' })).map((t) => t.id), ['t2']);
    assert.deepEqual((await store.listAgentTasks({ limit: 1 })).map((t) => t.id), ['t1']);
  });
}
