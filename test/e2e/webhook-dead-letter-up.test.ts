import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyWebhookSignature } from '../../src/execute/webhook-signature.js';
import { webhookReceiver } from '../integration/webhooks/webhook-receiver.js';
import { fileReadyService, UpHarness } from './loop-harness.js';

const SECRET_VARIABLE = 'HOMEOSTAT_E2E_HOOK_SECRET';
const SECRET = 'e2e-secret-9f8e7d6c5b4a39281706';

/**
 * Issue 16, "Out": a real `homeostat up` pages an incident to two webhooks: one answers, and
 * gets signed requests; the other's port is closed, so after its last attempt a dead letter is
 * recorded — in `homeostat incident show`, the audit log and /metrics — and the secret is
 * nowhere in what `up` wrote.
 */
test('up signs its pages, and dead-letters the one whose target stays down: incident show, audit, /metrics; the secret is written nowhere', async () => {
  const live = await webhookReceiver();
  const downPort = await closedPort();
  const control = mkdtempSync(join(tmpdir(), 'homeostat-dead-letter-'));
  const unready = join(control, 'unready');
  writeFileSync(unready, 'never ready in this test');
  const h = new UpHarness(`services:
${fileReadyService('app', unready)}policies:
  unready:
    match: { symptom: [readiness-failing] }
    ladder: [{ action: escalate }]
escalation:
  retryEvery: 1h
  webhooks:
    - { url: "${live.url}", format: json, secretEnv: ${SECRET_VARIABLE} }
    - { url: "http://127.0.0.1:${downPort}/pd", format: pagerduty, routingKey: R1, secretEnv: ${SECRET_VARIABLE} }
`);
  process.env[SECRET_VARIABLE] = SECRET;
  try {
    await h.up();
    const incident = await h.waitForIncident((i) => i.element === 'app' && i.status === 'escalated', 60_000, 'the unready app escalated');
    const letters = async () => (await h.knowledge().incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'dead-letter');
    // Four attempts, about 1 + 2 + 4 s apart at most.
    await h.waitFor(async () => (await letters()).length > 0, 30_000, 'the dead letter recorded');

    assert.equal(live.received.length, 1, 'the live webhook got the page once');
    const page = live.received[0]!;
    assert.ok(verifyWebhookSignature({ secret: SECRET, body: page.body, timestamp: page.headers['homeostat-timestamp'] as string, signature: page.headers['homeostat-signature'] as string }), 'signed with the secret from up\'s environment');

    const [letter] = await letters();
    assert.deepEqual({ event: letter!.data.event, attempts: letter!.data.attempts }, { event: 'trigger', attempts: 4 });
    assert.match(String(letter!.data.lastError), new RegExp(`POST http://127\\.0\\.0\\.1:${downPort}/pd failed: .* \\(4 attempts\\)`));

    const shown = await h.cli('incident', 'show', incident.id);
    assert.equal(shown.status, 0, shown.out);
    assert.match(shown.out, new RegExp(`webhook NOT delivered \\(trigger, delivery ${String(letter!.data.deliveryId)}, 4 attempt\\(s\\)\\)`));

    const audited = (await h.knowledge().audit.list()).filter((e) => e.action === 'webhook.dead-lettered' && e.subject === incident.id);
    assert.equal(audited.length, 1);

    const metrics = await h.metrics();
    assert.match(metrics, /homeostat_webhook_deliveries_total\{outcome="delivered"\} 1\b/);
    assert.match(metrics, /homeostat_webhook_deliveries_total\{outcome="dead-lettered"\} 1\b/);
    assert.match(metrics, /homeostat_webhook_deliveries_total\{outcome="aborted"\} 0\b/);

    const written = [h.lines.join('\n'), readFileSync(join(h.dir, 'state', 'homeostat.log'), 'utf8'), shown.out, JSON.stringify(await h.knowledge().incidents.explain(incident.id)), JSON.stringify(await h.knowledge().audit.list()), JSON.stringify(await h.knowledge().configVersions.list())].join('\n');
    assert.ok(written.includes(SECRET_VARIABLE), 'the variable\'s name is in the stored config');
    assert.ok(!written.includes(SECRET), 'the secret is in no log, record, audit entry or stored config');
  } finally {
    delete process.env[SECRET_VARIABLE];
    await h.close();
    await live.close();
    rmSync(control, { recursive: true, force: true });
  }
});

test('up refuses to start when a webhook\'s secretEnv is not set, naming the file, line and field', async () => {
  const h = new UpHarness(`services:
  app:
    command: $NODE
    args: [-e, "setInterval(() => {}, 1000)"]
escalation:
  webhooks:
    - url: https://hooks.example.com/homeostat
      secretEnv: HOMEOSTAT_E2E_UNSET_SECRET
`);
  delete process.env.HOMEOSTAT_E2E_UNSET_SECRET;
  try {
    const refused = await h.cli('up');
    assert.notEqual(refused.status, 0);
    // Line 9: the harness writes `stateDir: state` above the YAML.
    assert.match(refused.out, /HS_CONFIG_WEBHOOK_SECRET_MISSING/);
    assert.match(refused.out, /homeostat\.yaml:9:\d+: escalation\.webhooks\[0\]\.secretEnv: HOMEOSTAT_E2E_UNSET_SECRET is not set in homeostat up's environment/);
  } finally {
    await h.close();
  }
});

test('a config version naming an unset secretEnv is not applied: the API answers 400 at the field, the watched file logs it', async () => {
  const service = `services:
  app:
    command: $NODE
    args: [-e, "setInterval(() => {}, 1000)"]
`;
  const h = new UpHarness(service);
  delete process.env.HOMEOSTAT_E2E_LATER_SECRET;
  try {
    await h.up();
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
    const created = await h.cli('token', 'create', '--role', 'admin', '--name', 'e2e-admin');
    assert.equal(created.status, 0, created.out);
    const token = created.out.split('\n')[0]!;
    const withHook = `stateDir: state\n${service.replaceAll('$NODE', process.execPath)}escalation:\n  webhooks:\n    - { url: "https://hooks.example.com/x", secretEnv: HOMEOSTAT_E2E_LATER_SECRET }\n`;
    for (const route of ['/api/config/plan', '/api/config/apply']) {
      const response = await fetch(`${apiUrl}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ yaml: withHook }) });
      const answer = (await response.json()) as { error?: { code: string; message: string } };
      assert.equal(response.status, 400, `${route}: ${JSON.stringify(answer)}`);
      assert.equal(answer.error?.code, 'HS_CONFIG_WEBHOOK_SECRET_MISSING');
      // API answers are redacted: a value after `secretEnv:` is, though this one is only a variable's name.
      assert.match(answer.error!.message, /the posted config:8:\d+: escalation\.webhooks\[0\]\.secretEnv: \S+ is not set in homeostat up's environment/);
    }
    writeFileSync(h.configPath, withHook);
    await h.waitForLine(/config change not applied: .*homeostat\.yaml:8:\d+: escalation\.webhooks\[0\]\.secretEnv: HOMEOSTAT_E2E_LATER_SECRET is not set/);
    assert.equal((await h.knowledge().configVersions.list()).length, 1, 'no version recorded');
  } finally {
    await h.close();
  }
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
