import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleApiService, EXAMPLES, UpHarness, webhookReceiver } from './loop-harness.js';

const service = `
services:
${exampleApiService()}
`;

const v1 = `${service}
policies:
  restart-api:
    match: { symptom: [process-crashed, liveness-failing] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 500ms, timeout: 10s }
`;

/** v2: the same policy now needs an approval (which expires unanswered), an escalation webhook, and a scrape target. */
const v2 = (webhook: string) => `stateDir: state
${service}
monitor:
  scrape: [{ service: api, every: 250ms }]
policies:
  restart-api:
    match: { symptom: [process-crashed, liveness-failing] }
    ladder: [{ action: restart, scope: instance }]
    approval: { required: true, ttl: 1500ms, warnBefore: 0ms }
    verify: { healthyFor: 500ms, timeout: 10s }
escalation:
  webhooks: [{ url: "${webhook}/page", format: json }]
  retryEvery: 1h
`;

/**
 * The red team's H1: after `config apply` with `approval.required: true` the next incident
 * still restarted without asking, and webhooks added later were "not configured" —
 * policies, guardrails, escalation and scrape targets kept their start-up values. An
 * applied version is enforced whole, or refused with the keys that need a restart.
 */
test('a config applied through the API is enforced in full: the new approval gate, escalation webhook and scrape target; restart-only keys are refused', async () => {
  const receiver = await webhookReceiver();
  const h = new UpHarness(v1);
  try {
    await h.up();
    await h.healthy('api');
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at /))![1]!;
    const admin = (await h.cli('token', 'create', '--role', 'admin', '--name', 'e2e-admin')).out.split('\n')[0]!;
    const apply = (yaml: string) => fetch(`${apiUrl}/api/config/apply`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ yaml }) });

    const applied = await apply(v2(receiver.url).replaceAll('$EXAMPLES', EXAMPLES).replaceAll('$NODE', process.execPath));
    assert.equal(applied.status, 200, await applied.text());
    const audit = await h.db().listAudit({ afterSeq: 0, limit: 1_000 });
    assert.deepEqual(
      audit.filter((a) => a.action === 'config.applied').map((a) => a.actor),
      ['controller', 'api:e2e-admin'],
      'v1 by up at start-up, v2 by the admin who applied it',
    );

    // Scrape targets follow the applied version: homeostat starts scraping the api.
    await h.waitFor(async () => /homeostat_scrapes_total\{outcome="ok"\} [1-9]/.test(await h.metrics()), 10_000, 'a scrape of the api, added by v2');

    // The next incident asks before restarting; nobody answers, so nothing is restarted and the new webhook is paged.
    await h.fault('api#0', 'hang');
    const incident = await h.waitForIncident((i) => i.status === 'escalated', 30_000, 'the hang incident escalated after the approval expired');
    const entries = (await h.knowledge().incidents.explain(incident.id))!.entries;
    const approvals = entries.filter((e) => e.kind === 'approval').map((e) => e.data.status);
    assert.deepEqual(approvals, ['pending', 'expired'], JSON.stringify(entries.map((e) => [e.kind, e.data])));
    assert.equal(entries.filter((e) => e.kind === 'action').length, 0, 'no restart ran without the approval');
    const policy = entries.find((e) => e.kind === 'policy')!;
    assert.equal(policy.data.approval, true);
    await h.waitFor(() => receiver.received.find((r) => r.path === '/page'), 10_000, 'the webhook added by v2 paged');
    const page = receiver.received.find((r) => r.path === '/page')!;
    assert.equal((page.body.incident as { id: string }).id, incident.id);
    const outcome = entries.find((e) => e.kind === 'outcome')!;
    assert.match(String(outcome.data.detail), /no action was allowed to run \(restart api#0: approval expired\)/);

    // A version that moves the API's port cannot be enforced by a running up: refused whole, with the key named.
    const versionsBefore = (await h.knowledge().configVersions.list()).length;
    const moved = await apply(`api: { port: 1 }\n${v2(receiver.url)}`.replaceAll('$EXAMPLES', EXAMPLES).replaceAll('$NODE', process.execPath));
    assert.equal(moved.status, 409, await moved.clone().text());
    const refused = (await moved.json()) as { error: { code: string; message: string } };
    assert.equal(refused.error.code, 'HS_CONFIG_NEEDS_RESTART');
    assert.match(refused.error.message, /\bapi\b.*read only when homeostat up starts/);
    assert.equal((await h.knowledge().configVersions.list()).length, versionsBefore, 'the refused version is not recorded as applied');
  } finally {
    await h.close();
    await receiver.close();
  }
});
