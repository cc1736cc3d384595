import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escalationSchema, guardrailsSchema, policySchema } from '../config/schema/policies.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { Guardrails } from '../plan/guardrails.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { ManualClock } from '../testing/manual-clock.js';
import { Engine } from '../workflow/engine.js';
import { createActuator } from './actuators.js';
import type { ElementControl } from './element-control.js';
import { clearanceOf, incidentHealth } from './incident-health.js';
import { REMEDIATION_WORKFLOW, remediationWorkflow, type RemediationOutput } from './remediation-workflow.js';

/** Elements that are healthy unless listed in `unhealthy`; restarts change nothing. */
function controlWith(unhealthy: Set<string>): ElementControl {
  return {
    instances: (service) => [`${service}#0`],
    isHealthy: (service) => !unhealthy.has(service) && !service.startsWith('workflow:'),
    restart: async () => undefined,
    stopStart: async () => undefined,
    scale: async () => undefined,
  };
}

/** The redis-full incident: the app's error rule, nginx readiness, redis itself; re-targeted to app. */
async function redisFullIncident(knowledge: Knowledge) {
  const { incident } = await knowledge.incidents.open({ key: 'nginx', element: 'nginx', symptom: 'readiness-failing', summary: 'test' });
  await knowledge.incidents.recordMany(incident.id, [
    { kind: 'symptom', data: { name: 'readiness-failing', element: 'nginx', instance: 'nginx#0', at: 1 } },
    { kind: 'symptom', data: { name: 'app-errors', element: 'app', instance: 'app#0', at: 2 } },
    { kind: 'symptom', data: { name: 'workflow-failed', element: 'workflow:orders', instance: null, at: 3 } },
  ]);
  await knowledge.incidents.retarget(incident.id, 'app', 'root cause ranked on app');
  return incident;
}

test('several symptoms on several elements: the incident is healthy only when every one has cleared where it was observed', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    const incident = await redisFullIncident(knowledge);
    const unhealthy = new Set(['nginx']);
    const firing = new Set(['app-errors|app']);
    const health = await incidentHealth({ knowledge, control: controlWith(unhealthy), symptomCleared: (service, symptom) => !firing.has(`${symptom}|${service}`) }, incident.id, { target: 'app' });
    assert.equal(await health.check(), false, 'the target app is healthy, nginx and the rule are not');
    assert.equal(health.failing(), 'nginx probes failing (readiness-failing); rule app-errors still firing on app');
    unhealthy.delete('nginx');
    assert.equal(await health.check(), false, 'nginx ready again, the rule still fires');
    assert.equal(health.failing(), 'rule app-errors still firing on app');
    firing.clear();
    assert.equal(await health.check(), true, 'a workflow-failed event does not hold it open');
    assert.equal(health.failing(), '');
    unhealthy.add('app');
    assert.equal(await health.check(), false, 'the target itself must be healthy');
    assert.equal(health.failing(), 'app probes failing (app-errors)');
  } finally {
    await store.close();
  }
});

test('a PromQL rule whose query is unanswered makes the incident\'s health unknown, not failing — unless something known fails too', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    const incident = await redisFullIncident(knowledge);
    const unhealthy = new Set<string>();
    const health = await incidentHealth(
      { knowledge, control: controlWith(unhealthy), symptomCleared: () => false, symptomUnknown: (service, symptom) => (symptom === 'app-errors' && service === 'app' ? 'its query failed: cannot reach http://127.0.0.1:9090' : undefined) },
      incident.id,
      { target: 'app' },
    );
    assert.deepEqual(await health.read(), { unknown: 'rule app-errors on app unknown: its query failed: cannot reach http://127.0.0.1:9090' });
    assert.equal(await health.check(), false, 'unknown is not clear');
    assert.equal(health.failing(), 'rule app-errors on app unknown: its query failed: cannot reach http://127.0.0.1:9090');
    unhealthy.add('nginx');
    assert.equal(await health.read(), false, 'nginx failing is known: the health is failing');
    assert.equal(health.failing(), 'nginx probes failing (readiness-failing); rule app-errors on app unknown: its query failed: cannot reach http://127.0.0.1:9090');
  } finally {
    await store.close();
  }
});

test('a symptom that joins during verification is read again and must clear too', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    const incident = await redisFullIncident(knowledge);
    const clock = new ManualClock();
    const unhealthy = new Set<string>(['redis']);
    const health = await incidentHealth({ knowledge, control: controlWith(unhealthy), symptomCleared: () => true }, incident.id, { target: 'app', rereadEveryMs: 1_000, clock });
    assert.equal(await health.check(), true, 'redis has no symptom in the incident yet');
    await knowledge.incidents.record(incident.id, 'symptom', { name: 'liveness-failing', element: 'redis', instance: 'redis#0', at: 4 });
    await clock.advance(1_000);
    assert.equal(await health.check(), false);
    assert.equal(health.failing(), 'redis probes failing (liveness-failing)');
    assert.deepEqual(health.symptoms().map((s) => `${s.name} on ${s.element}`), ['readiness-failing on nginx', 'app-errors on app', 'workflow-failed on workflow:orders', 'liveness-failing on redis']);
  } finally {
    await store.close();
  }
});

test('a failover: the side failed over from is not checked, the side now active is', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    const { incident } = await knowledge.incidents.open({ key: 'dep', element: 'dep', symptom: 'liveness-failing', summary: 'test' });
    await knowledge.incidents.record(incident.id, 'symptom', { name: 'liveness-failing', element: 'dep', at: 1 });
    const unhealthy = new Set(['dep']);
    const health = await incidentHealth({ knowledge, control: controlWith(unhealthy) }, incident.id, { target: 'dep-standby', replaced: 'dep' });
    assert.equal(await health.check(), true);
    unhealthy.add('dep-standby');
    assert.equal(await health.check(), false);
    assert.equal(health.failing(), 'dep-standby probes failing');
  } finally {
    await store.close();
  }
});

test('clearance per symptom kind: element events by probes, workflow and config events by nothing, any other name is a metric rule', () => {
  assert.equal(clearanceOf('process-crashed'), 'probes');
  assert.equal(clearanceOf('readiness-failing'), 'probes');
  assert.equal(clearanceOf('workflow-failed'), 'event');
  assert.equal(clearanceOf('config-apply-failed'), 'event');
  assert.equal(clearanceOf('app-errors'), 'rule');
  assert.equal(clearanceOf('toString'), 'rule');
});

test('remediation: the re-targeted element heals but a dependent symptom persists → not resolved; the verification says which symptom on which element', async () => {
  const store = SqliteStore.open(':memory:');
  const knowledge = new Knowledge(store);
  const control = controlWith(new Set(['nginx']));
  const escalation = escalationSchema.parse({});
  const guardrails = new Guardrails(guardrailsSchema.parse({}), knowledge);
  const escalationMessage = async (id: string) => ({ incident: (await knowledge.incidents.get(id))!, explanation: [], severity: 'critical' as const, event: 'trigger' as const });
  const policy = policySchema.parse({ match: {}, ladder: [{ action: 'restart' }], verify: { healthyFor: 50, timeout: 600 } });
  const workflow = remediationWorkflow({
    knowledge,
    appliedPolicy: (name) => (name === 'p' ? { policy, configVersion: 1, appliedBy: 'test' } : undefined),
    guardrails,
    control,
    escalation,
    escalationMessage,
    actuator: createActuator({ control, escalation, escalationMessage }),
    evidence: async () => ({}),
    symptomCleared: (service, symptom) => !(service === 'app' && symptom === 'app-errors'),
  });
  const engine = await Engine.open({ store, workflows: [workflow as never] });
  try {
    const incident = await redisFullIncident(knowledge);
    const run = await engine.start(REMEDIATION_WORKFLOW, { incidentId: incident.id, service: 'app', diagnosis: 'app-errors', policyName: 'p' }, { id: `remediate:nginx:${incident.id}:0` });
    const output = (await run.result({ timeout: 10_000 })) as RemediationOutput;
    assert.equal(output.outcome, 'escalated', 'restarting app cannot resolve it');
    assert.notEqual((await knowledge.incidents.get(incident.id))!.status, 'resolved');
    const verification = (await knowledge.incidents.explain(incident.id))!.entries.find((e) => e.kind === 'verification')!;
    assert.equal(verification.data.ok, false);
    assert.equal(verification.data.detail, 'not healthy for 50 ms within 600 ms: nginx probes failing (readiness-failing); rule app-errors still firing on app');
    assert.deepEqual(verification.data.checked, ['readiness-failing on nginx', 'app-errors on app', 'workflow-failed on workflow:orders (an event: nothing to wait for)']);
  } finally {
    await engine.close(1_000);
    await store.close();
  }
});
