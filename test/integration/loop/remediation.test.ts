import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { parseConfig } from '../../../src/config/load-config.js';
import { Knowledge } from '../../../src/knowledge/knowledge.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { Engine } from '../../../src/workflow/engine.js';
import { Guardrails } from '../../../src/plan/guardrails.js';
import { createActuator } from '../../../src/execute/actuators.js';
import { appliedPolicies, remediationWorkflow } from '../../../src/execute/remediation-workflow.js';
import type { ElementControl } from '../../../src/execute/element-control.js';
import { AutonomicLoop } from '../../../src/controller/autonomic-loop.js';
import { tempDir } from '../temp-store.js';
import { waitUntil } from '../helpers/wait.js';
import { escalationMessage as messageOf } from '../../../src/execute/escalation-message.js';
import type { EscalationMessage } from '../../../src/execute/escalation-payloads.js';

const waitFor = (check: () => boolean | Promise<boolean>, timeoutMs: number) => waitUntil(check, { timeoutMs, message: String(check) });

/** An element whose health the test scripts: `healsAfter` restarts needed. */
function fakeElement(healsAfterRestarts: number) {
  const state = { healthy: false, restarts: 0, actions: [] as string[] };
  const control: ElementControl = {
    instances: () => ['api#0', 'api#1'],
    isHealthy: () => state.healthy,
    async restart(service, instance) {
      state.actions.push(`restart ${instance ?? service}`);
      if (++state.restarts >= healsAfterRestarts) state.healthy = true;
    },
    async stopStart(service) {
      state.actions.push(`stop-start ${service}`);
    },
    async scale(service, n) {
      state.actions.push(`scale ${service} ${n}`);
    },
  };
  return { state, control };
}

async function harness(yaml: string, healsAfterRestarts: number) {
  const tmp = tempDir('homeostat-loop-');
  const store = SqliteStore.open(tmp.dbPath);
  const { config } = parseConfig(yaml, { file: `${tmp.dir}/homeostat.yaml` });
  const knowledge = new Knowledge(store);
  const element = fakeElement(healsAfterRestarts);
  const guardrails = new Guardrails(config.guardrails, knowledge);
  const escalationMessage = (id: string, severity: EscalationMessage['severity']) => messageOf({ knowledge, publicUrl: config.api.publicUrl }, id, severity);
  const actuator = createActuator({ control: element.control, escalation: config.escalation, escalationMessage });
  const workflow = remediationWorkflow({ knowledge, appliedPolicy: appliedPolicies(() => ({ config, version: 1, source: 'test' })), guardrails, actuator, control: element.control, escalation: config.escalation, escalationMessage, evidence: async () => ({ lastLines: ['api: fatal: token=abc123'] }) });
  const engine = await Engine.open({ store, workflows: [workflow as never] });
  const loop = new AutonomicLoop({ config, knowledge, engine, control: element.control });
  loop.start();
  return {
    ...element,
    guardrails,
    store,
    knowledge,
    engine,
    loop,
    crash: () => loop.observe({ name: 'process-crashed', element: 'api', instance: 'api#0', at: Date.now(), labels: { code: '1' }, signal: { kind: 'process-exited', code: 1, lastLines: ['DB_PASSWORD=hunter2'] } }),
    async incident() {
      const [incident] = await store.listIncidents({ element: 'api' });
      return incident;
    },
    async close() {
      await loop.stop();
      await engine.close(500);
      await store.close();
      tmp.cleanup();
    },
  };
}

const SERVICES = `
services:
  api: { command: node, args: [x.js] }
`;

test('crash → restart → verified → incident resolved, with the whole explanation chain', async () => {
  const h = await harness(`${SERVICES}
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }, { action: stop-start }]
    verify: { healthyFor: 200ms, timeout: 2s }
`, 1);
  try {
    h.crash();
    await waitFor(async () => (await h.incident())?.status === 'resolved', 10_000);
    assert.deepEqual(h.state.actions, ['restart api#0']);
    const explained = (await h.knowledge.incidents.explain((await h.incident())!.id))!;
    const kinds = explained.entries.map((e) => e.kind);
    for (const kind of ['signal', 'symptom', 'diagnosis', 'policy', 'guard', 'evidence', 'action', 'verification', 'outcome']) assert.ok(kinds.includes(kind as never), `chain has ${kind}: ${kinds.join(',')}`);
    assert.ok(kinds.indexOf('policy') < kinds.indexOf('guard') && kinds.indexOf('action') < kinds.indexOf('verification'));
    const text = JSON.stringify(explained.entries);
    assert.doesNotMatch(text, /hunter2|abc123/, 'secrets are redacted');
    assert.equal((await h.knowledge.audit.verify()).ok, true);
    assert.deepEqual(await h.store.listOutcomeStats().then((s) => s.map((x) => [x.diagnosis, x.action, x.successes])), [['process-crashed', 'restart', 1]]);
  } finally {
    await h.close();
  }
});

test('a remediation that does not help → next rung → escalation webhook (PagerDuty and Slack shapes)', async () => {
  const received: { path: string; body: Record<string, unknown> }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  const h = await harness(`${SERVICES}
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }, { action: restart, scope: service }]
    verify: { healthyFor: 100ms, timeout: 300ms }
guardrails: { blastRadius: { maxReplicas: 2 } }
escalation:
  retryEvery: 1h
  webhooks:
    - { url: "http://127.0.0.1:${port}/pd", format: pagerduty, routingKey: R1 }
    - { url: "http://127.0.0.1:${port}/slack", format: slack }
`, 99);
  try {
    h.crash();
    await waitFor(async () => (await h.incident())?.status === 'escalated', 10_000);
    assert.deepEqual(h.state.actions, ['restart api#0', 'restart api']);
    await waitFor(() => received.length === 2, 5_000);
    const pd = received.find((r) => r.path === '/pd')!.body as { event_action: string; routing_key: string; dedup_key: string; payload: { custom_details: { explanation: string[] } } };
    assert.equal(pd.event_action, 'trigger');
    assert.equal(pd.routing_key, 'R1');
    assert.equal(pd.dedup_key, (await h.incident())!.id);
    assert.ok(pd.payload.custom_details.explanation.some((line) => /verification/.test(line)));
    const slack = received.find((r) => r.path === '/slack')!.body as { text: string; blocks: unknown[] };
    assert.match(slack.text, /homeostat: api/);
    const explained = (await h.knowledge.incidents.explain((await h.incident())!.id))!;
    assert.equal(explained.entries.filter((e) => e.kind === 'verification').length, 2);
  } finally {
    await h.close();
    receiver.close();
  }
});

test('dry-run executes nothing but records the whole decision', async () => {
  const h = await harness(`${SERVICES}
guardrails: { dryRun: true, blastRadius: { maxReplicas: 2 } }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }, { action: stop-start }]
`, 1);
  try {
    h.crash();
    await waitFor(async () => (await h.incident())?.status === 'escalated', 10_000);
    assert.deepEqual(h.state.actions, []);
    const explained = (await h.knowledge.incidents.explain((await h.incident())!.id))!;
    const actions = explained.entries.filter((e) => e.kind === 'action');
    assert.equal(actions.length, 2);
    assert.ok(actions.every((a) => a.data.dryRun === true));
    assert.equal(explained.entries.at(-1)!.data.outcome, 'dry-run');
  } finally {
    await h.close();
  }
});

test('an approval-gated action waits; approving releases it; an unanswered one expires and is denied', async () => {
  const h = await harness(`${SERVICES}
environment: prod
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 100ms, timeout: 1s }
    approval: { required: false, ttl: 600ms, warnBefore: 200ms }
    environments: { prod: { approval: { required: true } } }
escalation: { retryEvery: 1h }
`, 1);
  try {
    h.crash();
    await waitFor(async () => (await h.store.listApprovals(['expired'])).length === 1, 10_000);
    assert.deepEqual(h.state.actions, [], 'nothing ran without approval');
    await waitFor(async () => (await h.incident())?.status === 'escalated', 10_000);
    const first = (await h.incident())!;
    await h.store.updateIncident(first.id, { status: 'resolved', resolvedAt: Date.now(), updatedAt: Date.now() });

    h.crash();
    await waitFor(async () => (await h.store.listApprovals(['pending'])).length === 1, 10_000);
    const [pending] = await h.store.listApprovals(['pending']);
    await h.store.decideApproval(pending!.id, 'approved', 'operator:alice', null, Date.now());
    await h.engine.signal(pending!.id.slice(0, pending!.id.lastIndexOf(':')), `approval:${pending!.id.slice(pending!.id.lastIndexOf(':') + 1)}`, 'approved');
    await waitFor(async () => (await h.incident())?.status === 'resolved', 10_000);
    assert.deepEqual(h.state.actions, ['restart api#0']);
  } finally {
    await h.close();
  }
});

/**
 * A run cancelled after its guard reserved the replica (an operator closed the incident
 * while the action waited for approval) gives the reservation back: it held the blast
 * radius for an hour, so no other replica of the service could be remediated.
 */
test('a run cancelled while waiting for approval releases its blast-radius reservation', async () => {
  const h = await harness(`${SERVICES}
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: instance }]
    approval: { required: true, ttl: 1h }
guardrails: { blastRadius: { maxReplicas: 1 } }
escalation: { retryEvery: 1h }
`, 1);
  try {
    h.crash();
    await waitFor(async () => (await h.store.listApprovals(['pending'])).length === 1, 10_000);
    const [pending] = await h.store.listApprovals(['pending']);
    const runId = pending!.id.slice(0, pending!.id.lastIndexOf(':'));
    const other = { service: 'api', instance: 'api#1', replicas: 2, dryRun: false };
    const held = await h.guardrails.check(other);
    assert.equal(held.allowed, false, 'while the run waits, api#0 holds the one slot');
    await h.engine.cancel(runId);
    await waitFor(async () => (await h.engine.getRun(runId))?.status === 'cancelled', 10_000);
    await waitFor(async () => (await h.guardrails.check(other)).allowed, 10_000);
    assert.deepEqual(h.state.actions, [], 'the cancelled run acted on nothing');
  } finally {
    await h.close();
  }
});

/**
 * The red team's Low finding: a paused remediation and an escalate-only ladder were both
 * reported as "dry-run: decided and recorded, nothing executed". Each ending says what
 * happened.
 */
test('a paused remediation and an escalate-only ladder are reported as what they are, not as a dry-run', async () => {
  const paused = await harness(`${SERVICES}
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }]
escalation: { retryEvery: 1h }
`, 1);
  try {
    await paused.knowledge.pause('api', 'alice', 'deploy in progress');
    paused.crash();
    await waitFor(async () => (await paused.incident())?.status === 'escalated', 10_000);
    assert.deepEqual(paused.state.actions, []);
    const incident = (await paused.incident())!;
    assert.match(incident.summary, /no action was allowed to run \(restart api#0: paused \(api\) by alice: deploy in progress\)/);
    assert.doesNotMatch(incident.summary, /dry-run/);
    const outcome = (await paused.knowledge.incidents.explain(incident.id))!.entries.at(-1)!;
    assert.equal(outcome.data.outcome, 'escalated');
  } finally {
    await paused.close();
  }

  const escalateOnly = await harness(`${SERVICES}
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: escalate }]
escalation: { retryEvery: 1h }
`, 1);
  try {
    escalateOnly.crash();
    await waitFor(async () => (await escalateOnly.incident())?.status === 'escalated', 10_000);
    const incident = (await escalateOnly.incident())!;
    assert.match(incident.summary, /policy "crash" only escalates: a human is to act/);
    const entries = (await escalateOnly.knowledge.incidents.explain(incident.id))!.entries;
    assert.equal(entries.filter((e) => e.kind === 'escalation').length, 1, 'paged once, by its rung');
    assert.equal(entries.at(-1)!.data.outcome, 'escalated');
  } finally {
    await escalateOnly.close();
  }
});
