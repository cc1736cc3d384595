/** The quorum part of the Store contract (distinct agents per quorum, votes once, quarantine), registered by `storeConformance`. */
import assert from 'node:assert/strict';
import type { NewAgentRecord } from '../../../src/store/agent-records.js';
import type { Store } from '../../../src/store/store.js';

type It = (title: string, body: (store: Store) => Promise<void>) => void;

function agent(name: string, capacity = 3): NewAgentRecord {
  return { name, capabilities: ['add'], version: '1', capacity, owner: 'team', heartbeatMs: 100, tokenId: `tok-${name}` };
}

async function quorumOf(store: Store, id: string, n: number, at = 1_000) {
  const tasks = Array.from({ length: n }, (_, i) => ({ id: `${id}:q${i + 1}`, runId: 'run', name: 'sum', capability: 'add', input: '{"a":1}', leaseMs: 10_000, maxLapses: 3 }));
  return store.createAgentQuorum({ id, runId: 'run', name: 'sum', capability: 'add', n, k: 2, comparator: 'json', createdAt: at }, tasks);
}

export function agentQuorumConformance(it: It): void {
  it('agent quorums: created once; an agent never holds two sub-tasks of one quorum, however much room it has, nor takes one after answering a sibling', async (store) => {
    for (const name of ['a', 'b', 'c']) await store.registerAgent(agent(name), 1_000);
    assert.deepEqual(await quorumOf(store, 'run:1', 3), { created: true });
    assert.deepEqual(await quorumOf(store, 'run:1', 3), { created: false }, 'a replayed creation queues nothing more');
    assert.equal((await store.listAgentTasks({ runId: 'run' })).length, 3);
    const first = (await store.claimAgentTasks('a', 1_100))!.tasks;
    assert.deepEqual(first.map((t) => t.id), ['run:1:q1'], 'one sub-task, though a has room for 3');
    assert.deepEqual((await store.claimAgentTasks('a', 1_110))!.tasks, [], 'nor a second one by claiming again');
    assert.equal((await store.completeAgentTask('run:1:q1', 'a', first[0]!.generation, '{"sum":2}', 1_120)).outcome, 'accepted');
    assert.deepEqual((await store.claimAgentTasks('a', 1_130))!.tasks, [], 'nor one after it answered a sibling');
    const [b, c] = await Promise.all([store.claimAgentTasks('b', 1_140), store.claimAgentTasks('c', 1_140)]);
    assert.deepEqual([...b!.tasks, ...c!.tasks].map((t) => t.id).sort(), ['run:1:q2', 'run:1:q3'], 'b and c each take one');
    assert.deepEqual(b!.tasks.length, 1);
    const quorum = await store.getAgentQuorum('run:1');
    assert.deepEqual({ status: quorum!.status, n: quorum!.n, k: quorum!.k, comparator: quorum!.comparator, capability: quorum!.capability }, { status: 'pending', n: 3, k: 2, comparator: 'json', capability: 'add' });
    const history = await store.listAgentTaskEvents('run:1:q1');
    assert.match(history[0]!.detail ?? '', /one of 3 sub-tasks of quorum run:1 \(k=2\)/);
  });

  it('agent quorums: a decision and its votes are written once; reliability is agreed ÷ votes of registered agents since their last release', async (store) => {
    for (const name of ['a', 'b', 'c']) await store.registerAgent(agent(name), 1_000);
    for (const [i, at] of [[1, 2_000], [2, 3_000]] as const) {
      await quorumOf(store, `run:${i}`, 0, at);
      const votes = [['a', true], ['b', true], ['c', false], ['sample:1', true]].map(([voter, agreed]) => ({ quorumId: `run:${i}`, voter: voter as string, taskId: null, agreed: agreed as boolean, answer: '1', at }));
      await store.decideAgentQuorum(`run:${i}`, { status: 'accepted', answer: '1', detail: 'dissenters: c' }, votes, at);
      // A replay's second decision changes nothing.
      await store.decideAgentQuorum(`run:${i}`, { status: 'no-quorum', answer: null, detail: 'x' }, votes.map((v) => ({ ...v, agreed: false })), at + 1);
    }
    assert.deepEqual(await store.agentReliabilities(), [
      { agent: 'a', votes: 2, agreed: 2 },
      { agent: 'b', votes: 2, agreed: 2 },
      { agent: 'c', votes: 2, agreed: 0 },
    ]);
    assert.deepEqual({ ...(await store.getAgentQuorum('run:1'))!, createdAt: 0 }, { id: 'run:1', runId: 'run', name: 'sum', capability: 'add', n: 0, k: 2, comparator: 'json', status: 'accepted', answer: '1', detail: 'dissenters: c', createdAt: 0, decidedAt: 2_000 });
    assert.deepEqual((await store.listAgentQuorumVotes('run:2')).map((v) => [v.voter, v.agreed]), [['a', true], ['b', true], ['c', false], ['sample:1', true]]);
    assert.deepEqual((await store.listAgentQuorums({ runId: 'run' })).map((q) => q.id), ['run:2', 'run:1'], 'newest first');
    await store.quarantineAgent('c', 'dissenting', 'controller', 3_500);
    await store.releaseAgent('c', 'released', 'operator', 3_600);
    assert.deepEqual((await store.agentReliabilities()).map((r) => r.agent), ['a', 'b'], 'c starts over from its release');
  });

  it('agent quarantine: its tasks go back to the queue with a requeued entry, it claims nothing, its late answer is refused; release lets it claim again', async (store) => {
    await store.registerAgent(agent('q', 2), 1_000);
    await store.registerAgent(agent('other', 2), 1_000);
    await store.createAgentTask({ id: 't1', runId: 'run-t1', name: 'x', capability: 'add', input: '{}', leaseMs: 10_000, maxLapses: 3, createdAt: 1_000 });
    const [held] = (await store.claimAgentTasks('q', 1_100))!.tasks;
    assert.deepEqual(await store.quarantineAgent('q', 'incident 1', 'controller', 1_200), { requeued: ['t1'], heldBy: 'controller' });
    assert.deepEqual(await store.listAgentQuarantines(), [{ agent: 'q', quarantined: true, reason: 'incident 1', changedBy: 'controller', changedAt: 1_200 }]);
    assert.deepEqual((await store.heartbeatAgent('q', 1_250))!.held, [], 'its heartbeat no longer lists the task');
    assert.deepEqual((await store.claimAgentTasks('q', 1_300))!.tasks, [], 'quarantined: nothing');
    assert.equal((await store.completeAgentTask('t1', 'q', held!.generation, '1', 1_350)).outcome, 'refused', 'its late answer is fenced');
    const taken = (await store.claimAgentTasks('other', 1_400))!.tasks;
    assert.deepEqual(taken.map((t) => [t.id, t.generation]), [['t1', held!.generation + 1]]);
    assert.deepEqual((await store.listAgentTaskEvents('t1')).map((e) => `${e.kind}:${e.agent ?? '-'}`), ['created:-', 'claimed:q', 'requeued:q', 'refused:q', 'claimed:other']);
    assert.deepEqual(await store.releaseAgent('q', 'incident 1 resolved', 'controller', 1_500), { released: true, heldBy: 'controller' });
    await store.createAgentTask({ id: 't2', runId: 'run-t2', name: 'x', capability: 'add', input: '{}', leaseMs: 10_000, maxLapses: 3, createdAt: 1_500 });
    assert.deepEqual((await store.claimAgentTasks('q', 1_600))!.tasks.map((t) => t.id), ['t2'], 'released: it claims again');
  });

  it('agent quarantine by a person: the loop neither takes it over nor releases it; releasing an agent that is not quarantined writes nothing', async (store) => {
    await store.registerAgent(agent('p', 1), 1_000);
    assert.deepEqual(await store.releaseAgent('p', 'nothing', 'controller', 1_050), { released: false, heldBy: null });
    assert.deepEqual(await store.listAgentQuarantines(), [], 'no row for a release of nothing');
    await store.quarantineAgent('p', 'looks wrong', 'api:alice', 1_100);
    assert.deepEqual(await store.quarantineAgent('p', 'incident 2', 'controller', 1_200), { requeued: [], heldBy: 'api:alice' });
    assert.deepEqual(await store.releaseAgent('p', 'incident 2 resolved', 'controller', 1_300), { released: false, heldBy: 'api:alice' });
    assert.deepEqual((await store.listAgentQuarantines()).map((q) => [q.quarantined, q.changedBy, q.reason]), [[true, 'api:alice', 'looks wrong']]);
    assert.deepEqual(await store.releaseAgent('p', 'checked', 'operator:bob', 1_400), { released: true, heldBy: 'api:alice' });
  });

  it('agent retirement: its tasks go back to the queue now; its registration claims nothing again; a later registration claims only when a fresh instance is allowed; votes before it no longer count', async (store) => {
    await store.registerAgent(agent('r', 1), 1_000);
    await store.registerAgent(agent('s', 1), 1_000);
    await store.createAgentTask({ id: 'rt1', runId: 'run-rt1', name: 'x', capability: 'add', input: '{}', leaseMs: 60_000, maxLapses: 3, createdAt: 1_000 });
    const [held] = (await store.claimAgentTasks('r', 1_100))!.tasks;
    await quorumOf(store, 'rq', 0, 1_050);
    await store.decideAgentQuorum('rq', { status: 'accepted', answer: '1', detail: null }, [['r', false], ['s', true]].map(([voter, agreed]) => ({ quorumId: 'rq', voter: voter as string, taskId: null, agreed: agreed as boolean, answer: '1', at: 1_050 })), 1_050);
    assert.equal(await store.retireAgent('nobody', { freshAllowed: false, reason: 'x', by: 'controller', now: 1_150 }), undefined);
    const retired = await store.retireAgent('r', { freshAllowed: true, reason: 'incident 3', by: 'controller', now: 1_200 });
    assert.deepEqual(retired, { requeued: ['rt1'], retirement: { agent: 'r', registeredAt: 1_000, freshAllowed: true, tasks: ['rt1'], reason: 'incident 3', retiredBy: 'controller', retiredAt: 1_200 } });
    assert.deepEqual((await store.claimAgentTasks('r', 1_300))!.tasks, [], 'the retired registration claims nothing');
    assert.equal((await store.completeAgentTask('rt1', 'r', held!.generation, '1', 1_350)).outcome, 'refused');
    await store.registerAgent(agent('r', 1), 1_400);
    assert.deepEqual((await store.claimAgentTasks('r', 1_500))!.tasks.map((t) => [t.id, t.generation]), [['rt1', held!.generation + 1]], 'the fresh instance claims');
    assert.deepEqual((await store.agentReliabilities()).map((r) => [r.agent, r.votes]), [['s', 1]], 'the fresh instance does not inherit the retired one\'s votes');
    await store.retireAgent('s', { freshAllowed: false, reason: 'incident 4', by: 'controller', now: 1_600 });
    await store.registerAgent(agent('s', 1), 1_700);
    await store.createAgentTask({ id: 'rt2', runId: 'run-rt2', name: 'x', capability: 'add', input: '{}', leaseMs: 60_000, maxLapses: 3, createdAt: 1_700 });
    assert.deepEqual((await store.claimAgentTasks('s', 1_800))!.tasks, [], 'a fenced name claims nothing, registered again or not');
    assert.equal(await store.unretireAgent('s'), true);
    assert.equal(await store.unretireAgent('s'), false);
    assert.deepEqual((await store.claimAgentTasks('s', 1_900))!.tasks.map((t) => t.id), ['rt2'], 'lifted: it claims');
  });
}
