import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canarySchema } from '../config/schema/canary.js';
import { policySchema, guardrailsSchema, escalationSchema } from '../config/schema/policies.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { Guardrails } from '../plan/guardrails.js';
import { ManualClock } from '../testing/manual-clock.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { FailoverPair, type FailoverMember } from '../supervisor/failover.js';
import { Engine } from '../workflow/engine.js';
import { createActuator } from './actuators.js';
import type { ElementControl } from './element-control.js';
import { REMEDIATION_WORKFLOW, remediationWorkflow, type RemediationInput, type RemediationOutput } from './remediation-workflow.js';
import { rolloutBatches } from './rollout.js';

/** A control over fake replicas: `broken` ones never get healthy after an action. */
function fakeControl(instances: string[], broken: string[] = []) {
  const healthy = new Map(instances.map((i) => [i, false]));
  const restarted: string[] = [];
  const startedAt = new Map<string, number>();
  let active = 'dep';
  const control: ElementControl = {
    instances: () => instances,
    isHealthy: (service, instance) => (service === 'dep' || service === 'dep-standby' ? active === service : instance ? healthy.get(instance) === true : instances.every((i) => healthy.get(i))),
    restart: async (_service, instance) => {
      restarted.push(instance ?? '*');
      if (instance && !broken.includes(instance)) healthy.set(instance, true);
    },
    stopStart: async () => undefined,
    scale: async () => undefined,
    restartState: (_service, instance) => ({ startedAt: startedAt.get(instance) ?? null, nextRestartAt: null, lastExitReason: 'exited' }),
    failover: async (service) => {
      if (service !== 'dep') return undefined;
      active = 'dep-standby';
      return { from: 'dep', to: 'dep-standby' };
    },
  };
  return { control, restarted, startedAt };
}

async function remediate(control: ElementControl, ladder: unknown[], extra: { rollout?: unknown; service?: string; instance?: string; maxReplicas?: number } = {}) {
  const store = SqliteStore.open(':memory:');
  const knowledge = new Knowledge(store);
  const escalation = escalationSchema.parse({});
  const guardrails = new Guardrails(guardrailsSchema.parse({ blastRadius: { maxReplicas: extra.maxReplicas ?? 2 } }), knowledge);
  const escalationMessage = async (id: string) => ({ incident: (await knowledge.incidents.get(id))!, explanation: [], severity: 'critical' as const, event: 'trigger' as const });
  const policy = policySchema.parse({ match: {}, ladder, verify: { healthyFor: 20, timeout: 400 }, ...(extra.rollout ? { rollout: extra.rollout } : {}) });
  const appliedPolicy = (name: string) => (name === 'p' ? { policy, configVersion: 1, appliedBy: 'test' } : undefined);
  const workflow = remediationWorkflow({ knowledge, appliedPolicy, guardrails, control, escalation, escalationMessage, actuator: createActuator({ control, escalation, escalationMessage }), evidence: async () => ({}) });
  const engine = await Engine.open({ store, workflows: [workflow as never] });
  try {
    const service = extra.service ?? 'api';
    const { incident } = await knowledge.incidents.open({ key: service, element: service, symptom: 'process-crashed', summary: 'test' });
    await knowledge.incidents.record(incident.id, 'signal', { kind: 'process-exited', at: 1_000 });
    const input: RemediationInput = { incidentId: incident.id, service, ...(extra.instance ? { instance: extra.instance } : {}), diagnosis: 'crash', policyName: 'p' };
    const output = (await (await engine.start(REMEDIATION_WORKFLOW, input, { id: `remediate:${service}:${incident.id}:0` })).result({ timeout: 10_000 })) as RemediationOutput;
    const entries = (await knowledge.incidents.explain(incident.id))!.entries;
    return { output, entries, incident: (await knowledge.incidents.get(incident.id))! };
  } finally {
    await engine.close(1_000);
    await store.close();
  }
}

test('rollout batches: the canary alone, then batches of the given size', () => {
  assert.deepEqual(rolloutBatches(['a', 'b', 'c', 'd'], 2), [['a'], ['b', 'c'], ['d']]);
  assert.deepEqual(rolloutBatches(['a'], 3), [['a']]);
  assert.deepEqual(rolloutBatches([], 1), []);
});

test('canary then batches: every replica restarted one batch at a time, each verified, then resolved', async () => {
  const fake = fakeControl(['api#0', 'api#1', 'api#2', 'api#3']);
  const { output, entries } = await remediate(fake.control, [{ action: 'restart', scope: 'service' }], { rollout: { batchSize: 2 } });
  assert.equal(output.outcome, 'resolved');
  assert.deepEqual(fake.restarted, ['api#0', 'api#1', 'api#2', 'api#3']);
  const verifications = entries.filter((e) => e.kind === 'verification');
  assert.deepEqual(verifications.map((v) => [v.data.batch, v.data.ok]), [[0, true], [1, true], [2, true]]);
  assert.equal(verifications[0]!.data.canary, true);
  const plan = entries.find((e) => e.kind === 'guard' && JSON.stringify(e.data.results).includes('"canary"'))!;
  assert.match(JSON.stringify(plan.data), /canary api#0 first, then 2 batch\(es\) of up to 2: \[api#1, api#2\] \[api#3\]/);
});

test('canary then batches: the first batch that fails verification stops the rollout; later replicas are not touched', async () => {
  const fake = fakeControl(['api#0', 'api#1', 'api#2', 'api#3'], ['api#2']);
  const { output, entries } = await remediate(fake.control, [{ action: 'restart', scope: 'service' }], { rollout: { batchSize: 2 } });
  assert.equal(output.outcome, 'escalated');
  assert.deepEqual(fake.restarted, ['api#0', 'api#1', 'api#2'], 'api#3 untouched');
  const stopped = entries.find((e) => e.kind === 'guard' && e.data.allowed === false)!;
  assert.match(JSON.stringify(stopped.data.results), /batch 1 \(api#1, api#2\) failed verification: the rollout stops; not touched: api#3/);
});

test('canary then batches: a failing canary stops everything after it', async () => {
  const fake = fakeControl(['api#0', 'api#1', 'api#2'], ['api#0']);
  const { output, entries } = await remediate(fake.control, [{ action: 'restart', scope: 'service' }], { rollout: { batchSize: 1 } });
  assert.equal(output.outcome, 'escalated');
  assert.deepEqual(fake.restarted, ['api#0']);
  assert.match(JSON.stringify(entries.filter((e) => e.kind === 'guard').at(-1)!.data.results), /canary api#0 failed verification: the rollout stops; not touched: api#1, api#2/);
});

test('a restart by canary behind a front door with canary: its share of the traffic, judged by its callers — failing ones stop the rollout', async () => {
  const limits = canarySchema.parse({ share: '20%', maxErrorRate: '5%', minRequests: 10 });
  for (const [failures, outcome] of [
    [0, 'resolved'],
    [10, 'escalated'],
  ] as const) {
    const fake = fakeControl(['api#0', 'api#1', 'api#2']);
    const watched: string[] = [];
    fake.control.canaryTraffic = (service, instance) => {
      watched.push(`watch ${service} ${instance}`);
      return { limits, seen: () => ({ requests: 50, failures, p95LatencyMs: 3 }), stop: () => watched.push(`stop ${instance}`) };
    };
    const { output, entries } = await remediate(fake.control, [{ action: 'restart', scope: 'service' }], { rollout: { batchSize: 2 } });
    assert.deepEqual(watched, ['watch api api#0', 'stop api#0'], 'only the canary is weighed, and its share ends with its verification');
    const canaryVerification = entries.find((e) => e.kind === 'verification' && e.data.batch === 0)!;
    assert.deepEqual(canaryVerification.data.callers, { share: 0.2, requests: 50, failures, p95LatencyMs: 3, judged: failures === 0 ? 'api#0 served 50 requests: 0 failed (limit 5%), p95 3.0 ms' : 'api#0 failed 10 of 50 requests (20%, limit 5%)' });
    if (outcome === 'resolved') {
      assert.equal(output.outcome, 'resolved');
      assert.deepEqual(fake.restarted, ['api#0', 'api#1', 'api#2']);
    } else {
      assert.notEqual(output.outcome, 'resolved');
      assert.deepEqual(fake.restarted, ['api#0'], 'api#1 and api#2 are not touched');
      assert.match(String(canaryVerification.data.detail), /its callers: api#0 failed 10 of 50 requests \(20%, limit 5%\)/);
    }
  }
});

test('a batch larger than the blast radius is denied, and the rollout stops there', async () => {
  const fake = fakeControl(['api#0', 'api#1', 'api#2', 'api#3']);
  const { output, entries } = await remediate(fake.control, [{ action: 'restart', scope: 'service' }], { rollout: { batchSize: 3 }, maxReplicas: 2 });
  assert.equal(output.outcome, 'escalated');
  assert.deepEqual(fake.restarted, ['api#0']);
  const denied = entries.filter((e) => e.kind === 'guard' && e.data.allowed === false).map((e) => JSON.stringify(e.data.results));
  assert.ok(denied.some((d) => /would make 3, limit 2/.test(d)), denied.join('\n'));
  assert.ok(denied.some((d) => /batch 1 \(api#1, api#2, api#3\) was denied by the guardrails/.test(d)), denied.join('\n'));
});

test('failover action: switches the pair, verified on the side now active', async () => {
  const fake = fakeControl([]);
  const { output, entries } = await remediate(fake.control, [{ action: 'failover' }], { service: 'dep' });
  assert.equal(output.outcome, 'resolved');
  const action = entries.find((e) => e.kind === 'action')!;
  assert.equal(action.data.detail, 'failed over from dep to dep-standby');
  assert.equal(action.data.verifyOn, 'dep-standby');
});

test('restart skips a replica the supervisor already restarted after the symptom, and says so', async () => {
  const fake = fakeControl(['api#0']);
  fake.startedAt.set('api#0', 5_000); // the symptom's signal is at 1_000
  const skipped = await createActuator({ control: fake.control, escalation: escalationSchema.parse({}), escalationMessage: async () => ({}) as never }).execute({ action: 'restart', scope: 'instance' }, { incidentId: 'i', service: 'api', instance: 'api#0', since: 1_000 }, new AbortController().signal);
  assert.equal(skipped.skipped, true);
  assert.match(skipped.detail, /skipped: api#0 was already restarted by the supervisor \(its restart policy, after it exited\) 4000 ms after the symptom/);
  assert.equal(skipped.healedBy, "the supervisor's restart of api#0");
  assert.deepEqual(fake.restarted, []);
  fake.startedAt.set('api#0', 500); // started before the symptom: restart it
  const done = await createActuator({ control: fake.control, escalation: escalationSchema.parse({}), escalationMessage: async () => ({}) as never }).execute({ action: 'restart', scope: 'instance' }, { incidentId: 'i', service: 'api', instance: 'api#0', since: 1_000 }, new AbortController().signal);
  assert.equal(done.skipped, undefined);
  assert.deepEqual(fake.restarted, ['api#0']);
});

test('FailoverPair.switchover: to a healthy other side at once; not to an unhealthy one', () => {
  const member = (name: string, healthy: boolean): FailoverMember => ({ name, role: 'active', hasHealthyReplica: () => healthy });
  const events: unknown[] = [];
  const primary = member('db', false);
  const standby = member('db-standby', true);
  const pair = new FailoverPair(primary, standby, 60_000, new ManualClock(0), (e) => events.push(e));
  assert.deepEqual(pair.switchover('incident x'), { from: 'db', to: 'db-standby' });
  assert.equal(pair.active.name, 'db-standby');
  assert.equal(events.length, 1);
  assert.equal(pair.switchover('again'), undefined, 'db is not healthy: stays on the standby');
});
