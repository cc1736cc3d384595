import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileReadyService, UpHarness, webhookReceiver } from './loop-harness.js';

/**
 * A paged incident closed while no `up` runs (the CLI on the store, `--local`) has nobody to
 * send its resolve: the next `up` that leads sends it, once. Real `homeostat up`, real
 * receiver on 127.0.0.1.
 */
test('a paged incident closed with --local while up is stopped gets its resolve from the next up, once', async () => {
  const hook = await webhookReceiver();
  const control = mkdtempSync(join(tmpdir(), 'homeostat-unready-'));
  const unready = join(control, 'unready');
  writeFileSync(unready, 'until the test deletes this file');
  const h = new UpHarness(`services:
${fileReadyService('app', unready)}policies:
  unready:
    match: { symptom: [readiness-failing] }
    ladder: [{ action: escalate }]
escalation:
  retryEvery: 1h
  webhooks:
    - { url: "${hook.url}/pd", format: pagerduty, routingKey: R1 }
`);
  try {
    await h.up();
    const incident = await h.waitForIncident((i) => i.element === 'app' && i.status === 'escalated', 60_000, 'the unready app escalated');
    await h.waitFor(() => hook.received.some((p) => p.body.event_action === 'trigger'), 20_000, 'the page');
    await h.down('SIGTERM');
    rmSync(unready);

    const closed = await h.cli('incident', 'close', incident.id, '--local', '--by', 'alice', '--reason', 'fixed the config by hand');
    assert.equal(closed.status, 0, closed.out);
    assert.equal(hook.received.filter((p) => p.body.event_action === 'resolve').length, 0, 'no up ran: nobody sent the resolve');

    await h.up();
    await h.waitFor(() => hook.received.some((p) => p.body.event_action === 'resolve'), 30_000, 'the resolve sent by the next up');
    const resolves = hook.received.filter((p) => p.body.event_action === 'resolve');
    assert.deepEqual(resolves.map((p) => p.body.dedup_key), [incident.id]);
    // The notifier records the send after the receiver answered: wait for the record, not only the POST.
    const resolveRecords = async () => (await h.knowledge().incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'escalation' && e.data.event === 'resolve');
    await h.waitFor(async () => (await resolveRecords()).length > 0, 10_000, 'the resolve recorded on the incident');
    assert.equal((await resolveRecords()).length, 1);
  } finally {
    await h.close();
    await hook.close();
    rmSync(control, { recursive: true, force: true });
  }
});
