// The agents view's quorums over real agent processes: three adders answer one sum, one of
// them wrong on purpose; the view shows the accepted answer, k of n, the comparator and
// every vote, the faulty agent's as a dissent with what it answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { AgentDispatcher } from '../../src/agents/agent-dispatcher.js';
import { quarantineByOperator } from '../../src/agents/operator-agent-control.js';
import { createAgentQuorum } from '../../src/agents/agent-quorum.js';
import { buildApi } from '../../src/api/api-server.js';
import { ApiTokens } from '../../src/api/api-tokens.js';
import { LiveEventHub } from '../../src/api/live-events.js';
import { Knowledge } from '../../src/knowledge/knowledge.js';
import { TimeSeriesStore } from '../../src/monitor/time-series.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { defineWorkflow } from '../../src/workflow/define-workflow.js';
import { Engine } from '../../src/workflow/engine.js';
import { ChildGroup } from '../integration/helpers/child.js';
import { launchBrowser, openPage, screenshot } from './dashboard-harness.js';

const ADDER = new URL('../integration/agents/fixtures/quorum-agent-process.js', import.meta.url);

test('dashboard: the agents view shows a quorum\'s decision and every vote, a faulty agent\'s as a dissent, each agent\'s reliability, and a person\'s quarantine with who and why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-dashboard-quorums-'));
  const store = SqliteStore.open(join(dir, 'homeostat.db'));
  const quorum = createAgentQuorum(store);
  const sum = defineWorkflow('dashboard-quorum-sum', async (ctx, input: { a: number; b: number }) => {
    const result = await quorum.agents<{ sum: number }>(ctx, 'sum', { capability: 'add', input, n: 3, k: 2, comparator: 'json' });
    return result.answer;
  });
  const engine = await Engine.open({ store, workflows: [sum as never] });
  const dispatcher = new AgentDispatcher(store, (runId, name, payload) => engine.signal(runId, name, payload));
  dispatcher.startSweeping(200, () => undefined);
  const tokens = new ApiTokens(store);
  const live = new LiveEventHub(store, 100);
  const knowledge = new Knowledge(store);
  const app = await buildApi({ store, knowledge, engine, tokens, series: new TimeSeriesStore(), live, now: Date.now, agents: dispatcher });
  const children = new ChildGroup();
  let browser: Browser | undefined;
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const viewer = await tokens.create('vera', 'viewer', 'test');
    const adders = [];
    for (const [name, mode] of [['adder-1'], ['adder-2'], ['adder-3', 'wrong']] as const) {
      const child = children.spawn(ADDER, [url, (await tokens.create(name, 'agent', 'test')).token, name, 'add', '1', '20', ...(mode ? [mode] : [])]);
      await child.waitForLine((line) => line.type === 'registered', 15_000, `${name} registered`);
      adders.push(child);
    }
    await engine.start(sum, { a: 2, b: 3 }, { id: 'sum-2-3' });
    assert.deepEqual(await engine.result('sum-2-3', { timeout: '20s' }), { sum: 5, unit: 'count' });

    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(`${url}/#token=${viewer.token}`);
    await page.getByRole('link', { name: 'Agents' }).click();
    const row = page.getByRole('table', { name: 'quorums' }).getByRole('row').filter({ hasText: 'sum' });
    await row.filter({ hasText: 'accepted' }).filter({ hasText: '2 of 3' }).filter({ hasText: 'json' }).filter({ hasText: 'sum-2-3' }).filter({ hasText: 'dissenters: adder-3' }).waitFor({ timeout: 20_000 });
    await row.locator('li[data-voter="adder-3"][data-agreed="false"]').filter({ hasText: 'dissented' }).filter({ hasText: '"sum":6' }).waitFor();
    for (const agreeing of ['adder-1', 'adder-2']) await row.locator(`li[data-voter="${agreeing}"][data-agreed="true"]`).filter({ hasText: '"sum":5' }).waitFor();
    await screenshot(page, 'dashboard-quorums-1-decided');

    // Each agent's standing and reliability: the dissenter agreed in none of its votes; a
    // person quarantines it, and the page says who and why.
    const agents = page.getByRole('table', { name: 'agents', exact: true });
    await agents.locator('tr[data-agent="adder-3"][data-standing="in-service"]').filter({ hasText: '0 % (0/1)' }).waitFor({ timeout: 20_000 });
    await agents.locator('tr[data-agent="adder-1"][data-standing="in-service"]').filter({ hasText: '100 % (1/1)' }).waitFor();
    await quarantineByOperator({ store, audit: (...entry) => knowledge.audit.append(...entry), now: Date.now }, 'adder-3', 'alice', 'answers one too many');
    await agents.locator('tr[data-agent="adder-3"][data-standing="quarantined"]').filter({ hasText: /by alice (just now|\d+ s ago): answers one too many/ }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-quorums-2-quarantined');
    assert.deepEqual(problems, []);
  } finally {
    await children.killAll();
    await browser?.close();
    dispatcher.stop();
    live.close();
    await app.close();
    await engine.close(500);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
