import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { remediationReference } from '../../src/execute/remediation-reference.js';
import { launchBrowser, openPage, screenshot } from './dashboard-harness.js';
import { UpHarness } from './loop-harness.js';

// An approval-gated restart: after a crash the remediation run waits, in flight, for a person.
const CONFIG = `services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
policies:
  api-crash:
    match: { symptom: [process-crashed], service: [api] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 300ms, timeout: 10s }
    approval: { required: true, ttl: 10m }
escalation: { retryEvery: 1h }
`;

test('dashboard: from the incident view an operator acknowledges, adds a note and closes the incident; its waiting remediation is cancelled', async () => {
  const h = new UpHarness(CONFIG);
  let browser: Browser | undefined;
  try {
    await h.up();
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
    const created = await h.cli('token', 'create', '--role', 'operator', '--name', 'alice');
    assert.equal(created.status, 0, created.out);
    const token = created.out.split('\n')[0]!;
    await h.healthy('api');
    await h.fault('api#0', 'crash');
    const incident = await h.waitForIncident((i) => i.status === 'awaiting-approval', 30_000, 'the incident awaiting approval');
    const runId = remediationReference(incident, 0).runId;

    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(`${apiUrl}/#token=${token}&/incidents/${encodeURIComponent(incident.id)}`);
    await page.getByRole('heading', { name: `Incident ${incident.id} awaiting-approval` }).waitFor({ timeout: 20_000 });
    const actions = page.getByRole('group', { name: 'incident actions' });
    const chain = page.getByRole('list', { name: `explanation of incident ${incident.id}` });

    await actions.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('status').filter({ hasText: `Acknowledged: incident ${incident.id}` }).waitFor({ timeout: 20_000 });
    await page.locator('dd.acknowledged').filter({ hasText: 'by api:alice' }).waitFor({ timeout: 20_000 });
    await actions.getByRole('button', { name: 'Acknowledge' }).waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal((await h.db().getIncident(incident.id))?.acknowledgedBy, 'api:alice');

    await actions.getByRole('textbox', { name: `Note on incident ${incident.id}` }).fill('file handles ran out; raising the limit');
    await actions.getByRole('button', { name: 'Add note' }).click();
    await chain.getByText('api:alice: file handles ran out; raising the limit', { exact: true }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-incident-actions-1-acknowledged');

    // Closing needs a reason: the page says so and nothing is sent.
    await actions.getByRole('button', { name: 'Close incident' }).click();
    await page.getByText('Closing needs a reason: what was done.').waitFor({ timeout: 20_000 });
    assert.equal((await h.db().getIncident(incident.id))?.status, 'awaiting-approval');

    await actions.getByRole('textbox', { name: `Reason for closing incident ${incident.id}` }).fill('limit raised, restarted by hand');
    await actions.getByRole('button', { name: 'Close incident' }).click();
    await page.getByRole('status').filter({ hasText: `Closed: incident ${incident.id}` }).waitFor({ timeout: 20_000 });
    await page.getByRole('heading', { name: `Incident ${incident.id} resolved` }).waitFor({ timeout: 20_000 });
    await page.locator('dd.resolution').filter({ hasText: 'by hand: closed by api:alice' }).waitFor({ timeout: 20_000 });
    await chain.getByText(`closed by api:alice: cancelled remediation ${runId}; denied pending approval ${runId}:0`, { exact: true }).waitFor({ timeout: 20_000 });
    await chain.getByText('resolved by api:alice — limit raised, restarted by hand', { exact: true }).waitFor({ timeout: 20_000 });
    // Resolved: nothing left to acknowledge or close; a note can still be added.
    await actions.getByRole('button', { name: 'Close incident' }).waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal(await actions.getByRole('button', { name: 'Add note' }).count(), 1);
    await screenshot(page, 'dashboard-incident-actions-2-closed');

    const closed = (await h.db().getIncident(incident.id))!;
    assert.deepEqual([closed.status, closed.resolution, closed.resolvedBy], ['resolved', 'operator', 'api:alice']);
    assert.equal((await h.db().getRun(runId))?.status, 'cancelled');
    const audit = (await h.db().listAudit({ afterSeq: 0, limit: 1_000 })).filter((a) => a.actor === 'api:alice').map((a) => a.action);
    assert.deepEqual(audit, ['incident.acknowledged', 'incident.annotated', 'approval.denied', 'incident.resolved']);
    assert.deepEqual(problems, []);
  } catch (error) {
    const incidents = await h.incidents().catch(() => []);
    console.error(`incidents: ${JSON.stringify(incidents.map((i) => [i.id, i.symptom, i.status, i.summary]))}\n--- homeostat up output ---\n${h.lines.slice(-40).join('\n')}`);
    throw error;
  } finally {
    await browser?.close();
    await h.close();
  }
});
