import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { ElementStateRecord } from '../../src/store/records.js';
import { ApiHarness } from './api-harness.js';
import { launchBrowser, openPage, screenshot } from './dashboard-harness.js';

const state = (instance: string, state: string, health: string, details: Record<string, unknown> = {}): ElementStateRecord => ({
  instance,
  element: instance.split('#')[0]!,
  owner: 'test-supervisor',
  state,
  health,
  data: JSON.stringify({ pid: state === 'running' ? 4242 : null, restarts: 0, role: 'active', rssBytes: 30_000_000, cpuPercent: 1.5, ...details }),
  updatedAt: Date.now(),
});

test('dashboard graph: edges from dependsOn and to a standby, each node its worst instance; without dependsOn no edges but every node; pushed series as sparklines', async () => {
  const h = await ApiHarness.open();
  let browser: Browser | undefined;
  try {
    const crash = { code: 1, signal: null, reason: 'exited', at: Date.now() - 1_000 };
    await h.store.saveElementStates('test-supervisor', [
      state('api#0', 'running', 'healthy'),
      state('api#1', 'backoff', '-', { lastExit: crash }),
      state('worker#0', 'running', 'healthy'),
      state('dependency#0', 'running', 'not-ready'),
      state('dependency-standby#0', 'running', 'healthy', { role: 'standby' }),
    ]);
    const now = Date.now();
    for (let i = 0; i < 20; i++) h.series.append('api_requests_total', { service: 'api', instance: 'api#0' }, i * 5, now - (20 - i) * 1_000);
    const url = await h.app.listen({ host: '127.0.0.1', port: 0 });

    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(`${url}/#token=${h.token.viewer}`);
    const node = (service: string, status: string) => page.getByRole('button', { name: new RegExp(`^service ${service}: ${status},`) });
    // No config applied yet: no dependsOn, so no edges — but every service, and the standby by its name.
    await node('api', 'down').waitFor({ timeout: 20_000 });
    await node('dependency', 'not-ready').waitFor();
    assert.equal(await page.locator('svg.graph path[data-from="api"]').count(), 0);
    assert.equal(await page.locator('svg.graph path[data-from="dependency"][data-to="dependency-standby"]').count(), 1);
    assert.match((await node('api', 'down').getAttribute('aria-label'))!, /1 of 2 instances up/);

    await h.knowledge.configVersions.applied(
      ['services:', '  api: { command: node, dependsOn: [dependency] }', '  worker: { command: node, dependsOn: [dependency, api] }', '  dependency: { command: node, standby: dependency-standby }', '  dependency-standby: { command: node }', ''].join('\n'),
      'test',
    );
    for (const [from, to] of [['api', 'dependency'], ['worker', 'dependency'], ['worker', 'api']]) {
      await page.locator(`svg.graph path[data-from="${from}"][data-to="${to}"]`).waitFor({ state: 'attached', timeout: 20_000 });
    }
    // Dependents left of what they use: worker → api → dependency.
    // The overview re-renders every 2 s: a node may be between renders when asked, so ask again.
    const x = async (service: string) => {
      for (let attempt = 0; ; attempt++) {
        const box = await page.locator(`svg.graph g[data-service="${service}"]`).boundingBox();
        if (box) return box.x;
        if (attempt >= 100) throw new Error(`the graph node of ${service} never had a box`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    assert.ok((await x('worker')) < (await x('api')) && (await x('api')) < (await x('dependency')), 'columns follow the dependencies');
    assert.equal(await x('dependency-standby'), await x('dependency'), 'the standby sits under its primary');

    const instances = page.getByRole('table', { name: 'instances of api' });
    await instances.getByRole('row').filter({ hasText: 'api#1' }).filter({ hasText: 'down' }).waitFor();
    await page.getByRole('img', { name: /^api_requests_total\/s · api#0: now 5\.0/ }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-graph');

    // The crashed replica's replacement is restarting until healthy, then the node turns green.
    await h.store.saveElementStates('test-supervisor', [
      state('api#0', 'running', 'healthy'),
      state('api#1', 'running', 'starting', { lastExit: crash }),
      state('worker#0', 'running', 'healthy'),
      state('dependency#0', 'running', 'healthy'),
      state('dependency-standby#0', 'running', 'healthy', { role: 'standby' }),
    ]);
    await node('api', 'restarting').waitFor({ timeout: 20_000 });
    await h.store.saveElementStates('test-supervisor', [state('api#0', 'running', 'healthy'), state('api#1', 'running', 'healthy', { lastExit: crash }), state('worker#0', 'running', 'healthy'), state('dependency#0', 'running', 'healthy'), state('dependency-standby#0', 'running', 'healthy', { role: 'standby' })]);
    await node('api', 'healthy').waitFor({ timeout: 20_000 });
    await node('dependency', 'healthy').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await h.close();
  }
});
