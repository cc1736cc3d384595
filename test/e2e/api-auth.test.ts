import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiRole } from '../../src/store/records.js';
import { alertReception } from '../../src/api/alerts/alert-intake.js';
import { alertsSchema } from '../../src/config/schema/alerts.js';
import { ApiHarness } from './api-harness.js';

/** Every route, the least role it needs, and a well-formed request. */
const ROUTES: { method: string; url: string; role: ApiRole; body?: unknown }[] = [
  { method: 'GET', url: '/api/services', role: 'viewer' },
  { method: 'GET', url: '/api/services/api', role: 'viewer' },
  { method: 'GET', url: '/api/services/api/metrics', role: 'viewer' },
  { method: 'GET', url: '/api/events?limit=5', role: 'viewer' },
  { method: 'GET', url: '/api/incidents?all=true', role: 'viewer' },
  { method: 'GET', url: '/api/incidents/inc-none', role: 'viewer' },
  { method: 'POST', url: '/api/services/api/scale', role: 'operator', body: { replicas: 2 } },
  { method: 'POST', url: '/api/incidents/inc-none/acknowledge', role: 'operator', body: {} },
  { method: 'POST', url: '/api/incidents/inc-none/notes', role: 'operator', body: { text: 'looking' } },
  { method: 'POST', url: '/api/incidents/inc-none/close', role: 'operator', body: { reason: 'fixed by hand' } },
  { method: 'GET', url: '/api/approvals', role: 'viewer' },
  { method: 'POST', url: '/api/approvals/none:1/approve', role: 'operator', body: { reason: 'ok' } },
  { method: 'POST', url: '/api/approvals/none:1/deny', role: 'operator', body: {} },
  { method: 'GET', url: '/api/pauses', role: 'viewer' },
  { method: 'PUT', url: '/api/pauses/api', role: 'operator', body: { reason: 'maintenance' } },
  { method: 'DELETE', url: '/api/pauses/api', role: 'operator' },
  { method: 'GET', url: '/api/runs', role: 'viewer' },
  { method: 'GET', url: '/api/runs/none', role: 'viewer' },
  { method: 'POST', url: '/api/runs', role: 'operator', body: { workflow: 'api-test-failing', input: null } },
  { method: 'POST', url: '/api/runs/none/signals', role: 'operator', body: { name: 'go' } },
  { method: 'POST', url: '/api/runs/none/cancel', role: 'operator' },
  { method: 'POST', url: '/api/runs/none/redrive', role: 'operator', body: {} },
  { method: 'GET', url: '/api/audit', role: 'viewer' },
  { method: 'GET', url: '/api/audit/verify', role: 'viewer' },
  { method: 'GET', url: '/api/config', role: 'admin' },
  { method: 'GET', url: '/api/config/versions', role: 'admin' },
  { method: 'GET', url: '/api/config/versions/1', role: 'admin' },
  { method: 'POST', url: '/api/config/plan', role: 'admin', body: { yaml: 'services:\n  api: { command: node }\n' } },
  { method: 'POST', url: '/api/config/apply', role: 'admin', body: { yaml: 'services:\n  api: { command: node }\n' } },
  { method: 'POST', url: '/api/config/rollback', role: 'admin', body: {} },
  { method: 'POST', url: '/api/metrics', role: 'operator', body: { metrics: [{ name: 'queue_depth', value: 3 }] } },
  { method: 'POST', url: '/api/alerts/alertmanager', role: 'operator', body: { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'X', job: 'api' }, startsAt: '2026-12-07T15:00:00Z' }] } },
  { method: 'POST', url: '/api/alerts/webhook', role: 'operator', body: { alerts: [{ status: 'firing', name: 'X', service: 'api', startsAt: '2026-12-07T15:00:00Z' }] } },
  { method: 'GET', url: '/api/tokens', role: 'admin' },
  { method: 'POST', url: '/api/tokens', role: 'admin', body: { name: 'made', role: 'viewer' } },
  { method: 'DELETE', url: '/api/tokens/0000000000000000', role: 'admin' },
  { method: 'GET', url: '/api/stream', role: 'viewer' },
  { method: 'GET', url: '/api/agents', role: 'viewer' },
  { method: 'GET', url: '/api/agents/tasks?status=dead', role: 'viewer' },
  { method: 'GET', url: '/api/agents/tasks/none:1', role: 'viewer' },
  { method: 'GET', url: '/api/agents/quorums', role: 'viewer' },
  { method: 'GET', url: '/api/agents/quorums/none:1', role: 'viewer' },
  { method: 'POST', url: '/api/agents/register', role: 'agent', body: { name: 'agent-bot', capabilities: ['research'], version: '1', capacity: 1, owner: 'test' } },
  { method: 'POST', url: '/api/agents/agent-bot/heartbeat', role: 'agent', body: {} },
  { method: 'POST', url: '/api/agents/agent-bot/claim', role: 'agent', body: {} },
  { method: 'POST', url: '/api/agents/agent-bot/tasks/none:1/complete', role: 'agent', body: { generation: 1, result: 'x' } },
  { method: 'POST', url: '/api/agents/agent-bot/tasks/none:1/fail', role: 'agent', body: { generation: 1, error: 'x' } },
  { method: 'POST', url: '/api/agents/agent-bot/actions', role: 'agent', body: { action: 'restart-api', key: 'k1' } },
  { method: 'GET', url: '/api/agents/agent-bot/actions/k1', role: 'agent' },
  { method: 'POST', url: '/api/agents/agent-bot/quarantine', role: 'operator', body: { reason: 'answers look wrong' } },
  { method: 'POST', url: '/api/agents/agent-bot/release', role: 'operator', body: {} },
  { method: 'GET', url: '/api/inbox', role: 'viewer' },
  { method: 'POST', url: '/api/inbox/none:1/complete', role: 'operator', body: { result: 'ok' } },
  { method: 'GET', url: '/api/runs/none/graph', role: 'viewer' },
  { method: 'GET', url: '/api/providers', role: 'viewer' },
  { method: 'POST', url: '/api/providers/openai/drain', role: 'operator', body: { reason: 'outage' } },
  { method: 'POST', url: '/api/providers/openai/restore', role: 'operator', body: {} },
];

const RANK: ApiRole[] = ['viewer', 'operator', 'admin'];

/** Whether `role` may use a route of `needed`: the chain for people's roles; `agent` only for agent routes, and only it. */
function allowed(role: ApiRole, needed: ApiRole): boolean {
  if (role === 'agent' || needed === 'agent') return role === needed;
  return RANK.indexOf(role) >= RANK.indexOf(needed);
}

test('every route × every role: 401 without or with a bad token, 403 below its role, served (never 5xx) at or above it', async () => {
  const alerts = alertReception({ config: alertsSchema.parse({}), elements: { isService: (name) => name === 'api', replicas: () => [] }, observe: () => undefined }, {});
  const states = new Map<string, boolean>();
  const h = await ApiHarness.open({
    alerts,
    scaling: { scale: async (service, replicas) => ({ service, from: 1, to: replicas }) },
    providers: {
      list: async () => [...states].map(([provider, drained]) => ({ provider, configured: true, drained, maxConcurrency: null, reason: null, changedBy: null, changedAt: null })),
      set: async (provider, action, by, reason) => {
        states.set(provider, action === 'drain');
        return { provider, configured: true, drained: action === 'drain', maxConcurrency: null, reason, changedBy: by, changedAt: 1 };
      },
    },
  });
  try {
    const openapi = await h.call('none', 'GET', '/openapi.json');
    const documented = Object.entries(openapi.json.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    // One row per documented route: a new route without a row here fails this test.
    assert.equal(documented.length, ROUTES.length, `routes in /openapi.json: ${documented.join(', ')}`);
    assert.equal(openapi.json.openapi, '3.0.3');
    assert.ok(openapi.json.components.securitySchemes.bearer);
    for (const route of ROUTES) {
      if (route.url === '/api/stream') continue; // a stream never ends under inject: api-stream.test.ts covers it
      const name = `${route.method} ${route.url}`;
      const none = await h.call('none', route.method, route.url, route.body);
      assert.equal(none.status, 401, `${name} without a token`);
      assert.equal(none.json.error.code, 'HS_API_UNAUTHORIZED');
      assert.equal(none.headers['www-authenticate'], 'Bearer');
      for (const bad of ['Bearer nonsense', 'Basic dXNlcjpwYXNz', `Bearer ${h.token.admin.slice(0, -2)}xx`, `Bearer ${h.revoked}`]) {
        const refused = await h.call({ authorization: bad }, route.method, route.url, route.body);
        assert.equal(refused.status, 401, `${name} with "${bad.slice(0, 20)}…"`);
      }
      for (const role of [...RANK, 'agent'] as const) {
        const res = await h.call(role, route.method, route.url, route.body);
        if (!allowed(role, route.role)) {
          assert.equal(res.status, 403, `${name} as ${role}`);
          assert.equal(res.json.error.code, 'HS_API_FORBIDDEN');
        } else {
          assert.ok(res.status < 500 && res.status !== 401 && res.status !== 403, `${name} as ${role}: ${res.status} ${res.text}`);
          assert.ok(res.json !== undefined, `${name} as ${role}: a JSON answer`);
        }
      }
    }
  } finally {
    await h.close();
  }
});

test('tokens are stored hashed: neither the store nor the token list holds the secret', async () => {
  const h = await ApiHarness.open();
  try {
    const rows = await h.store.listApiTokens();
    for (const token of Object.values(h.token)) {
      // hst_<16 hex id>_<secret>; the base64url secret may itself contain '_'.
      const secret = token.slice('hst_'.length + 16 + 1);
      assert.equal(secret.length, 43);
      assert.ok(!JSON.stringify(rows).includes(secret));
    }
    const listed = await h.call('admin', 'GET', '/api/tokens');
    assert.equal(listed.status, 200);
    assert.ok(listed.json.tokens.every((t: Record<string, unknown>) => !('hash' in t) && !('salt' in t)));
    assert.ok(listed.json.tokens.some((t: Record<string, unknown>) => t.name === 'gone' && typeof t.revokedAt === 'number'));
  } finally {
    await h.close();
  }
});
