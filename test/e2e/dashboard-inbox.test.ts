// The dashboard's inbox and a run's task graph over a real engine and API: a graph waits on
// a person; the inbox shows the task; a viewer's answer is refused (403, shown); an operator
// answers from the page and the run completes; a stale page's second answer is refused
// (409, shown); the run page shows the graph with every task completed and who answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createTaskGraphs } from '../../src/agents/task-graph-runner.js';
import { buildApi } from '../../src/api/api-server.js';
import { ApiTokens } from '../../src/api/api-tokens.js';
import { LiveEventHub } from '../../src/api/live-events.js';
import { Knowledge } from '../../src/knowledge/knowledge.js';
import { TimeSeriesStore } from '../../src/monitor/time-series.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { defineWorkflow } from '../../src/workflow/define-workflow.js';
import { Engine } from '../../src/workflow/engine.js';
import { launchBrowser, openPage, screenshot } from './dashboard-harness.js';

const RUN = 'report-reviewed';

test('dashboard: the inbox shows a graph\'s human task, a viewer cannot answer (403), an operator answers from the page, the run completes and its page shows the graph', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-dashboard-inbox-'));
  const store = SqliteStore.open(join(dir, 'homeostat.db'));
  const graphs = createTaskGraphs({ store });
  // Code tasks around the person's review: the graph needs no agent process to wait on a human.
  const reviewed = defineWorkflow('dashboard-inbox-report', async (ctx, topic: string) =>
    graphs.run(ctx, {
      name: 'reviewed',
      tasks: [
        { id: 'draft', params: { topic }, run: ({ params }) => ({ text: `a draft on ${(params as { topic: string }).topic}` }) },
        { id: 'review', dependsOn: ['draft'], human: { assignee: 'editor', due: '1h', fallback: 'lead' } },
        { id: 'publish', dependsOn: ['review'], run: ({ deps }) => ({ published: deps.review }) },
      ],
    }),
  );
  const engine = await Engine.open({ store, workflows: [reviewed as never] });
  const tokens = new ApiTokens(store);
  const live = new LiveEventHub(store, 100);
  const app = await buildApi({ store, knowledge: new Knowledge(store), engine, tokens, series: new TimeSeriesStore(), live, now: Date.now });
  let browser: Browser | undefined;
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const viewer = await tokens.create('vera', 'viewer', 'test');
    const operator = await tokens.create('olga', 'operator', 'test');
    await engine.start(reviewed, 'tides', { id: RUN });
    const deadline = Date.now() + 20_000;
    while ((await store.listHumanTasks({ status: 'open', runId: RUN })).length === 0) {
      assert.ok(Date.now() < deadline, 'the graph opened its human task');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The open listing as the API gives it now, for the stale page below.
    const openListing = await (await fetch(`${url}/api/inbox`, { headers: { authorization: `Bearer ${viewer.token}` } })).text();

    browser = await launchBrowser();
    const asViewer = await openPage(browser);
    await asViewer.page.goto(`${url}/#token=${viewer.token}`);
    await asViewer.page.getByRole('link', { name: 'Inbox' }).click();
    const viewerRow = asViewer.page.getByRole('table', { name: 'human tasks' }).getByRole('row').filter({ hasText: 'review' });
    await viewerRow.filter({ hasText: RUN }).filter({ hasText: 'editor' }).filter({ hasText: 'a draft on tides' }).filter({ hasText: 'in 59 m' }).waitFor({ timeout: 20_000 });
    assert.equal(await viewerRow.locator('td[data-overdue="true"]').count(), 0, 'a task due in an hour is not overdue');
    await asViewer.page.locator('#count-inbox').filter({ hasText: '1' }).waitFor({ timeout: 20_000 });
    await viewerRow.getByRole('button', { name: `Answer review of run ${RUN}` }).click();
    await viewerRow.getByRole('alert').filter({ hasText: 'your token may not answer' }).filter({ hasText: '403' }).filter({ hasText: 'operator role' }).waitFor({ timeout: 20_000 });
    await screenshot(asViewer.page, 'dashboard-inbox-1-viewer-refused');
    assert.equal((await store.listHumanTasks({ runId: RUN }))[0]?.status, 'open', 'the viewer\'s refused answer changed nothing');

    const asOperator = await openPage(browser);
    await asOperator.page.goto(`${url}/#token=${operator.token}`);
    await asOperator.page.getByRole('link', { name: 'Inbox' }).click();
    await asOperator.page.locator('#count-inbox').filter({ hasText: '1' }).waitFor({ timeout: 20_000 });
    const answer = asOperator.page.getByRole('textbox', { name: 'Answer for review' });
    await answer.fill('{ "approved": true, "note": "ship it" }');
    await asOperator.page.getByRole('button', { name: `Answer review of run ${RUN}` }).click();
    await asOperator.page.getByText(`Answered review of run ${RUN}`).waitFor({ timeout: 20_000 });
    const result = await engine.result<{ outputs: Record<string, unknown> }>(RUN, { timeout: '20s' });
    assert.deepEqual(result.outputs.publish, { published: { approved: true, note: 'ship it' } }, 'the answer became the review\'s output, given to its dependent');
    await asOperator.page.getByText('No open human tasks.').waitFor({ timeout: 20_000 });
    await asOperator.page.locator('#count-inbox:empty').waitFor({ state: 'attached', timeout: 20_000 });
    await asOperator.page.getByLabel('Status').selectOption('completed');
    await asOperator.page.getByRole('table', { name: 'human tasks' }).getByRole('row').filter({ hasText: 'review' }).filter({ hasText: 'api:olga' }).filter({ hasText: 'ship it' }).waitFor({ timeout: 20_000 });
    await screenshot(asOperator.page, 'dashboard-inbox-2-answered');

    // A page that still shows the task open (its listing held at what it was before the
    // answer): its answer reaches the real API, which refuses it with 409, shown as such.
    const stale = await openPage(browser);
    await stale.page.route('**/api/inbox?*', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: openListing }));
    await stale.page.goto(`${url}/#token=${operator.token}`);
    await stale.page.getByRole('link', { name: 'Inbox' }).click();
    const staleRow = stale.page.getByRole('table', { name: 'human tasks' }).getByRole('row').filter({ hasText: 'review' });
    await staleRow.getByRole('button', { name: `Answer review of run ${RUN}` }).click();
    await staleRow.getByRole('alert').filter({ hasText: 'already answered or escalated' }).filter({ hasText: 'HS_HUMAN_TASK_CLOSED' }).waitFor({ timeout: 20_000 });
    await screenshot(stale.page, 'dashboard-inbox-3-stale-refused');
    assert.deepEqual((await store.listHumanTasks({ runId: RUN })).map((task) => [task.status, task.completedBy]), [['completed', 'api:olga']], 'the stale answer changed nothing');

    await asOperator.page.getByRole('link', { name: RUN }).click();
    const graph = asOperator.page.getByRole('table', { name: 'task graph reviewed' });
    await graph.locator('tbody tr').first().waitFor({ timeout: 20_000 });
    await asOperator.page.locator('.run-head[data-status="completed"]').waitFor({ timeout: 20_000 });
    assert.deepEqual(
      await Promise.all((await graph.locator('tbody tr').all()).map(async (row) => [await row.getAttribute('data-task'), await row.getAttribute('data-state')])),
      [
        ['draft', 'completed'],
        ['review', 'completed'],
        ['publish', 'completed'],
      ],
    );
    await graph.getByRole('row').filter({ hasText: 'review' }).filter({ hasText: 'human' }).filter({ hasText: 'editor' }).filter({ hasText: 'api:olga' }).filter({ hasText: 'draft' }).waitFor();
    await asOperator.page.getByLabel('graph reviewed by state').filter({ hasText: '3 completed' }).waitFor();
    // The graph's look for cancellations at each wave is a signal wait of timeout 0: it reads "timed out", not failed.
    const steps = asOperator.page.getByRole('table', { name: `steps of run ${RUN}` });
    const cancelWaits = steps.locator('tr.step').filter({ hasText: 'graph-cancel:reviewed' });
    await cancelWaits.first().waitFor({ timeout: 20_000 });
    for (const row of await cancelWaits.all()) {
      assert.match(await row.innerText(), /timed out/);
      assert.doesNotMatch(await row.innerText(), /failed|HS_SIGNAL_TIMEOUT/);
    }
    await screenshot(asOperator.page, 'dashboard-inbox-4-graph');
    assert.deepEqual([...asViewer.problems, ...asOperator.problems, ...stale.problems], []);
  } finally {
    await browser?.close();
    live.close();
    await app.close();
    await engine.close(500);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dashboard: an open human task past its due time is marked overdue while nothing has escalated it yet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-dashboard-overdue-'));
  const store = SqliteStore.open(join(dir, 'homeostat.db'));
  const graphs = createTaskGraphs({ store });
  const reviewed = defineWorkflow('dashboard-inbox-overdue', async (ctx) => graphs.run(ctx, { name: 'late', tasks: [{ id: 'sign-off', human: { assignee: 'lead', due: '1s' } }] }));
  const engine = await Engine.open({ store, workflows: [reviewed as never] });
  const tokens = new ApiTokens(store);
  const live = new LiveEventHub(store, 100);
  const app = await buildApi({ store, knowledge: new Knowledge(store), engine, tokens, series: new TimeSeriesStore(), live, now: Date.now });
  let browser: Browser | undefined;
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const viewer = await tokens.create('vera', 'viewer', 'test');
    await engine.start(reviewed, undefined, { id: 'late-sign-off' });
    let task;
    const deadline = Date.now() + 20_000;
    while (!(task = (await store.listHumanTasks({ status: 'open', runId: 'late-sign-off' }))[0])) {
      assert.ok(Date.now() < deadline, 'the graph opened its human task');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The engine stops (its worker is down, say) before the due time: nothing escalates the
    // task, so the inbox is all that tells a person it is late.
    await engine.close(500);
    while (Date.now() <= task.dueAt! + 100) await new Promise((resolve) => setTimeout(resolve, 50));
    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(`${url}/#token=${viewer.token}`);
    await page.getByRole('link', { name: 'Inbox' }).click();
    const row = page.getByRole('table', { name: 'human tasks' }).getByRole('row').filter({ hasText: 'sign-off' });
    await row.locator('td[data-overdue="true"]').filter({ hasText: 'ago (overdue)' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-inbox-5-overdue');
    assert.equal((await store.listHumanTasks({ runId: 'late-sign-off' }))[0]?.status, 'open');
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    live.close();
    await app.close();
    await engine.close(500).catch(() => undefined);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
