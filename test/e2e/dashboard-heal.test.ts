import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { exampleServicesYaml, freePort, launchBrowser, openPage, recordAttribute, screenshot } from './dashboard-harness.js';
import { UpHarness } from './loop-harness.js';

/**
 * The example system: an API (two replicas) and a worker over a dependency with a standby,
 * joined by `dependsOn`: the api's crash must still be the api's incident, not blamed on
 * the healthy dependency that merely sees less traffic.
 */
function exampleSystem(dependencyPort: number, standbyPort: number): string {
  // The supervisor alone would wait 30 s: the loop's restart is what heals it here.
  const api = '    replicas: 2\n    restartBackoff: { initial: 30s, max: 30s }\n';
  return `${exampleServicesYaml(dependencyPort, standbyPort, api)}policies:
  crashed:
    match: { symptom: [process-crashed, liveness-failing] }
    ladder: [{ action: restart }, { action: stop-start }]
    verify: { healthyFor: 1s, timeout: 20s }
`;
}

test('dashboard: a SIGKILLed api replica turns the service unhealthy in the page, an incident appears, then it heals and resolves', async () => {
  const h = new UpHarness(exampleSystem(await freePort(), await freePort()));
  let browser: Browser | undefined;
  try {
    await h.up();
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
    const created = await h.cli('token', 'create', '--role', 'operator', '--name', 'dashboard-e2e');
    assert.equal(created.status, 0, created.out);
    const token = created.out.split('\n')[0]!;
    await h.healthy('api', 2);
    await h.healthy('dependency');
    await h.healthy('worker');

    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(`${apiUrl}/#token=${token}`);
    // The token left the address bar at once and lives in this tab's session only.
    await page.waitForURL((url) => !url.hash.includes('token='), { timeout: 20_000 });
    assert.equal(await page.evaluate('sessionStorage.getItem("homeostat.token")'), token);

    const apiNode = (status: string) => page.getByRole('button', { name: new RegExp(`^service api: ${status}`) });
    await apiNode('healthy').waitFor({ timeout: 20_000 });
    for (const service of ['dependency', 'dependency-standby', 'worker']) await page.getByRole('button', { name: new RegExp(`^service ${service}: healthy`) }).waitFor({ timeout: 20_000 });
    // The standby under its primary (`dependsOn` edges: dashboard-graph.test.ts).
    await page.locator('svg.graph path[data-from="dependency"][data-to="dependency-standby"]').waitFor({ state: 'attached', timeout: 20_000 });
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    // CPU and RSS sparklines fill in from the supervisor's samples.
    await page.getByRole('img', { name: /^RSS of api#0: now \d/ }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-heal-1-healthy');

    const state = (await h.db().listElementStates()).find((s) => s.instance === 'api#0')!;
    const pid = (JSON.parse(state.data) as { pid: number }).pid;
    // Recorded from before the kill: the bad moment may be shorter than a poll once the loop acts.
    const apiStatuses = await recordAttribute(page, 'svg.graph g[data-service="api"]', 'data-status');
    process.kill(pid, 'SIGKILL');
    const seen = await h.waitFor(async () => {
      const statuses = await apiStatuses();
      return statuses.some((s) => ['down', 'restarting', 'unhealthy', 'crash-looping'].includes(s)) && statuses;
    }, 20_000, 'the api node turning down in the page');
    assert.equal(seen[0], 'healthy', `before the kill: ${seen.join(' → ')}`);
    await screenshot(page, 'dashboard-heal-2-unhealthy');

    const recent = page.getByRole('list', { name: 'recent incidents' });
    const item = recent.getByRole('listitem').filter({ hasText: 'process-crashed' }).filter({ hasText: 'api' }).first();
    await item.waitFor({ timeout: 20_000 });
    const incidentId = (await item.getAttribute('data-incident'))!;
    assert.match(incidentId, /^inc-/);
    await screenshot(page, 'dashboard-heal-3-incident');

    await recent.getByRole('listitem').filter({ hasText: incidentId }).filter({ hasText: /resolved in/ }).waitFor({ timeout: 30_000 });
    await apiNode('healthy').waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-heal-4-healed');
    const story = await apiStatuses();
    assert.equal(story.at(-1), 'healthy', story.join(' → '));
    assert.equal((await h.db().getIncident(incidentId))?.status, 'resolved');

    // The incident's story, as a timeline: the kill, the restart, its verification, the resolution.
    await recent.getByRole('link', { name: incidentId }).click();
    const chain = page.getByRole('list', { name: `explanation of incident ${incidentId}` });
    await chain.waitFor({ timeout: 20_000 });
    await chain.getByText(/api#0 exited \(signal SIGKILL/).waitFor();
    // Its ladder: restart, then stop-start should the restart not hold (a loaded machine's probes).
    await chain.getByText(/(restart|stop-start) api#0: verified/).first().waitFor();
    await chain.getByRole('listitem').filter({ hasText: 'resolution' }).waitFor();
    await page.getByRole('heading', { name: `Incident ${incidentId} resolved` }).waitFor();
    await screenshot(page, 'dashboard-heal-5-timeline');

    const nav = page.getByRole('navigation', { name: 'Views' });
    await nav.getByRole('link', { name: /^Incidents/ }).click();
    await page.getByRole('table', { name: 'resolved incidents' }).getByRole('row').filter({ hasText: incidentId }).filter({ hasText: 'process-crashed' }).waitFor({ timeout: 20_000 });
    await page.getByText('No open incidents.').waitFor();

    // The audit view verifies the chain the loop wrote.
    await nav.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('status').filter({ hasText: /Chain valid — \d+ entries checked/ }).waitFor({ timeout: 20_000 });
    await page.getByRole('table', { name: 'audit entries' }).getByRole('rowheader', { name: 'action.restart' }).first().waitFor();
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
