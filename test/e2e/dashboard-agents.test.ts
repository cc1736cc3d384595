// The dashboard's agents view over real agent processes: each agent's health, load against
// capacity, capabilities, version and owner; the tasks with their state and holder; an agent
// SIGKILLed while holding a task goes dead in the view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { AgentDispatcher } from '../../src/agents/agent-dispatcher.js';
import { createAgentTasks } from '../../src/agents/agent-tasks.js';
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

const AGENT = new URL('../integration/agents/fixtures/agent-process.js', import.meta.url);

test('dashboard: the agents view shows each agent\'s health, load, capabilities, version and owner, and the tasks with their state; a SIGKILLed agent goes dead', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-dashboard-agents-'));
  const store = SqliteStore.open(join(dir, 'homeostat.db'));
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
  const engine = await Engine.open({ store, workflows: [report as never] });
  const dispatcher = new AgentDispatcher(store, (runId, name, payload) => engine.signal(runId, name, payload));
  dispatcher.startSweeping(200, () => undefined);
  const tokens = new ApiTokens(store);
  const live = new LiveEventHub(store, 100);
  const app = await buildApi({ store, knowledge: new Knowledge(store), engine, tokens, series: new TimeSeriesStore(), live, now: Date.now, agents: dispatcher });
  const children = new ChildGroup();
  let browser: Browser | undefined;
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const viewer = await tokens.create('vera', 'viewer', 'test');
    // The researcher answers in 100 ms; the writer holds its task (10 minutes of "work") until it is killed.
    const researcher = children.spawn(AGENT, [url, (await tokens.create('researcher', 'agent', 'test')).token, 'researcher', 'research', '2', '100']);
    const writer = children.spawn(AGENT, [url, (await tokens.create('writer', 'agent', 'test')).token, 'writer', 'summarize', '1', '600000']);
    await researcher.waitForLine((line) => line.type === 'registered', 15_000, 'the researcher registered');
    await writer.waitForLine((line) => line.type === 'registered', 15_000, 'the writer registered');
    await engine.start(report, 'tides', { id: 'report-tides' });
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
    dispatcher.stop();
    live.close();
    await app.close();
    await engine.close(500);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
