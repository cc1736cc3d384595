// The dashboard's agents view over real agent processes: each agent's health, load against
// capacity, capabilities, version and owner; the tasks with their state and holder; an agent
// SIGKILLed while holding a task goes dead in the view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createAgentTasks } from '../../src/agents/agent-tasks.js';
import { defineWorkflow } from '../../src/workflow/define-workflow.js';
import { ChildGroup } from '../integration/helpers/child.js';
import { openAgentsApi } from './agents-api-harness.js';
import { launchBrowser, openPage, screenshot } from './dashboard-harness.js';

const AGENT = new URL('../integration/agents/fixtures/agent-process.js', import.meta.url);

test('dashboard: the agents view shows each agent\'s health, load, capabilities, version and owner, and the tasks with their state; a SIGKILLed agent goes dead', async () => {
  const api = await openAgentsApi('dashboard-agents', (store) => {
    const agents = createAgentTasks(store);
    const report = defineWorkflow('dashboard-agents-report', async (ctx, topic: string) => {
      const [facts, summary] = await Promise.all([
        agents.task<{ by: string }>(ctx, 'facts', { capability: 'research', input: { topic } }),
        // A lease of 10 s, not the default 800 ms: on a loaded machine a late heartbeat would let the
        // writer's claim lapse (and its load drop for good: its handler ignores the abort and keeps
        // its slot) before the page shows it full. With 5 s the page once never read the writer full
        // in a full run at load 8, which is what a lapse looks like.
        // After the kill, the task is queued again within the lease (the page is given 20 s).
        agents.task<{ by: string }>(ctx, 'summary', { capability: 'summarize', input: { topic }, lease: '10s' }),
      ]);
      return { facts: facts.by, summary: summary.by };
    });
    return [report as never];
  });
  const { store, engine, tokens, url } = api;
  const children = new ChildGroup();
  let browser: Browser | undefined;
  try {
    const viewer = await tokens.create('vera', 'viewer', 'test');
    // The researcher answers in 100 ms; the writer holds its task (10 minutes of "work") until it is killed.
    const researcher = children.spawn(AGENT, [url, (await tokens.create('researcher', 'agent', 'test')).token, 'researcher', 'research', '2', '100']);
    const writer = children.spawn(AGENT, [url, (await tokens.create('writer', 'agent', 'test')).token, 'writer', 'summarize', '1', '600000']);
    await researcher.waitForLine((line) => line.type === 'registered', 15_000, 'the researcher registered');
    await writer.waitForLine((line) => line.type === 'registered', 15_000, 'the writer registered');
    await engine.start('dashboard-agents-report', 'tides', { id: 'report-tides' });
    await writer.waitForLine((line) => line.type === 'claimed', 15_000, 'the writer claimed its task');
    await researcher.waitForLine((line) => line.type === 'completed', 15_000, 'the researcher completed its task');

    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(`${url}/#token=${viewer.token}`);
    await page.getByRole('link', { name: 'Agents' }).click();
    const table = page.getByRole('table', { name: 'agents', exact: true });
    const researcherRow = table.getByRole('row').filter({ hasText: 'researcher' });
    await researcherRow.filter({ hasText: 'alive' }).filter({ hasText: 'research' }).filter({ hasText: '1.0.0' }).filter({ hasText: 'test-team' }).waitFor({ timeout: 20_000 });
    await researcherRow.getByRole('meter', { name: 'load of researcher: 0 of 2' }).waitFor();
    const writerRow = table.getByRole('row').filter({ hasText: 'writer' });
    await writerRow.filter({ hasText: 'alive' }).filter({ hasText: '1/1 (full)' }).waitFor({ timeout: 20_000 });
    const tasks = page.getByRole('table', { name: 'agent tasks' });
    await tasks.getByRole('row').filter({ hasText: 'facts' }).filter({ hasText: 'completed' }).filter({ hasText: 'researcher' }).waitFor({ timeout: 20_000 });
    await tasks.getByRole('row').filter({ hasText: 'summary' }).filter({ hasText: 'claimed' }).filter({ hasText: 'writer' }).filter({ hasText: 'report-tides' }).waitFor({ timeout: 20_000 });
    await page.getByLabel('tasks by state').filter({ hasText: '1 claimed · 1 completed' }).waitFor();
    await screenshot(page, 'dashboard-agents-1-working');

    await writer.kill();
    await table.locator('tr[data-agent="writer"][data-health="dead"]').waitFor({ timeout: 20_000 });
    // Its lease lapsed with nobody else able to summarize: the task waits in the queue again.
    await tasks.getByRole('row').filter({ hasText: 'summary' }).filter({ hasText: 'queued' }).filter({ hasText: '1/3' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-agents-2-writer-dead');
    assert.equal((await store.listAgentTasks({ runId: 'report-tides' })).find((task) => task.name === 'summary')?.status, 'queued');
    assert.deepEqual(problems, []);
  } finally {
    await children.killAll();
    await browser?.close();
    await api.close();
  }
});
