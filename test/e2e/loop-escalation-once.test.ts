import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileReadyService, UpHarness, webhookReceiver } from './loop-harness.js';

type Post = { path: string; body: Record<string, unknown> };
const pdTriggers = (posts: Post[]) => posts.filter((p) => p.path === '/pd' && p.body.event_action === 'trigger');
const pdResolves = (posts: Post[]) => posts.filter((p) => p.path === '/pd' && p.body.event_action === 'resolve');
const jsonOf = (posts: Post[], event: string) => posts.filter((p) => p.path === '/json' && p.body.event === event);
const slackOf = (posts: Post[], resolved: boolean) => posts.filter((p) => p.path === '/slack' && String(p.body.text).startsWith('✅') === resolved);

/**
 * Issue 14: a process that stays unhealthy through its ladder [restart, escalate] pages each
 * webhook once — not again for "ladder exhausted", not again on the slow retry that fails
 * too — and once it is healthy and the incident resolves, each webhook gets one resolve
 * (PagerDuty with the same dedup key). Real `homeostat up`, real receiver on 127.0.0.1.
 */
test('an incident that stays unhealthy is paged once per webhook, and resolved once when it heals', async () => {
  const hook = await webhookReceiver();
  const control = mkdtempSync(join(tmpdir(), 'homeostat-unready-'));
  const unready = join(control, 'unready');
  writeFileSync(unready, 'until the test deletes this file');
  const h = new UpHarness(`services:
${fileReadyService('app', unready)}policies:
  unready:
    match: { symptom: [readiness-failing] }
    ladder: [{ action: restart }, { action: escalate }]
    verify: { healthyFor: 300ms, timeout: 1500ms }
guardrails: { budgets: { perElement: { max: 50, window: 1h } }, breaker: { failures: 20 } }
api: { publicUrl: "https://homeostat.example.com/" }
escalation:
  retryEvery: 2s
  webhooks:
    - { url: "${hook.url}/pd", format: pagerduty, routingKey: R1 }
    - { url: "${hook.url}/json", format: json }
    - { url: "${hook.url}/slack", format: slack }
`);
  try {
    await h.up();
    const incident = await h.waitForIncident((i) => i.element === 'app' && i.status === 'escalated', 60_000, 'the unready app escalated');
    const entries = async () => (await h.knowledge().incidents.explain(incident.id))!.entries;
    // Long enough for a duplicate to show: the first run finished (its "ladder exhausted"
    // ending) and the next slow-retry cycle ran its ladder to the end as well.
    await h.waitFor(async () => (await entries()).filter((e) => e.kind === 'outcome' && e.data.outcome === 'escalated').length >= 2, 60_000, 'two remediation runs ending escalated');

    assert.equal(pdTriggers(hook.received).length, 1, JSON.stringify(hook.received.map((p) => p.path)));
    assert.equal(jsonOf(hook.received, 'trigger').length, 1);
    assert.equal(slackOf(hook.received, false).length, 1);
    const trigger = pdTriggers(hook.received)[0]!.body as { dedup_key: string; links?: { href: string }[] };
    assert.equal(trigger.dedup_key, incident.id);
    assert.deepEqual(trigger.links?.map((l) => l.href), [`https://homeostat.example.com/#/incidents/${incident.id}`]);
    const json = jsonOf(hook.received, 'trigger')[0]!.body as { version: number; incident: { id: string; diagnosis: { cause?: unknown } | null }; link: string };
    assert.equal(json.version, 1);
    assert.equal(json.incident.id, incident.id);
    assert.equal(typeof json.incident.diagnosis?.cause, 'string', `the diagnosis is an object, not JSON text: ${JSON.stringify(json.incident.diagnosis)}`);
    assert.equal(json.link, `https://homeostat.example.com/#/incidents/${incident.id}`);
    const paged = (await entries()).find((e) => e.kind === 'escalation' && e.data.paged === false)!;
    assert.match(String(paged.data.detail), /^already paged at \d{4}-\d\d-\d\dT/);

    // Healed: the next cycle's restart verifies (or the incident resolves externally).
    rmSync(unready);
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 60_000, 'the incident resolved once healthy');
    await h.waitFor(async () => (await entries()).some((e) => e.kind === 'escalation' && e.data.event === 'resolve'), 30_000, 'the resolve recorded');
    const resolves = pdResolves(hook.received);
    assert.equal(resolves.length, 1);
    assert.equal((resolves[0]!.body as { dedup_key: string }).dedup_key, incident.id);
    const jsonResolves = jsonOf(hook.received, 'resolve');
    assert.equal(jsonResolves.length, 1);
    assert.equal((jsonResolves[0]!.body as { incident: { resolution: string } }).incident.resolution, resolved.resolution);
    assert.equal(slackOf(hook.received, true).length, 1);
    assert.equal(pdTriggers(hook.received).length, 1, 'no page after the resolution');
    const recorded = (await entries()).filter((e) => e.kind === 'escalation' && e.data.event === 'resolve');
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0]!.data.ok, true);
  } finally {
    await h.close();
    await hook.close();
    rmSync(control, { recursive: true, force: true });
  }
});
