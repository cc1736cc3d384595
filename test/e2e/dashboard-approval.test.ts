import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { exampleServicesYaml, freePort, launchBrowser, openPage, REPO_ROOT, screenshot } from './dashboard-harness.js';
import { UpHarness } from './loop-harness.js';

// The first restart after a crash is immediate; the second waits out the backoff (60 s),
// so after two crashes the api stays down until someone approves the loop's restart.
function system(dependencyPort: number, standbyPort: number): string {
  const api = '    restartBackoff: { initial: 60s, max: 60s, resetAfter: 10m }\n    crashLoop: { restarts: 10, window: 1m }\n';
  return `${exampleServicesYaml(dependencyPort, standbyPort, api)}policies:
  api-crash:
    match: { symptom: [process-crashed], service: [api] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 1s, timeout: 20s }
    approval: { required: true, ttl: 5m, warnBefore: 10s }
escalation: { retryEvery: 1h }
`;
}

/**
 * Set to write docs/dashboard.png, the README's picture, from this test's pending-approval
 * moment (after half a minute of sparkline samples).
 */
const README_SCREENSHOT = process.env.HOMEOSTAT_README_SCREENSHOT === '1';

test('dashboard: a pending approval shows in the inbox; clicking Approve lets the restart run and the incident resolve', async () => {
  const h = new UpHarness(system(await freePort(), await freePort()));
  let browser: Browser | undefined;
  try {
    await h.up();
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
    const created = await h.cli('token', 'create', '--role', 'operator', '--name', 'alice');
    assert.equal(created.status, 0, created.out);
    const token = created.out.split('\n')[0]!;
    await h.healthy('api');
    await h.healthy('worker');

    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(`${apiUrl}/#token=${token}`);
    await page.getByRole('button', { name: /^service api: healthy/ }).waitFor({ timeout: 20_000 });
    await page.getByRole('img', { name: /^RSS of api#0: now \d/ }).waitFor({ timeout: 20_000 });
    if (README_SCREENSHOT) {
      // For the picture only: let the sparklines cover half a minute first.
      const rss = page.getByRole('img', { name: /^RSS of api#0: now/ });
      await h.waitFor(async () => Number(/over (\d+) s$/.exec((await rss.getAttribute('aria-label')) ?? '')?.[1]) >= 30, 60_000, 'half a minute of samples');
    }

    const pidOf = async () => {
      const state = (await h.db().listElementStates()).find((s) => s.instance === 'api#0' && s.state === 'running');
      return state ? (JSON.parse(state.data) as { pid: number | null }).pid ?? undefined : undefined;
    };
    const firstPid = await h.waitFor(pidOf, 20_000, 'the pid of api#0');
    process.kill(firstPid, 'SIGKILL');
    const recent = page.getByRole('list', { name: 'recent incidents' });
    const waiting = recent.getByRole('listitem').filter({ hasText: 'process-crashed' }).filter({ hasText: 'awaiting-approval' }).first();
    await waiting.waitFor({ timeout: 20_000 });
    const incidentId = (await waiting.getAttribute('data-incident'))!;
    const secondPid = await h.waitFor(async () => {
      const pid = await pidOf();
      return pid !== firstPid && pid;
    }, 20_000, 'api#0 restarted by the supervisor');
    process.kill(secondPid, 'SIGKILL');
    await page.getByRole('button', { name: /^service api: down/ }).waitFor({ timeout: 20_000 });
    await page.getByLabel('pending approvals').filter({ hasText: '1' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-approval-1-waiting', README_SCREENSHOT ? join(REPO_ROOT, 'docs', 'dashboard.png') : undefined);
    assert.equal((await h.db().listAudit({ afterSeq: 0, limit: 1_000 })).filter((a) => a.action === 'action.restart').length, 0, 'nothing ran without approval');

    await page.getByRole('link', { name: /^Approvals/ }).click();
    const inbox = page.getByRole('table', { name: 'pending approvals' });
    const row = inbox.getByRole('row').filter({ hasText: incidentId });
    await row.waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-approval-2-inbox');
    await row.getByRole('button', { name: 'Approve restart api#0' }).click();
    await page.getByRole('status').filter({ hasText: 'Approved: restart api#0' }).waitFor({ timeout: 20_000 });
    await page.getByRole('table', { name: 'decided approvals' }).getByRole('row').filter({ hasText: incidentId }).filter({ hasText: 'api:alice' }).waitFor({ timeout: 20_000 });
    await page.getByText('Nothing to approve.').waitFor({ timeout: 20_000 });

    await page.getByRole('link', { name: incidentId }).first().click();
    await page.getByRole('heading', { name: `Incident ${incidentId} resolved` }).waitFor({ timeout: 30_000 });
    const chain = page.getByRole('list', { name: `explanation of incident ${incidentId}` });
    await chain.getByText(/approval approved for restart api#0 by api:alice/).waitFor({ timeout: 20_000 });
    await chain.getByText(/restart api#0: verified/).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-approval-3-resolved');

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('button', { name: /^service api: healthy/ }).waitFor({ timeout: 20_000 });
    assert.equal((await h.db().getIncident(incidentId))?.status, 'resolved');
    const audit = await h.db().listAudit({ afterSeq: 0, limit: 1_000 });
    assert.ok(audit.some((a) => a.action === 'approval.approved' && a.actor === 'api:alice'), 'the approval is audited as the token that clicked');
    assert.deepEqual(problems, []);
  } catch (error) {
    // What the loop did, to tell a slow machine from a wrong page.
    const incidents = await h.incidents().catch(() => []);
    console.error(`incidents: ${JSON.stringify(incidents.map((i) => [i.id, i.symptom, i.status, i.summary]))}\n--- homeostat up output ---\n${h.lines.slice(-40).join('\n')}`);
    throw error;
  } finally {
    await browser?.close();
    await h.close();
  }
});
