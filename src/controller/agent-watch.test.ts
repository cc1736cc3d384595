import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Symptom } from '../analyze/symptom.js';
import { agentElementSchema } from '../config/schema/agent-element.js';
import { openStore } from '../store/open-store.js';
import { ManualClock } from '../testing/manual-clock.js';
import { AgentWatch } from './agent-watch.js';

/** A watch over a real SQLite store; time moves only by hand. */
async function harness() {
  const store = await openStore('sqlite::memory:');
  const clock = new ManualClock(1_000_000);
  const symptoms: Symptom[] = [];
  const element = agentElementSchema.parse({ unresponsiveWhen: 'dead', minReliability: 0.5, minVotes: 3 });
  const watch = new AgentWatch({ element: () => element, store, observe: (symptom) => symptoms.push(symptom), clock });
  const register = (name: string) => store.registerAgent({ name, capabilities: ['add'], version: '1', capacity: 1, owner: 'team', heartbeatMs: 100, tokenId: `t-${name}` }, clock.now());
  let quorums = 0;
  /** One decided quorum in which `agreed` agreed and `dissented` did not. */
  const quorum = async (agreed: string[], dissented: string[]) => {
    const id = `run:${++quorums}`;
    await store.createAgentQuorum({ id, runId: 'run', name: 'sum', capability: 'add', n: 3, k: 2, comparator: 'json', createdAt: clock.now() }, []);
    const votes = [...agreed.map((voter) => ({ voter, agreed: true })), ...dissented.map((voter) => ({ voter, agreed: false }))].map((v) => ({ ...v, quorumId: id, taskId: null, answer: '1', at: clock.now() }));
    await store.decideAgentQuorum(id, { status: 'accepted', answer: '1', detail: null }, votes, clock.now());
  };
  return { store, clock, symptoms, watch, register, quorum, close: () => store.close() };
}

test('agent-dissenting is raised once when the rate falls below minReliability over minVotes, and cleared by quarantine', async () => {
  const h = await harness();
  try {
    for (const name of ['a', 'b', 'c']) await h.register(name);
    await h.quorum(['a', 'b'], ['c']);
    await h.quorum(['a', 'b'], ['c']);
    await h.watch.poll();
    assert.equal(h.symptoms.length, 0, 'two votes are no reading (minVotes 3)');
    await h.quorum(['a', 'b'], ['c']);
    await h.watch.poll();
    await h.watch.poll();
    assert.deepEqual(h.symptoms.map((s) => [s.name, s.element]), [['agent-dissenting', 'agent:c']], 'raised once while it holds');
    assert.match(String(h.symptoms[0]!.signal.message), /c agreed with the accepted answer in 0 of its 3 quorum votes \(0%\), below minReliability 0\.5/);
    assert.equal(h.watch.cleared('agent:c', 'agent-dissenting'), false);
    assert.equal(h.watch.cleared('agent:a', 'agent-dissenting'), true, 'an agent in agreement is not dissenting');
    await h.store.quarantineAgent('c', 'incident 1', 'controller', h.clock.now());
    await h.watch.poll();
    assert.equal(h.watch.cleared('agent:c', 'agent-dissenting'), true, 'quarantined, it takes no work');
    await h.clock.advance(10);
    await h.store.releaseAgent('c', 'incident 1', 'controller', h.clock.now());
    await h.watch.poll();
    assert.equal(h.symptoms.length, 1, 'released, its reliability starts over: no reading yet');
    assert.deepEqual((await h.store.agentReliabilities()).find((r) => r.agent === 'c'), undefined);
  } finally {
    await h.close();
  }
});

test('agent-unresponsive is raised when an agent seen alive goes dead, not for one already dead at the first reading', async () => {
  const h = await harness();
  try {
    await h.register('old');
    await h.clock.advance(10_000);
    await h.register('fresh');
    await h.watch.poll();
    assert.equal(h.symptoms.length, 0, 'old was dead before the watch looked: history');
    assert.equal(h.watch.cleared('agent:fresh', 'agent-unresponsive'), true);
    await h.clock.advance(501);
    await h.watch.poll();
    assert.deepEqual(h.symptoms.map((s) => [s.name, s.element, s.labels.owner]), [['agent-unresponsive', 'agent:fresh', 'team']]);
    assert.match(String(h.symptoms[0]!.signal.message), /fresh is dead: no heartbeat for 0\.5 s \(it promised one every 100 ms\)/);
    assert.equal(h.watch.cleared('agent:fresh', 'agent-unresponsive'), false);
    await h.store.heartbeatAgent('fresh', h.clock.now());
    await h.watch.poll();
    assert.equal(h.watch.cleared('agent:fresh', 'agent-unresponsive'), true, 'it heartbeats again');
    assert.equal(h.watch.cleared('agent:nobody', 'agent-unresponsive'), false, 'an unknown agent never clears');
  } finally {
    await h.close();
  }
});

test('a retired agent\'s symptoms clear only once the tasks it held are finished or held by live agents', async () => {
  const h = await harness();
  try {
    for (const name of ['a', 'b']) await h.register(name);
    await h.store.createAgentTask({ id: 'run:t', runId: 'run', name: 'sum', capability: 'add', input: '{}', leaseMs: 60_000, maxLapses: 3, createdAt: h.clock.now() });
    assert.equal((await h.store.claimAgentTasks('a', h.clock.now()))!.tasks.length, 1);
    await h.store.retireAgent('a', { freshAllowed: false, reason: 'incident 1', by: 'controller', now: h.clock.now() });
    await h.watch.poll();
    assert.equal(h.watch.cleared('agent:a', 'agent-unresponsive'), false, 'its task waits in the queue: not yet replaced');
    assert.equal(h.watch.cleared('agent:a', 'agent-dissenting'), false);
    await h.clock.advance(50);
    await h.store.heartbeatAgent('b', h.clock.now());
    assert.equal((await h.store.claimAgentTasks('b', h.clock.now()))!.tasks.length, 1);
    await h.watch.poll();
    assert.equal(h.watch.cleared('agent:a', 'agent-unresponsive'), true, 'a live agent holds it');
    await h.clock.advance(2_000);
    await h.watch.poll();
    assert.equal(h.watch.cleared('agent:a', 'agent-unresponsive'), false, 'its holder died since: not in live hands');
    assert.deepEqual(h.symptoms.filter((s) => s.element === 'agent:a'), [], 'a retired agent raises nothing');
  } finally {
    await h.close();
  }
});
