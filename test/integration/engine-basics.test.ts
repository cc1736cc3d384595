import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, defineWorkflow, TerminalError, isHomeostatError } from '../../src/index.js';
import { tempDir } from './temp-store.js';

test('a workflow runs its steps and returns its output; steps are checkpointed once', async () => {
  const tmp = tempDir();
  const calls: string[] = [];
  const wf = defineWorkflow('basic', async (ctx, input: { n: number }) => {
    const a = await ctx.step('double', () => {
      calls.push('double');
      return input.n * 2;
    });
    const b = await ctx.step('inc', () => {
      calls.push('inc');
      return a + 1;
    });
    return { result: b };
  });
  const engine = await Engine.open({ store: `sqlite:${tmp.dbPath}`, workflows: [wf] });
  try {
    const run = await engine.start(wf, { n: 20 });
    assert.deepEqual(await run.result({ timeout: '5s' }), { result: 41 });
    assert.deepEqual(calls, ['double', 'inc']);
    const details = await engine.describe(run.id);
    assert.equal(details.run.status, 'completed');
    assert.deepEqual(details.steps.map((s) => [s.seq, s.name, s.status, s.output]), [
      [1, 'double', 'completed', '40'],
      [2, 'inc', 'completed', '41'],
    ]);
  } finally {
    await engine.close();
    tmp.cleanup();
  }
});

test('retries a failing step, then fails terminally and lands in the dead-letter queue with every attempt', async () => {
  const tmp = tempDir();
  let attempts = 0;
  const wf = defineWorkflow('flaky', async (ctx) => {
    await ctx.step('always-fails', () => {
      attempts++;
      throw new Error(`boom ${attempts}`);
    }, { retry: { maxAttempts: 3, initialDelay: 1, maxDelay: 5 } });
  });
  const engine = await Engine.open({ store: `sqlite:${tmp.dbPath}`, workflows: [wf] });
  try {
    const run = await engine.start(wf, null);
    await assert.rejects(run.result({ timeout: '5s' }), (e) => isHomeostatError(e, 'HS_RUN_FAILED'));
    assert.equal(attempts, 3);
    const dlq = await engine.deadLetters();
    assert.deepEqual(dlq.map((r) => r.id), [run.id]);
    const details = await engine.describe(run.id);
    assert.deepEqual(details.attempts.map((a) => [a.attempt, a.error.message]), [
      [1, 'boom 1'],
      [2, 'boom 2'],
      [3, 'boom 3'],
    ]);
    assert.ok(details.attempts.every((a) => a.error.stack?.includes('boom')));
    assert.equal(details.steps[0]?.status, 'failed');
    assert.equal(details.run.error?.code, 'HS_STEP_FAILED');
  } finally {
    await engine.close();
    tmp.cleanup();
  }
});

test('a TerminalError is not retried', async () => {
  const tmp = tempDir();
  let attempts = 0;
  const wf = defineWorkflow('terminal', async (ctx) => {
    await ctx.step('declined', () => {
      attempts++;
      throw new TerminalError('card declined');
    }, { retry: { maxAttempts: 5, initialDelay: 1 } });
  });
  const engine = await Engine.open({ store: `sqlite:${tmp.dbPath}`, workflows: [wf] });
  try {
    const run = await engine.start(wf, null);
    await assert.rejects(run.result({ timeout: '5s' }));
    assert.equal(attempts, 1);
  } finally {
    await engine.close();
    tmp.cleanup();
  }
});
