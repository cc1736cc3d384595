import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incidentReport } from '../../../src/cli/incident-report.js';
import { escalationSchema } from '../../../src/config/schema/policies.js';
import { EscalationNotifier } from '../../../src/execute/escalation-notifier.js';
import { pageOnce } from '../../../src/execute/page-once.js';
import { webhookSender, type DeliveryOutcome } from '../../../src/execute/webhook-sender.js';
import { verifyWebhookSignature } from '../../../src/execute/webhook-signature.js';
import { Knowledge } from '../../../src/knowledge/knowledge.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { MetricsRegistry } from '../../../src/telemetry/metrics.js';
import { messageFrom } from '../escalation/escalation-kit.js';
import { webhookReceiver } from './webhook-receiver.js';

const SECRET = 'dead-letter-test-secret-0123456789';
const ENV = { PAGER_HOOK_SECRET: SECRET };

async function setup() {
  const store = SqliteStore.open(':memory:');
  const knowledge = new Knowledge(store);
  const registry = new MetricsRegistry();
  const deliveries = registry.counter('homeostat_webhook_deliveries_total', 'Outgoing webhook deliveries by outcome.');
  const outcomes: DeliveryOutcome[] = [];
  const webhooks = webhookSender({
    incidents: knowledge.incidents,
    audit: knowledge.audit,
    env: ENV,
    policy: { attempts: 3, backoffMs: 5 },
    onOutcome: (outcome) => {
      outcomes.push(outcome);
      deliveries.inc({ outcome });
    },
  });
  const { incident } = await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited' });
  return { store, knowledge, registry, webhooks, outcomes, incident };
}

test('a page to a target that stays down leaves one dead letter: attempts, last error, delivery id, in incident show, the audit log and /metrics', async () => {
  const down = await webhookReceiver([], 503);
  const t = await setup();
  try {
    const escalation = escalationSchema.parse({ webhooks: [{ url: `${down.url}?token=tok-in-the-url`, format: 'pagerduty', routingKey: 'R1', secretEnv: 'PAGER_HOOK_SECRET' }] });
    const paged = await pageOnce({ escalation, escalationMessage: messageFrom(t.knowledge), webhooks: t.webhooks }, t.knowledge.incidents, t.incident.id, 'critical');
    assert.deepEqual({ ok: paged.ok, delivered: paged.delivered, requests: down.received.length }, { ok: false, delivered: 0, requests: 3 });
    const deliveryId = String(down.received[0]!.headers['homeostat-delivery']);
    assert.deepEqual(new Set(down.received.map((r) => r.headers['homeostat-delivery'])), new Set([deliveryId]), 'one delivery id across the retries');
    assert.ok(down.received.every((r) => verifyWebhookSignature({ secret: SECRET, body: r.body, timestamp: r.headers['homeostat-timestamp'] as string, signature: r.headers['homeostat-signature'] as string })));
    assert.equal(JSON.parse(down.received[0]!.body).dedup_key, t.incident.id, 'PagerDuty dedup_key is the incident id');

    const explained = (await t.knowledge.incidents.explain(t.incident.id))!;
    const letters = explained.entries.filter((e) => e.kind === 'dead-letter');
    assert.equal(letters.length, 1);
    const letter = letters[0]!.data;
    assert.deepEqual({ event: letter.event, attempts: letter.attempts, status: letter.status, deliveryId: letter.deliveryId }, { event: 'trigger', attempts: 3, status: 503, deliveryId });
    assert.match(String(letter.lastError), /→ HTTP 503 \(3 attempts\)$/);
    assert.match(String(letter.target), /token=\[REDACTED\]/);

    // `homeostat incident show` (the CLI's report of the explanation) names it.
    const shown = incidentReport(explained).join('\n');
    assert.match(shown, new RegExp(`webhook NOT delivered \\(trigger, delivery ${deliveryId}, 3 attempt\\(s\\)\\): POST .*HTTP 503`));

    const audit = (await t.knowledge.audit.list()).filter((e) => e.action === 'webhook.dead-lettered');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.subject, t.incident.id);
    assert.equal(JSON.parse(audit[0]!.data).deliveryId, deliveryId);

    assert.deepEqual(t.outcomes, ['dead-lettered']);
    assert.match(t.registry.render(), /homeostat_webhook_deliveries_total\{outcome="dead-lettered"\} 1/);

    // The secret is in the signatures only: never in a record, the audit log, a result or a detail.
    const everything = JSON.stringify([explained, await t.knowledge.audit.list(), paged]);
    assert.ok(!everything.includes(SECRET), 'the secret is recorded nowhere');
    assert.ok(!everything.includes('tok-in-the-url'), 'nor a token in the URL');
  } finally {
    await t.store.close();
    await down.close();
  }
});

test('a resolve to a target that stays down is dead-lettered too; one delivered is counted and leaves none', async () => {
  const down = await webhookReceiver([], 500);
  const up = await webhookReceiver();
  const t = await setup();
  const escalation = escalationSchema.parse({ webhooks: [{ url: down.url, format: 'json' }, { url: up.url, format: 'slack', secretEnv: 'PAGER_HOOK_SECRET' }] });
  const notifier = new EscalationNotifier({ incidents: t.knowledge.incidents, escalation: () => escalation, escalationMessage: messageFrom(t.knowledge), webhooks: t.webhooks });
  try {
    // A page recorded as delivered, so the resolve is due.
    await t.knowledge.incidents.record(t.incident.id, 'escalation', { event: 'trigger', ok: true, delivered: 2, detail: 'paged' });
    const outcome = await notifier.resolved(t.incident.id);
    assert.deepEqual({ ok: outcome?.ok, delivered: outcome?.delivered }, { ok: false, delivered: 1 });
    assert.equal(down.received.length, 3);
    assert.equal(up.received.length, 1);
    const letters = (await t.knowledge.incidents.explain(t.incident.id))!.entries.filter((e) => e.kind === 'dead-letter');
    assert.deepEqual(letters.map((e) => [e.data.event, e.data.attempts, e.data.status]), [['resolve', 3, 500]]);
    assert.deepEqual(t.outcomes.sort(), ['dead-lettered', 'delivered']);
  } finally {
    await notifier.stop();
    await t.store.close();
    await down.close();
    await up.close();
  }
});

test('a secretEnv unset when sending sends nothing unsigned: the delivery is a dead letter naming the variable', async () => {
  const hooks = await webhookReceiver();
  const t = await setup();
  try {
    const result = await t.webhooks.send({ incidentId: t.incident.id, event: 'action', url: hooks.url, body: { a: 1 }, timeoutMs: 1_000, secretEnv: 'UNSET_HOOK_SECRET' });
    assert.equal(result.ok, false);
    assert.equal(hooks.received.length, 0);
    assert.match(result.detail, /not sent: its secretEnv UNSET_HOOK_SECRET is not set/);
    const letters = (await t.knowledge.incidents.explain(t.incident.id))!.entries.filter((e) => e.kind === 'dead-letter');
    assert.deepEqual(letters.map((e) => [e.data.event, e.data.attempts, e.data.deliveryId]), [['action', 0, result.deliveryId]]);
    assert.match(result.deliveryId, /^[0-9a-f-]{36}$/);
  } finally {
    await t.store.close();
    await hooks.close();
  }
});

test('a delivery stopped by the stop of up is counted as aborted and leaves no dead letter', async () => {
  const down = await webhookReceiver([], 503);
  const t = await setup();
  const stop = new AbortController();
  try {
    const sending = webhookSender({ incidents: t.knowledge.incidents, policy: { attempts: 5, backoffMs: 60_000 }, onOutcome: (o) => t.outcomes.push(o) }).send({ incidentId: t.incident.id, event: 'trigger', url: down.url, body: {}, timeoutMs: 1_000, signal: stop.signal });
    while (down.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    assert.equal((await sending).aborted, true);
    assert.deepEqual(t.outcomes, ['aborted']);
    assert.equal((await t.knowledge.incidents.explain(t.incident.id))!.entries.filter((e) => e.kind === 'dead-letter').length, 0);
  } finally {
    await t.store.close();
    await down.close();
  }
});
