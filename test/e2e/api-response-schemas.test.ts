import { manualProviders } from '../../src/execute/manual-provider-state.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertReception } from '../../src/api/alerts/alert-intake.js';
import { alertsSchema } from '../../src/config/schema/alerts.js';
import { ApiHarness, failing, gated } from './api-harness.js';
import { declaredSchema, schemaViolations } from './response-schema-check.js';

type OpenApiOperation = { responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }> };

async function until(what: string, probe: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A model attempt of `runId`, as the model step records it (reserved, then settled with an invalid answer). */
async function recordModelAttempt(h: ApiHarness, runId: string): Promise<void> {
  const reserved = await h.store.reserveModelAttempt(
    { runId, workflow: 'api-test-failing', stepSeq: 1, step: 'model:summarize', stepAttempt: 1, day: '2026-12-07', provider: 'openai', model: 'gpt-small', promptHash: 'ab'.repeat(32), reservedTokens: 211, reservedCostMicros: 411, startedAt: 1 },
    [],
  );
  assert.ok(reserved.reserved);
  await h.store.settleModelAttempt(reserved.id, { outcome: 'invalid-output', tokensIn: 11, tokensOut: 12, costMicros: 35, latencyMs: 40, finishedAt: 41, error: 'sentiment: invalid option', validationErrors: '["sentiment: invalid option"]', reply: null });
}

test('the response check flags a field the schema does not declare, a missing one and a wrong type', async () => {
  const h = await ApiHarness.open();
  try {
    await h.call('operator', 'PUT', '/api/pauses/api', { reason: 'deploy' });
    const real = h.answers.find((a) => a.route === '/api/pauses/:scope' && a.status === 200)!;
    const pause = (real.payload as { pauses: Record<string, unknown>[] }).pauses[0]!;
    const { scope: _scope, ...withoutScope } = pause;
    const variants = [
      { pauses: [{ ...pause, renamedField: 1 }] },
      { pauses: [withoutScope] },
      { pauses: [{ ...pause, pausedAt: String(pause.pausedAt) }] },
    ];
    const { violations } = await schemaViolations(variants.map((payload) => ({ ...real, payload })));
    assert.equal(violations.length, 3, violations.join('\n'));
    assert.deepEqual((await schemaViolations([real])).violations, []);
  } finally {
    await h.close();
  }
});

test('/openapi.json declares for every route a JSON answer for success and the error body for refusals', async () => {
  const h = await ApiHarness.open();
  try {
    const paths = (await h.call('none', 'GET', '/openapi.json')).json.paths as Record<string, Record<string, OpenApiOperation>>;
    const problems: string[] = [];
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        const responses = operation.responses ?? {};
        const success = Object.entries(responses).filter(([status]) => status.startsWith('2'));
        const mediaType = path === '/api/stream' ? 'text/event-stream' : 'application/json';
        if (success.length === 0 || !success.every(([, r]) => r.content?.[mediaType]?.schema)) problems.push(`${name}: no ${mediaType} schema for its success answer`);
        for (const status of ['400', '401', '403', '500']) {
          const error = responses[status]?.content?.['application/json']?.schema as { properties?: { error?: { properties?: Record<string, unknown> } } } | undefined;
          if (!error?.properties?.error?.properties?.code) problems.push(`${name}: no error body for ${status}`);
        }
        for (const [status, response] of success) {
          const schema = response.content?.[mediaType]?.schema as { type?: unknown; additionalProperties?: unknown } | undefined;
          if (mediaType === 'application/json' && schema?.additionalProperties !== false) problems.push(`${name} ${status}: the answer is not a closed shape`);
        }
      }
    }
    assert.deepEqual(problems, []);
  } finally {
    await h.close();
  }
});

test('every route answers, when it succeeds, what its response schema declares', async () => {
  const alerts = alertReception({ config: alertsSchema.parse({}), elements: { isService: (name) => name === 'api', replicas: () => [] }, observe: () => undefined }, {});
  const scaling = { scale: async (service: string, replicas: number) => ({ service, from: 1, to: replicas }) };
  // The real drain/restore over the harness's store and audit log (built after it opens).
  const opened: { h?: ApiHarness } = {};
  const providers = manualProviders({
    store: { listModelProviderStates: () => opened.h!.store.listModelProviderStates(), setModelProviderState: (state) => opened.h!.store.setModelProviderState(state) },
    providers: () => ['openai', 'claude'],
    audit: (actor, action, target, data) => opened.h!.knowledge.audit.append(actor, action, target, data),
    now: Date.now,
  });
  const h = await ApiHarness.open({ alerts, scaling, providers });
  opened.h = h;
  try {
    await h.store.saveElementStates('sup', [{ instance: 'api#0', element: 'api', owner: 'sup', state: 'running', health: 'healthy', data: '{"pid":1,"restarts":0}', updatedAt: 1 }]);
    await h.store.appendEvents([{ at: 5, element: 'api', kind: 'process-exited', data: '{"code":1}' }]);
    const { incident } = await h.knowledge.incidents.open({ key: 'api:crash', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited' }, { code: 1 });
    await h.knowledge.incidents.record(incident.id, 'diagnosis', { candidates: [{ element: 'api', score: 1 }] });
    const approvalRun = await h.engine.start(gated, undefined);
    await h.store.requestApproval({ id: `${approvalRun.id}:1`, incidentId: incident.id, action: 'restart api', status: 'pending', requestedAt: Date.now(), expiresAt: Date.now() + 60_000, decidedAt: null, decidedBy: null, reason: null });
    const denyRun = await h.engine.start(gated, undefined);
    await h.store.requestApproval({ id: `${denyRun.id}:1`, incidentId: 'inc-other', action: 'restart api', status: 'pending', requestedAt: Date.now(), expiresAt: Date.now() + 60_000, decidedAt: null, decidedBy: null, reason: null });
    const failed = await h.engine.start(failing, undefined, { id: 'run-f' });
    await assert.rejects(failed.result({ timeout: 5_000 }));
    await recordModelAttempt(h, 'run-f');
    const yaml = 'services:\n  api: { command: node }\n';
    for (const id of ['run-t:1', 'run-t:2']) await h.store.createAgentTask({ id, runId: 'run-t', name: 'research', capability: 'research', input: '{"topic":"x"}', leaseMs: 60_000, maxLapses: 3, createdAt: Date.now() });
    await h.store.createHumanTask({ id: 'run-f:2:review', runId: 'run-f', task: 'review', assignee: 'reviewer', input: '{"params":null,"deps":{}}', dueAt: Date.now() + 60_000, createdAt: Date.now() });
    await h.store.createAgentQuorum({ id: 'run-q:1', runId: 'run-q', name: 'sum', capability: 'add', n: 2, k: 2, comparator: 'json', createdAt: Date.now() }, []);
    await h.store.decideAgentQuorum('run-q:1', { status: 'accepted', answer: '{"sum":3}', detail: null }, [{ quorumId: 'run-q:1', voter: 'agent-bot', taskId: null, agreed: true, answer: '{"sum":3}', at: Date.now() }], Date.now());

    const calls: [Parameters<ApiHarness['call']>[0], string, string, unknown?][] = [
      ['viewer', 'GET', '/api/services'],
      ['viewer', 'GET', '/api/services/api'],
      ['viewer', 'GET', '/api/services/api/metrics'],
      ['viewer', 'GET', '/api/events'],
      ['viewer', 'GET', '/api/incidents?all=true'],
      ['viewer', 'GET', `/api/incidents/${incident.id}`],
      ['operator', 'POST', `/api/incidents/${incident.id}/acknowledge`, {}],
      ['operator', 'POST', `/api/incidents/${incident.id}/notes`, { text: 'looking' }],
      ['viewer', 'GET', '/api/approvals?status=all'],
      ['operator', 'POST', `/api/approvals/${encodeURIComponent(`${approvalRun.id}:1`)}/approve`, { reason: 'ok' }],
      ['operator', 'POST', '/api/approvals/inc-other/deny', {}],
      ['operator', 'POST', `/api/incidents/${incident.id}/close`, { reason: 'fixed by hand' }],
      ['operator', 'PUT', '/api/pauses/api', { reason: 'maintenance' }],
      ['viewer', 'GET', '/api/pauses'],
      ['operator', 'DELETE', '/api/pauses/api'],
      ['operator', 'POST', '/api/runs', { workflow: 'api-test-gated', id: 'run-a', input: { n: 1 } }],
      ['operator', 'POST', '/api/runs/run-a/signals', { name: 'approval:1', payload: 'go' }],
      ['operator', 'POST', '/api/runs', { workflow: 'api-test-gated', id: 'run-c' }],
      ['operator', 'POST', '/api/runs/run-c/cancel'],
      ['operator', 'POST', '/api/runs/run-f/redrive', {}],
      ['viewer', 'GET', '/api/runs?limit=10'],
      ['viewer', 'GET', '/api/runs/run-f'],
      ['admin', 'POST', '/api/config/apply', { yaml }],
      ['admin', 'POST', '/api/config/plan', { yaml }],
      ['admin', 'GET', '/api/config'],
      ['admin', 'GET', '/api/config/versions'],
      ['admin', 'GET', '/api/config/versions/1'],
      // The harness's config manager rolls back once it has been asked twice before.
      ['admin', 'POST', '/api/config/apply', { yaml: `${yaml}  web: { command: node }\n` }],
      ['admin', 'POST', '/api/config/rollback', {}],
      ['operator', 'POST', '/api/metrics', { metrics: [{ name: 'queue_depth', value: 3, labels: { service: 'api' } }, { name: 'old', value: 1, timestamp: 1 }] }],
      [
        'operator',
        'POST',
        '/api/alerts/alertmanager',
        {
          version: '4',
          status: 'firing',
          alerts: [
            { status: 'firing', labels: { alertname: 'HighErrors', job: 'api' }, startsAt: '2026-12-07T15:00:00Z', fingerprint: 'a1' },
            { status: 'firing', labels: { alertname: 'DiskFull', job: 'node' }, startsAt: '2026-12-07T15:00:00Z', fingerprint: 'a2' },
          ],
        },
      ],
      ['operator', 'POST', '/api/alerts/webhook', { alerts: [{ status: 'firing', name: 'QueueStuck', service: 'api', startsAt: '2026-12-07T15:00:00Z' }] }],
      ['operator', 'POST', '/api/services/api/scale', { replicas: 2 }],
      ['admin', 'POST', '/api/tokens', { name: 'ci', role: 'viewer' }],
      ['admin', 'GET', '/api/tokens'],
      ['viewer', 'GET', '/api/audit'],
      ['viewer', 'GET', '/api/audit/verify'],
      ['agent', 'POST', '/api/agents/register', { name: 'agent-bot', capabilities: ['research'], version: '1', capacity: 2, owner: 'test', heartbeatMs: 500 }],
      ['agent', 'POST', '/api/agents/agent-bot/claim', {}],
      ['agent', 'POST', '/api/agents/agent-bot/heartbeat', {}],
      ['agent', 'POST', `/api/agents/agent-bot/tasks/${encodeURIComponent('run-t:1')}/complete`, { generation: 1, result: { answer: 42 } }],
      ['agent', 'POST', `/api/agents/agent-bot/tasks/${encodeURIComponent('run-t:2')}/fail`, { generation: 1, error: 'cannot' }],
      ['agent', 'POST', '/api/agents/agent-bot/actions', { action: 'restart-api', key: 'schema-1' }],
      ['agent', 'GET', '/api/agents/agent-bot/actions/schema-1'],
      ['viewer', 'GET', '/api/agents'],
      ['operator', 'POST', '/api/agents/agent-bot/quarantine', { reason: 'answers look wrong' }],
      ['operator', 'POST', '/api/agents/agent-bot/release', {}],
      ['viewer', 'GET', '/api/agents/tasks?status=completed'],
      ['viewer', 'GET', `/api/agents/tasks/${encodeURIComponent('run-t:1')}`],
      ['viewer', 'GET', '/api/inbox'],
      ['operator', 'POST', `/api/inbox/${encodeURIComponent('run-f:2:review')}/complete`, { result: { approved: true } }],
      ['viewer', 'GET', '/api/runs/run-f/graph'],
      ['viewer', 'GET', '/api/agents/quorums?run=run-q'],
      ['viewer', 'GET', `/api/agents/quorums/${encodeURIComponent('run-q:1')}`],
      ['operator', 'POST', '/api/providers/openai/drain', { reason: 'outage announced' }],
      ['operator', 'POST', '/api/providers/claude/restore'],
      ['viewer', 'GET', '/api/providers'],
    ];
    for (const [role, method, url, body] of calls) {
      const answer = await h.call(role, method, url, body);
      assert.ok(answer.status < 300, `${method} ${url}: ${answer.status} ${answer.text}`);
    }
    await until('run-a finished', async () => (await h.engine.getRun('run-a'))?.status === 'completed');
    const created = (await h.call('admin', 'GET', '/api/tokens')).json.tokens.find((t: { name: string }) => t.name === 'ci');
    assert.equal((await h.call('admin', 'DELETE', `/api/tokens/${created.id}`)).status, 200);

    const paths = (await h.call('none', 'GET', '/openapi.json')).json.paths as Record<string, Record<string, unknown>>;
    const routes = Object.entries(paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    const checked = new Set(h.answers.filter((a) => a.status < 300 && declaredSchema(a) !== undefined).map((a) => `${a.method} ${a.route}`));
    // The event stream never ends under inject; api-stream.test.ts covers it.
    assert.deepEqual(routes.filter((route) => !checked.has(route) && route !== 'GET /api/stream'), [], 'routes whose success answer this test did not check');
    assert.deepEqual((await schemaViolations(h.answers)).violations, []);
  } finally {
    await h.close();
  }
});

test('answers carry every field of the records they show, in the store\'s order: a new store field needs a decision in src/api/shapes/', async () => {
  const h = await ApiHarness.open();
  try {
    await h.store.saveElementStates('sup', [{ instance: 'api#0', element: 'api', owner: 'sup', state: 'running', health: 'healthy', data: '{}', updatedAt: 1 }]);
    await h.store.appendEvents([{ at: 5, element: 'api', kind: 'process-exited', data: '{"code":1}' }]);
    const { incident } = await h.knowledge.incidents.open({ key: 'api:crash', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited' }, { code: 1 });
    await h.store.requestApproval({ id: 'run-x:1', incidentId: incident.id, action: 'restart api', status: 'pending', requestedAt: 1, expiresAt: 2, decidedAt: null, decidedBy: null, reason: null });
    await h.knowledge.pause('api', 'test', 'deploy');
    await h.knowledge.configVersions.applied('services:\n  api: { command: node }\n', 'test');
    const failed = await h.engine.start(failing, undefined, { id: 'run-f' });
    await assert.rejects(failed.result({ timeout: 5_000 }));
    await recordModelAttempt(h, 'run-f');

    const keys = (value: unknown) => Object.keys(value as object);
    const same = (what: string, answered: unknown, record: unknown, notAnswered: string[] = []) =>
      assert.deepEqual(keys(answered), keys(record).filter((key) => !notAnswered.includes(key)), `${what}: the answer's fields are not the record's`);
    same('incident', (await h.call('viewer', 'GET', '/api/incidents')).json.incidents[0], await h.store.getIncident(incident.id));
    same('approval', (await h.call('viewer', 'GET', '/api/approvals')).json.approvals[0], (await h.store.listApprovals())[0]);
    same('pause', (await h.call('viewer', 'GET', '/api/pauses')).json.pauses[0], (await h.store.listPauses())[0]);
    same('config version', (await h.call('admin', 'GET', '/api/config')).json.version, await h.knowledge.configVersions.current());
    same('element event', (await h.call('viewer', 'GET', '/api/events')).json.events[0], (await h.store.listEvents({}))[0]);
    same('audit entry', (await h.call('viewer', 'GET', '/api/audit')).json.entries[0], (await h.store.listAudit({}))[0]);
    same('token', (await h.call('admin', 'GET', '/api/tokens')).json.tokens[0], (await h.tokens.list())[0], ['salt', 'hash']);
    const described = await h.engine.describe('run-f');
    const shown = (await h.call('viewer', 'GET', '/api/runs/run-f')).json;
    same('run', (await h.call('viewer', 'GET', '/api/runs')).json.runs[0], described.run);
    same('run shown', shown.run, described.run);
    same('run error', shown.run.error, described.run.error);
    same('step', shown.steps[0], described.steps[0]);
    same('attempt', shown.attempts[0] ?? {}, described.attempts[0] ?? {});
    same('model attempt', shown.modelAttempts[0], described.modelAttempts[0]);
    await h.store.createAgentTask({ id: 'run-t:1', runId: 'run-t', name: 'research', capability: 'research', input: '{}', leaseMs: 1_000, maxLapses: 3, createdAt: 1 });
    same('agent task', (await h.call('viewer', 'GET', '/api/agents/tasks')).json.tasks[0], await h.store.getAgentTask('run-t:1'));
    assert.deepEqual(shown.modelAttempts[0].validationErrors, ['sentiment: invalid option']);
    assert.deepEqual((await schemaViolations(h.answers.filter((a) => a.route === '/api/runs/:id'))).violations, []);
  } finally {
    await h.close();
  }
});
