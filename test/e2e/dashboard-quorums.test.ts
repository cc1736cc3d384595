// The agents view's quorums over real agent processes: three adders answer one sum, one of
// them wrong on purpose; the view shows the accepted answer, k of n, the comparator and
// every vote, the faulty agent's as a dissent with what it answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { quarantineByOperator } from '../../src/agents/operator-agent-control.js';
import { createAgentQuorum } from '../../src/agents/agent-quorum.js';
import { defineWorkflow } from '../../src/workflow/define-workflow.js';
import { ChildGroup } from '../integration/helpers/child.js';
import { openAgentsApi } from './agents-api-harness.js';
import { launchBrowser, openPage, screenshot } from './dashboard-harness.js';

const ADDER = new URL('../integration/agents/fixtures/quorum-agent-process.js', import.meta.url);

test('dashboard: the agents view shows a quorum\'s decision and every vote, a faulty agent\'s as a dissent, each agent\'s reliability, and a person\'s quarantine with who and why', async () => {
  const api = await openAgentsApi('dashboard-quorums', (store) => {
    const quorum = createAgentQuorum(store);
    const sum = defineWorkflow('dashboard-quorum-sum', async (ctx, input: { a: number; b: number }) => {
      const result = await quorum.agents<{ sum: number }>(ctx, 'sum', { capability: 'add', input, n: 3, k: 2, comparator: 'json' });
      return result.answer;
    });
    return [sum as never];
  });
  const { store, engine, tokens, knowledge, url } = api;
  const children = new ChildGroup();
  let browser: Browser | undefined;
  try {
    const viewer = await tokens.create('vera', 'viewer', 'test');
    const adders = [];
    for (const [name, mode] of [['adder-1'], ['adder-2'], ['adder-3', 'wrong']] as const) {
      const child = children.spawn(ADDER, [url, (await tokens.create(name, 'agent', 'test')).token, name, 'add', '1', '20', ...(mode ? [mode] : [])]);
      await child.waitForLine((line) => line.type === 'registered', 15_000, `${name} registered`);
      adders.push(child);
    }
    await engine.start('dashboard-quorum-sum', { a: 2, b: 3 }, { id: 'sum-2-3' });
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
    await api.close();
  }
});
