import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../src/cli/main.js';
import { parseConfig } from '../../src/config/load-config.js';
import { ApiHarness } from './api-harness.js';

/** One of each secret kind the red team read back (issue #12, M2), as a service's config and a caller would put them. */
const SECRETS = {
  stripe: 'sk_live_51HxAbCdEfGhIjKlMnOpQr',
  openai: 'sk-proj-abcdefghijklmnopqrstuvwxyz012345',
  dsnPassword: 'pa55w0rd-in-dsn',
  slackPath: 'T0001/B0002/SlackHookSecretXYZ',
  routingKey: 'R0UT1NGKEY0123456789abcd',
  queryToken: 'query-token-abcdef123',
};

const CONFIG = `services:
  api:
    command: node
    args: [api.js]
    env:
      STRIPE_KEY: ${SECRETS.stripe}
      OPENAI_KEY: ${SECRETS.openai}
      DATABASE_URL: postgres://app:${SECRETS.dsnPassword}@db:5432/app
escalation:
  webhooks:
    - url: https://hooks.slack.com/services/${SECRETS.slackPath}
      format: slack
    - url: https://events.pagerduty.com/v2/enqueue
      format: pagerduty
      routingKey: ${SECRETS.routingKey}
`;

function leaked(body: unknown): string[] {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret))
    .map(([kind]) => kind);
}

test('no secret kind reaches a viewer through incidents, runs, audit or the live stream; the store keeps what workflows need', async () => {
  const h = await ApiHarness.open();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  try {
    // An escalation entry as the actuators record it, written raw (as an older homeostat
    // stored it, before the Slack pattern was known): the view must redact it anyway.
    const { incident } = await h.knowledge.incidents.open({ key: 'api:crash', element: 'api', symptom: 'process-crashed', summary: 'api exited' });
    const escalation = { detail: `POST https://hooks.slack.com/services/${SECRETS.slackPath} → HTTP 200; POST https://events.pagerduty.com/v2/enqueue → HTTP 202`, routing_key: SECRETS.routingKey, env: `STRIPE_KEY=${SECRETS.stripe}` };
    await h.store.appendIncidentEntries([{ incidentId: incident.id, at: Date.now(), kind: 'escalation', data: JSON.stringify(escalation) }]);
    // Also as the loop records it today: redacted on write.
    await h.knowledge.incidents.record(incident.id, 'escalation', escalation);

    // A run whose input carries a webhook with a ?token= query and a DSN, and a signal payload with a key.
    const input = { url: `https://hooks.example.test/notify?channel=ops&token=${SECRETS.queryToken}`, dsn: `postgres://app:${SECRETS.dsnPassword}@db/x`, note: `use ${SECRETS.openai}` };
    const started = await h.call('operator', 'POST', '/api/runs', { workflow: 'api-test-gated', id: 'secret-run', input });
    assert.equal(started.status, 201);
    await h.call('operator', 'POST', '/api/runs/secret-run/signals', { name: 'approval:1', payload: { STRIPE_KEY: SECRETS.stripe } });
    await h.engine.result('secret-run');
    await h.knowledge.audit.append('operator:ada', 'config.note', 'config', { text: `rotated ${SECRETS.stripe}`, routingKey: SECRETS.routingKey });

    // SSE: a live event with a secret in it.
    let streamed = '';
    const req = request({ port, path: '/api/stream', headers: { authorization: `Bearer ${h.token.viewer}` } });
    await new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (streamed += chunk));
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
    await waitFor(() => h.live.subscribers === 1);
    h.live.publish({ type: 'element', event: { kind: 'process-exited', element: 'api', at: 1, lastLines: [`DATABASE_URL=postgres://app:${SECRETS.dsnPassword}@db`, `key ${SECRETS.stripe}`] } });
    await waitFor(() => streamed.includes('process-exited'));
    req.destroy();

    for (const url of ['/api/incidents?all=true', `/api/incidents/${incident.id}`, '/api/runs', '/api/runs/secret-run', '/api/audit?limit=1000']) {
      const answer = await h.call('viewer', 'GET', url);
      assert.equal(answer.status, 200, url);
      assert.deepEqual(leaked(answer.json), [], `${url} shows a viewer ${leaked(answer.json).join(', ')}`);
    }
    assert.deepEqual(leaked(streamed), [], 'the live stream');
    const run = (await h.call('viewer', 'GET', '/api/runs/secret-run')).json;
    assert.equal(run.run.input.url, 'https://hooks.example.test/notify?channel=ops&token=[REDACTED]', 'the rest of the input stays readable');
    // The store itself keeps the run's real input: the workflow needs it.
    assert.equal(JSON.parse((await h.store.getRun('secret-run'))!.input!).url, input.url);
    assert.equal((await h.call('viewer', 'GET', '/api/audit/verify')).json.ok, true);

    // The CLI on the store shows what the API shows.
    for (const args of [['incident', 'show', incident.id], ['incidents', '--all'], ['runs', 'show', 'secret-run'], ['runs', 'list']]) {
      for (const json of [[], ['--json']]) {
        const lines: string[] = [];
        const status = await main([...args, ...json, '--local', '--store', `sqlite:${h.store.path}`], (l) => lines.push(l), (l) => lines.push(l));
        assert.equal(status, 0, lines.join('\n'));
        assert.deepEqual(leaked(lines.join('\n')), [], `homeostat ${args.join(' ')} ${json.join('')} shows ${leaked(lines.join('\n')).join(', ')}`);
      }
    }
  } finally {
    await h.close();
  }
});

test('the config is stored as it was applied and shown redacted in place: the view still parses, a plan still diffs', async () => {
  const h = await ApiHarness.open();
  try {
    const applied = await h.call('admin', 'POST', '/api/config/apply', { yaml: CONFIG });
    assert.equal(applied.status, 200);
    for (const url of ['/api/config', '/api/config/versions/1', '/api/config/versions']) {
      const answer = await h.call('admin', 'GET', url);
      assert.equal(answer.status, 200);
      assert.deepEqual(leaked(answer.json), [], `${url} shows ${leaked(answer.json).join(', ')}`);
    }
    const shown = (await h.call('admin', 'GET', '/api/config')).json.version.text as string;
    const { config } = parseConfig(shown, { file: 'homeostat.yaml' });
    assert.equal(config.services.api!.env.STRIPE_KEY, '[REDACTED]', 'a string, not the list a bare [REDACTED] made');
    assert.equal(config.services.api!.env.DATABASE_URL, 'postgres://app:[REDACTED]@db:5432/app');
    assert.equal(config.escalation.webhooks[1]!.routingKey, '[REDACTED]');
    // The stored version keeps the real text, so the plan against it (and a rollback to it) works with the real values.
    assert.equal((await h.knowledge.configVersions.current())!.text, CONFIG);
    const plan = await h.call('admin', 'POST', '/api/config/plan', { yaml: CONFIG.replace(SECRETS.stripe, 'sk_live_rotatedKey0123456') });
    assert.deepEqual(plan.json.changes, ['~ services.api.env.STRIPE_KEY: [REDACTED] → [REDACTED]']);
    assert.deepEqual(leaked(plan.json), []);
  } finally {
    await h.close();
  }
});

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
