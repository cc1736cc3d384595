import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { replaceAgent, restartAgent, type AgentRemediationDeps } from './agent-remediation.js';
import { releaseByOperator } from '../agents/operator-agent-control.js';

const registration = (name: string) => ({ name, capabilities: ['research'], version: '1', capacity: 1, owner: 'team', heartbeatMs: 200, tokenId: `t-${name}` });

/** A store with agent `r1` holding task `run:1`, and a supervisor stand-in that records restarts. */
async function harness(processes: Record<string, string>) {
  const store = await openStore('sqlite::memory:');
  await store.registerAgent(registration('r1'), 1_000);
  await store.registerAgent(registration('r2'), 1_000);
  await store.createAgentTask({ id: 'run:1', runId: 'run', name: 'research', capability: 'research', input: '{}', leaseMs: 60_000, maxLapses: 3, createdAt: 1_000 });
  assert.equal((await store.claimAgentTasks('r1', 1_100))!.tasks.length, 1);
  const restarted: string[] = [];
  const deps: AgentRemediationDeps = {
    store,
    control: { restart: async (service) => void restarted.push(service), instances: (service) => (service === 'researcher' ? ['researcher#0'] : []) },
    processes: () => processes,
  };
  return { store, deps, restarted };
}

const target = { incidentId: 'inc-1', service: 'agent:r1', requestId: 'remediate:agent:r1:inc-1:0:0' };

test('restart of an agent restarts the service the config names for it, and refuses an agent homeostat does not run', async () => {
  const h = await harness({ r1: 'researcher' });
  try {
    const done = await restartAgent(h.deps, target);
    assert.equal(done.ok, true);
    assert.match(done.detail, /restarted the process of agent r1 \(service researcher\)/);
    assert.deepEqual(h.restarted, ['researcher']);
    const none = await restartAgent(h.deps, { ...target, service: 'agent:r2' });
    assert.deepEqual(none, { ok: false, detail: 'cannot restart agent r2: agentElements.processes names no process for it (homeostat does not run it); quarantine or replace it instead' });
    assert.equal((await restartAgent({ ...h.deps, processes: () => ({ r1: 'gone' }) }, target)).ok, false, 'a service with no replica here');
    const respawned = { ...h.deps, control: { ...h.deps.control, restartState: () => ({ startedAt: 5_000, nextRestartAt: null }) } };
    const skipped = await restartAgent(respawned, { ...target, since: 4_000 });
    assert.deepEqual([skipped.ok, skipped.skipped, skipped.healedBy], [true, true, 'the supervisor\'s restart of researcher'], 'the supervisor already respawned it after the symptom');
    assert.equal((await restartAgent(respawned, { ...target, since: 6_000 })).skipped, undefined, 'a process older than the symptom is restarted');
    assert.deepEqual(h.restarted, ['researcher', 'researcher'], 'nothing else restarted');
  } finally {
    await h.store.close();
  }
});

test('replace without a process: the agent is retired, its task goes to another agent now, and its name stays fenced until an operator releases it', async () => {
  const h = await harness({});
  try {
    const outcome = await replaceAgent(h.deps, target, 2_000);
    assert.equal(outcome.ok, true);
    assert.match(outcome.detail, /^retired agent r1: it claims no task again \(agentElements\.processes names no process for it, so no fresh instance was started; an operator's release lets it back\); its 1 task\(s\) in flight went back to the queue \(run:1\)$/);
    assert.deepEqual(h.restarted, []);
    const task = await h.store.getAgentTask('run:1');
    assert.deepEqual([task!.status, task!.agent], ['queued', null], 'not after the lease: now');
    assert.equal((await h.store.completeAgentTask('run:1', 'r1', 1, '"late"', 2_100)).outcome, 'refused', 'its late answer is fenced');
    // It registers again (a restart of its own): its name is still fenced.
    await h.store.registerAgent(registration('r1'), 3_000);
    assert.deepEqual((await h.store.claimAgentTasks('r1', 3_100))!.tasks, [], 'a retired name claims nothing');
    assert.deepEqual((await h.store.claimAgentTasks('r2', 3_200))!.tasks.map((t) => [t.id, t.generation]), [['run:1', 2]], 'another capable agent takes it');
    const views = await h.deps.store.retireAgent('nobody', { freshAllowed: false, reason: 'x', by: 'controller', now: 3_300 });
    assert.equal(views, undefined, 'an unknown agent is not retired');
    const audit: string[] = [];
    const released = await releaseByOperator({ store: h.store as Store, audit: async (actor, action) => void audit.push(`${actor} ${action}`), now: () => 4_000 }, 'r1', 'operator:alice', 'fixed');
    assert.deepEqual([released.unretired, released.agent.retired, audit], [true, null, ['operator:alice agent.released']]);
    await h.store.createAgentTask({ id: 'run:2', runId: 'run', name: 'research', capability: 'research', input: '{}', leaseMs: 60_000, maxLapses: 3, createdAt: 4_100 });
    assert.equal((await h.store.claimAgentTasks('r1', 4_200))!.tasks.length, 1, 'released by a person: it claims again');
  } finally {
    await h.store.close();
  }
});

test('replace with a process: the retired registration is fenced, the fresh instance that registers after it claims', async () => {
  const h = await harness({ r1: 'researcher' });
  try {
    const outcome = await replaceAgent(h.deps, target, 2_000);
    assert.match(outcome.detail, /^retired agent r1 and restarted its process \(service researcher\)/);
    assert.deepEqual(h.restarted, ['researcher']);
    const [retirement] = await h.store.listAgentRetirements();
    assert.deepEqual({ ...retirement }, { agent: 'r1', registeredAt: 1_000, freshAllowed: true, tasks: ['run:1'], reason: 'incident inc-1 (remediate:agent:r1:inc-1:0:0)', retiredBy: 'controller', retiredAt: 2_000 });
    assert.deepEqual((await h.store.claimAgentTasks('r1', 2_100))!.tasks, [], 'the old registration claims nothing');
    await h.store.registerAgent(registration('r1'), 2_500);
    assert.deepEqual((await h.store.claimAgentTasks('r1', 2_600))!.tasks.map((t) => [t.id, t.generation]), [['run:1', 2]], 'the fresh instance claims, under a new generation');
    const history = (await h.store.listAgentTaskEvents('run:1')).map((e) => [e.kind, e.agent, e.generation]);
    assert.deepEqual(history, [['created', null, 0], ['claimed', 'r1', 1], ['requeued', 'r1', 1], ['claimed', 'r1', 2]]);
  } finally {
    await h.store.close();
  }
});
