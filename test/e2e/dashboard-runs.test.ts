import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { buildApi } from '../../src/api/api-server.js';
import { ApiTokens } from '../../src/api/api-tokens.js';
import { LiveEventHub } from '../../src/api/live-events.js';
import { Knowledge } from '../../src/knowledge/knowledge.js';
import { TimeSeriesStore } from '../../src/monitor/time-series.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { defineWorkflow } from '../../src/workflow/define-workflow.js';
import { Engine } from '../../src/workflow/engine.js';
import { createModels } from '../../src/model/models.js';
import { startModelStandIn } from '../../src/testing/model-stand-in.js';
import { launchBrowser, openPage, screenshot } from './dashboard-harness.js';

/** Whether the payment provider is down: the test mends it before the redrive. */
let paymentsDown = true;
const compensated: string[] = [];

const booking = defineWorkflow('dashboard-test-booking', async (ctx, trip: { who: string }) => {
  const seat = await ctx.step('reserve-seat', () => ({ seat: `12A for ${trip.who}` }), { compensate: (reserved) => void compensated.push(reserved.seat) });
  const charge = await ctx.step(
    'charge-card',
    () => {
      if (paymentsDown) throw new Error('payments: 503 Service Unavailable');
      return { charged: 120 };
    },
    { retry: { maxAttempts: 2, initialDelay: '10ms', jitter: 'none' } },
  );
  return { ...seat, ...charge };
});

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('dashboard: sign in by pasting a token; a failed run shows its steps, attempts and compensation; a viewer may not redrive, an operator may; the audit view names an edited entry; a revoked token goes back to the form', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-dashboard-'));
  const store = SqliteStore.open(join(dir, 'homeostat.db'));
  const engine = await Engine.open({ store, workflows: [booking as never] });
  const tokens = new ApiTokens(store);
  const live = new LiveEventHub(store, 100);
  const app = await buildApi({ store, knowledge: new Knowledge(store), engine, tokens, series: new TimeSeriesStore(), live, now: Date.now });
  let browser: Browser | undefined;
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const viewer = await tokens.create('vera', 'viewer', 'test');
    const operator = await tokens.create('otto', 'operator', 'test');
    const revoked = await tokens.create('gone', 'operator', 'test');
    await tokens.revoke(revoked.record.id);
    const run = await engine.start(booking, { who: 'ada' }, { id: 'trip-ada' });
    await assert.rejects(run.result({ timeout: 20_000 }));
    assert.deepEqual(compensated, ['12A for ada']);

    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(`${url}/#/runs?status=failed`);
    await page.getByRole('heading', { name: 'Sign in to homeostat' }).waitFor({ timeout: 20_000 });
    await signIn(page, 'not-a-token');
    await page.getByRole('alert').filter({ hasText: 'they start with hst_' }).waitFor();
    await signIn(page, revoked.token);
    await page.getByRole('alert').filter({ hasText: 'refused this token' }).waitFor();
    await signIn(page, viewer.token);

    // The filter came through the sign-in: failed runs only.
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor({ timeout: 20_000 });
    assert.equal(await page.getByRole('combobox', { name: 'Status' }).inputValue(), 'failed');
    const runs = page.getByRole('table', { name: 'runs' });
    await runs.getByRole('row').filter({ hasText: 'trip-ada' }).filter({ hasText: 'failed' }).waitFor({ timeout: 20_000 });
    await page.getByRole('combobox', { name: 'Status' }).selectOption('completed');
    await page.getByText('No completed runs.').waitFor({ timeout: 20_000 });
    await page.getByRole('combobox', { name: 'Status' }).selectOption('failed');
    await runs.getByRole('link', { name: 'trip-ada' }).click();

    const steps = page.getByRole('table', { name: 'steps of run trip-ada' });
    await steps.waitFor({ timeout: 20_000 });
    await steps.getByRole('row').filter({ hasText: 'charge-card' }).filter({ hasText: 'payments: 503 Service Unavailable' }).first().waitFor();
    await steps.getByRole('row').filter({ hasText: 'attempt 1' }).filter({ hasText: 'payments: 503' }).waitFor();
    await steps.getByRole('row').filter({ hasText: 'compensation' }).filter({ hasText: 'reserve-seat' }).waitFor();
    await screenshot(page, 'dashboard-runs-1-failed');

    // A viewer sees the button, and the API's refusal as an error banner.
    await page.getByRole('button', { name: 'Redrive run trip-ada' }).click();
    await page.getByRole('alert').filter({ hasText: 'HS_API_FORBIDDEN' }).waitFor({ timeout: 20_000 });
    assert.equal((await engine.getRun('trip-ada'))?.generation, 0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, operator.token);
    paymentsDown = false;
    // Redrive from the charge step (by its option: step numbers are the engine's).
    const from = page.getByRole('combobox', { name: 'Redrive from step' });
    await from.selectOption((await from.locator('option', { hasText: /^#\d+ charge-card$/ }).getAttribute('value'))!);
    await page.getByRole('button', { name: 'Redrive run trip-ada' }).click();
    await page.getByRole('status').filter({ hasText: 'Redriven: run trip-ada' }).waitFor({ timeout: 20_000 });
    await page.getByRole('heading', { name: 'Run trip-ada completed' }).waitFor({ timeout: 15_000 });
    await steps.getByRole('row').filter({ hasText: /attempt 1 \(before redrive 1\)/ }).first().waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-runs-2-redriven');
    assert.equal((await engine.getRun('trip-ada'))?.status, 'completed');

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('table', { name: 'audit entries' }).getByRole('row').filter({ hasText: 'run.redriven' }).filter({ hasText: 'api:otto' }).waitFor({ timeout: 20_000 });
    await page.getByRole('status').filter({ hasText: /Chain valid — 1 entries checked/ }).waitFor();
    // Edited behind homeostat's back: the view names the entry.
    const raw = new Database(join(dir, 'homeostat.db'));
    raw.prepare("UPDATE audit_log SET actor = 'api:mallory' WHERE seq = 1").run();
    raw.close();
    await page.reload();
    await page.getByRole('alert').filter({ hasText: /Chain broken at entry #1 — hash mismatch/ }).waitFor({ timeout: 20_000 });
    await page.getByRole('table', { name: 'audit entries' }).getByRole('row').filter({ hasText: 'api:mallory' }).waitFor();
    await screenshot(page, 'dashboard-runs-3-audit-broken');

    // Revoked while the page is open: the next call gets 401 and the form comes back.
    await tokens.revoke(operator.record.id);
    await page.getByRole('heading', { name: 'Sign in to homeostat' }).waitFor({ timeout: 20_000 });
    await page.getByRole('alert').filter({ hasText: 'refused the token' }).waitFor();
    assert.equal(await page.evaluate('sessionStorage.getItem("homeostat.token")'), null);
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    live.close();
    await app.close();
    await engine.close(500);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dashboard: the calls of a model step show beneath it — provider, outcome, tokens, cost, and the validation errors that made homeostat re-ask', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-dashboard-models-'));
  const store = SqliteStore.open(join(dir, 'homeostat.db'));
  const openai = await startModelStandIn({ kind: 'openai', answer: () => '{"summary":"blue sky"}' });
  const claude = await startModelStandIn({ kind: 'anthropic', answer: () => '{"summary":"blue sky"}' });
  const models = createModels({
    store,
    config: {
      providers: {
        openai: { kind: 'openai', baseUrl: openai.baseUrl, models: { 'gpt-small': { inputPerMillion: 1, outputPerMillion: 2 } } },
        claude: { kind: 'anthropic', baseUrl: claude.baseUrl, models: { 'claude-small': { inputPerMillion: 3, outputPerMillion: 15 } } },
      },
      chains: { default: [{ provider: 'openai', model: 'gpt-small' }, { provider: 'claude', model: 'claude-small' }] },
      defaults: { firstTokenTimeout: '10s', stallTimeout: '10s', timeout: '30s', maxTokens: 200, maxRetryAfter: '2s' },
    },
  });
  const summarize = defineWorkflow('dashboard-test-summarize', async (ctx) => models.call(ctx, 'summarize', { prompt: 'Summarise: the sky is blue.', output: z.strictObject({ summary: z.string() }) }));
  const engine = await Engine.open({ store, workflows: [summarize as never] });
  const tokens = new ApiTokens(store);
  const live = new LiveEventHub(store, 100);
  const app = await buildApi({ store, knowledge: new Knowledge(store), engine, tokens, series: new TimeSeriesStore(), live, now: Date.now });
  let browser: Browser | undefined;
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const viewer = await tokens.create('vera', 'viewer', 'test');
    // OpenAI answers out of contract once (re-asked with the errors), then is down: Claude answers.
    openai.script({ kind: 'answer', text: '{"summary":42}' }, { kind: 'status', status: 503 });
    openai.always({ kind: 'status', status: 503 });
    const run = await engine.start(summarize, undefined, { id: 'summary-1' });
    await run.result({ timeout: 20_000 });
    const recorded = await store.listModelAttempts('summary-1');
    assert.equal(`${recorded.at(-1)?.provider}:${recorded.at(-1)?.outcome}`, 'claude:ok', 'the last call is the one that answered');
    assert.ok(recorded.some((a) => a.outcome === 'invalid-output'));

    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(`${url}/#/runs/summary-1`);
    await signIn(page, viewer.token);
    const steps = page.getByRole('table', { name: 'steps of run summary-1' });
    await steps.waitFor({ timeout: 20_000 });
    const calls = steps.locator('tr.model-attempt');
    await calls.first().waitFor({ timeout: 20_000 });
    assert.equal(await calls.count(), recorded.length);
    await calls.filter({ hasText: 'openai/gpt-small' }).filter({ hasText: 'invalid-output' }).filter({ hasText: /invalid: .*summary/ }).waitFor();
    await calls.filter({ hasText: 'openai/gpt-small' }).filter({ hasText: 'server-error' }).first().waitFor();
    const answered = recorded.at(-1)!;
    await calls.filter({ hasText: 'claude/claude-small' }).filter({ hasText: 'ok' }).filter({ hasText: `${answered.tokensIn}→${answered.tokensOut} tokens` }).waitFor();
    await screenshot(page, 'dashboard-runs-4-model-calls');
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    live.close();
    await app.close();
    await engine.close(500);
    await store.close();
    await openai.close();
    await claude.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
