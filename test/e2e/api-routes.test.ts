import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiHarness, failing, gated } from './api-harness.js';

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('services, element events and incidents with their explanation chain', async () => {
  const h = await ApiHarness.open();
  try {
    await h.store.saveElementStates('sup', [
      { instance: 'api#0', element: 'api', owner: 'sup', state: 'running', health: 'healthy', data: '{"pid":1}', updatedAt: 1 },
      { instance: 'api#1', element: 'api', owner: 'sup', state: 'backoff', health: 'unhealthy', data: '{}', updatedAt: 1 },
    ]);
    await h.store.appendEvents([{ at: 5, element: 'api', kind: 'process-exited', data: '{"code":1}' }]);
    const services = await h.call('viewer', 'GET', '/api/services');
    assert.deepEqual(services.json.services.map((s: { name: string; health: string }) => [s.name, s.health]), [['api', 'unhealthy']]);
    assert.equal(services.json.services[0].instances[0].details.pid, 1);
    // A replica with no live process (health '-') is down, worse than unhealthy; a service stopped on purpose is 'stopped'.
    await h.store.saveElementStates('sup', [
      { instance: 'worker#0', element: 'worker', owner: 'sup', state: 'running', health: 'healthy', data: '{}', updatedAt: 1 },
      { instance: 'worker#1', element: 'worker', owner: 'sup', state: 'backoff', health: '-', data: '{}', updatedAt: 1 },
      { instance: 'batch#0', element: 'batch', owner: 'sup', state: 'stopped', health: '-', data: '{}', updatedAt: 1 },
    ]);
    const healthOf = async (name: string) => (await h.call('viewer', 'GET', '/api/services')).json.services.find((s: { name: string }) => s.name === name)?.health;
    assert.equal(await healthOf('worker'), 'down');
    assert.equal(await healthOf('batch'), 'stopped');
    assert.equal((await h.call('viewer', 'GET', '/api/services/nope')).json.error.code, 'HS_API_SERVICE_NOT_FOUND');
    const events = await h.call('viewer', 'GET', '/api/events?element=api');
    assert.deepEqual(events.json.events.map((e: { kind: string; data: unknown }) => [e.kind, e.data]), [['process-exited', { code: 1 }]]);

    const { incident } = await h.knowledge.incidents.open({ key: 'api:crash', element: 'api', symptom: 'process-crashed', summary: 'api#1 exited' }, { code: 1 });
    await h.knowledge.incidents.record(incident.id, 'action', { kind: 'restart' });
    const list = await h.call('viewer', 'GET', '/api/incidents');
    assert.deepEqual(list.json.incidents.map((i: { id: string }) => i.id), [incident.id]);
    const shown = await h.call('viewer', 'GET', `/api/incidents/${incident.id}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.json.entries.map((e: { kind: string }) => e.kind), ['signal', 'action']);
    assert.deepEqual(shown.json.approvals, []);
    assert.equal((await h.call('viewer', 'GET', '/api/incidents/inc-missing')).status, 404);
    assert.equal((await h.call('viewer', 'GET', '/api/incidents?status=resolved')).json.incidents.length, 0);
  } finally {
    await h.close();
  }
});

test('approve releases the waiting run as the token\'s name, audited; a second decision is 409; deny by incident id', async () => {
  const h = await ApiHarness.open();
  try {
    for (const [verb, expected] of [
      ['approve', 'approved'],
      ['deny', 'denied'],
    ] as const) {
      const run = await h.engine.start(gated, undefined);
      await h.store.requestApproval({ id: `${run.id}:1`, incidentId: `inc-${verb}`, action: 'restart api', status: 'pending', requestedAt: Date.now(), expiresAt: Date.now() + 60_000, decidedAt: null, decidedBy: null, reason: null });
      const inbox = await h.call('viewer', 'GET', '/api/approvals');
      assert.deepEqual(inbox.json.approvals.map((a: { id: string }) => a.id), [`${run.id}:1`]);
      const target = verb === 'approve' ? encodeURIComponent(`${run.id}:1`) : `inc-${verb}`;
      const decided = await h.call('operator', 'POST', `/api/approvals/${target}/${verb}`, verb === 'approve' ? { reason: 'safe' } : undefined);
      assert.equal(decided.status, 200, decided.text);
      assert.equal(decided.json.approval.status, expected);
      assert.equal(decided.json.approval.decidedBy, 'api:operator-bot');
      assert.equal(await run.result({ timeout: 5_000 }), expected);
      const again = await h.call('admin', 'POST', `/api/approvals/${encodeURIComponent(`${run.id}:1`)}/${verb}`, {});
      assert.equal(again.status, 409);
      assert.equal(again.json.error.code, 'HS_APPROVAL_DECIDED');
    }
    const audit = await h.call('viewer', 'GET', '/api/audit');
    const decisions = audit.json.entries.filter((e: { action: string }) => e.action.startsWith('approval.'));
    assert.deepEqual(decisions.map((e: { actor: string; action: string }) => [e.actor, e.action]), [
      ['api:operator-bot', 'approval.approved'],
      ['api:operator-bot', 'approval.denied'],
    ]);
    assert.equal((await h.call('operator', 'POST', '/api/approvals/nothing/approve', {})).json.error.code, 'HS_APPROVAL_NOT_FOUND');
  } finally {
    await h.close();
  }
});

test('runs: start (idempotent), show, signal, cancel, redrive; each audited with who did it', async () => {
  const h = await ApiHarness.open();
  try {
    const started = await h.call('operator', 'POST', '/api/runs', { workflow: 'api-test-gated', id: 'run-a' });
    assert.equal(started.status, 201);
    assert.deepEqual(started.json, { id: 'run-a', created: true });
    assert.equal((await h.call('operator', 'POST', '/api/runs', { workflow: 'api-test-gated', id: 'run-a' })).status, 200);
    assert.equal((await h.call('operator', 'POST', '/api/runs', { workflow: 'no-such-workflow' })).json.error.code, 'HS_UNKNOWN_WORKFLOW');
    const signalled = await h.call('operator', 'POST', '/api/runs/run-a/signals', { name: 'approval:1', payload: 'go' });
    assert.equal(signalled.status, 202);
    assert.equal(await h.engine.result('run-a', { timeout: 5_000 }), 'go');
    const shown = await h.call('viewer', 'GET', '/api/runs/run-a');
    assert.equal(shown.json.run.status, 'completed');
    assert.equal(shown.json.run.output, 'go');
    assert.ok(shown.json.steps.length >= 1);
    assert.equal((await h.call('viewer', 'GET', '/api/runs/run-missing')).status, 404);

    const failed = await h.engine.start(failing, undefined, { id: 'run-f' });
    await assert.rejects(failed.result({ timeout: 5_000 }));
    const dead = await h.call('viewer', 'GET', '/api/runs?status=failed');
    assert.deepEqual(dead.json.runs.map((r: { id: string }) => r.id), ['run-f']);
    assert.equal((await h.call('operator', 'POST', '/api/runs/run-a/redrive', {})).status, 409);
    const redriven = await h.call('operator', 'POST', '/api/runs/run-f/redrive', { fromStep: 'boom' });
    assert.equal(redriven.status, 202, redriven.text);
    assert.equal(redriven.json.run.generation, (await h.engine.getRun('run-f'))!.generation);
    assert.ok(redriven.json.run.generation > dead.json.runs[0].generation);

    await h.engine.start(gated, undefined, { id: 'run-c' });
    const cancelled = await h.call('operator', 'POST', '/api/runs/run-c/cancel');
    assert.equal(cancelled.status, 202);
    await until('run-c cancelled', async () => (await h.engine.getRun('run-c'))?.status === 'cancelled');

    const audit = (await h.call('viewer', 'GET', '/api/audit?limit=100')).json.entries as { actor: string; action: string; subject: string }[];
    assert.deepEqual(
      audit.filter((e) => e.action.startsWith('run.')).map((e) => [e.actor, e.action, e.subject]),
      [
        ['api:operator-bot', 'run.started', 'run:run-a'],
        ['api:operator-bot', 'run.signalled', 'run:run-a'],
        ['api:operator-bot', 'run.redriven', 'run:run-f'],
        ['api:operator-bot', 'run.cancel-requested', 'run:run-c'],
      ],
    );
    const verified = await h.call('viewer', 'GET', '/api/audit/verify');
    assert.equal(verified.json.ok, true);
  } finally {
    await h.close();
  }
});

test('pauses, config, metrics push, tokens', async () => {
  const h = await ApiHarness.open();
  try {
    assert.deepEqual((await h.call('operator', 'PUT', '/api/pauses/*', { reason: 'deploy' })).json.pauses.map((p: { scope: string; by: string }) => [p.scope, p.by]), [['*', 'api:operator-bot']]);
    assert.equal((await h.knowledge.pausedFor('api')).paused, true);
    assert.deepEqual((await h.call('operator', 'DELETE', '/api/pauses/*')).json.pauses, []);

    assert.equal((await h.call('admin', 'GET', '/api/config')).json.error.code, 'HS_API_NO_CONFIG');
    const firstPlan = await h.call('admin', 'POST', '/api/config/plan', { yaml: 'services:\n  api: { command: node }\n' });
    assert.deepEqual(firstPlan.json, { valid: true, against: null, changes: [] });
    await h.knowledge.configVersions.applied('services:\n  api: { command: node }\n', 'test');
    const current = await h.call('admin', 'GET', '/api/config');
    assert.equal(current.json.version.version, 1);
    assert.equal((await h.call('admin', 'GET', '/api/config/versions')).json.versions[0].text, undefined);
    assert.equal((await h.call('admin', 'GET', '/api/config/versions/1')).json.version.text, 'services:\n  api: { command: node }\n');
    assert.equal((await h.call('admin', 'GET', '/api/config/versions/9')).status, 404);
    const plan = await h.call('admin', 'POST', '/api/config/plan', { yaml: 'services:\n  api: { command: node, replicas: 2 }\n' });
    assert.equal(plan.json.against, 1);
    assert.ok(plan.json.changes.some((c: string) => c.includes('services.api.replicas')), JSON.stringify(plan.json));
    const invalid = await h.call('admin', 'POST', '/api/config/plan', { yaml: 'services:\n  api: { replicas: many }\n' });
    assert.equal(invalid.status, 400);
    assert.match(invalid.json.error.message, /replicas|command/);

    const pushed = await h.call('operator', 'POST', '/api/metrics', { metrics: [{ name: 'queue_depth', labels: { service: 'api' }, value: 12 }] });
    assert.deepEqual(pushed.json, { stored: 1, dropped: {} });
    assert.equal(h.series.latest(h.series.find('queue_depth', { service: 'api' })[0]!.key)?.value, 12);
    assert.equal((await h.call('operator', 'POST', '/api/metrics', { metrics: [{ name: 'bad name', value: 1 }] })).status, 400);

    const created = await h.call('admin', 'POST', '/api/tokens', { name: 'dashboard', role: 'viewer' });
    assert.equal(created.status, 201);
    assert.match(created.json.token, /^hst_[0-9a-f]{16}_/);
    assert.equal((await h.call({ authorization: `Bearer ${created.json.token}` }, 'GET', '/api/incidents')).status, 200);
    assert.equal((await h.call('admin', 'DELETE', `/api/tokens/${created.json.id}`)).status, 200);
    assert.equal((await h.call({ authorization: `Bearer ${created.json.token}` }, 'GET', '/api/incidents')).status, 401);
    assert.equal((await h.call('admin', 'DELETE', `/api/tokens/${created.json.id}`)).status, 404);
    const actions = (await h.call('viewer', 'GET', '/api/audit')).json.entries.map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`);
    for (const expected of ['api:operator-bot remediation.paused', 'api:operator-bot remediation.resumed', 'api:admin-bot token.created', 'api:admin-bot token.revoked']) assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
  } finally {
    await h.close();
  }
});

test('config apply and rollback go through the config manager, audited with who asked; 503 without one', async () => {
  const h = await ApiHarness.open();
  try {
    const applied = await h.call('admin', 'POST', '/api/config/apply', { yaml: 'services:\n  api: { command: node }\n' });
    assert.equal(applied.status, 200, applied.text);
    assert.deepEqual(applied.json.applied.services, ['api']);
    assert.equal((await h.call('admin', 'POST', '/api/config/apply', { yaml: 'services: 3\n' })).status, 400);
    const refused = await h.call('admin', 'POST', '/api/config/rollback');
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error.code, 'HS_API_ROLLBACK_REFUSED');
    const rolled = await h.call('admin', 'POST', '/api/config/rollback', { incident: 'inc-1' });
    assert.equal(rolled.status, 200, rolled.text);
    assert.deepEqual(h.configCalls, ['apply by api:admin-bot', 'rollback for requested by api:admin-bot', 'rollback for inc-1']);
    const actions = (await h.call('viewer', 'GET', '/api/audit')).json.entries.map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`);
    for (const expected of ['api:admin-bot config.apply-requested', 'api:admin-bot config.rollback-requested']) assert.ok(actions.includes(expected), actions.join(', '));
  } finally {
    await h.close();
  }
  const bare = await ApiHarness.open({ withoutConfigs: true });
  try {
    const unserved = await bare.call('admin', 'POST', '/api/config/rollback', {});
    assert.equal(unserved.status, 503);
    assert.equal(unserved.json.error.code, 'HS_API_NOT_SERVED');
  } finally {
    await bare.close();
  }
});
