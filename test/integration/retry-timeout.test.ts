import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineWorkflow, StepFailedError, type HomeostatError } from '../../src/index.js';
import { Counter, testEngines, untilAborted, waitForStatus } from './capability-helpers.js';

test('a per-step timeout aborts the step signal; the timed-out attempt is retried and the next succeeds', async () => {
  const env = testEngines();
  const seen: { attempt: number; abortedAtEnd: boolean; reason: string | undefined }[] = [];
  const wf = defineWorkflow('step-timeout', async (ctx) =>
    ctx.step('slow-then-fast', async ({ signal, attempt }) => {
      if (attempt === 1) {
        try {
          await untilAborted(signal);
        } finally {
          seen.push({ attempt, abortedAtEnd: signal.aborted, reason: (signal.reason as { code?: string })?.code });
        }
      }
      seen.push({ attempt, abortedAtEnd: signal.aborted, reason: undefined });
      return `done at attempt ${attempt}`;
    }, { timeout: 30, retry: { maxAttempts: 3, initialDelay: 1, jitter: 'none' } }),
  );
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    assert.equal(await run.result({ timeout: '5s' }), 'done at attempt 2');
    assert.deepEqual(seen, [
      { attempt: 1, abortedAtEnd: true, reason: 'HS_TIMEOUT' },
      { attempt: 2, abortedAtEnd: false, reason: undefined },
    ]);
    const details = await engine.describe(run.id);
    assert.deepEqual(details.attempts.map((a) => [a.attempt, a.error.code]), [[1, 'HS_TIMEOUT']]);
    assert.ok(details.attempts[0]!.finishedAt - details.attempts[0]!.startedAt >= 25, 'the attempt ran until its timeout');
    assert.equal(details.steps[0]?.attempts, 2);
  } finally {
    await env.cleanup();
  }
});

test('a step that keeps timing out fails with HS_STEP_FAILED carrying the HS_TIMEOUT cause, seen by the workflow', async () => {
  const env = testEngines();
  let caught: StepFailedError | undefined;
  const wf = defineWorkflow('always-slow', async (ctx) => {
    try {
      await ctx.step('slow', ({ signal }) => untilAborted(signal), { timeout: 10, retry: { maxAttempts: 2, initialDelay: 1 } });
    } catch (error) {
      caught = error as StepFailedError;
      throw error;
    }
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    const failed = await waitForStatus(engine, run.id, 'failed');
    assert.ok(caught instanceof StepFailedError);
    assert.equal(caught.causeCode, 'HS_TIMEOUT');
    assert.equal(caught.attempts, 2);
    assert.equal(failed.error?.code, 'HS_STEP_FAILED');
    assert.equal((await engine.describe(run.id)).attempts.length, 2);
  } finally {
    await env.cleanup();
  }
});

class BadRequestError extends Error {
  override name = 'BadRequestError';
}

test('nonRetryable stops after one attempt when matched by class, by code or by name; other errors are retried', async () => {
  const env = testEngines();
  const counter = new Counter();
  const throwing = (key: string, make: () => Error) =>
    defineWorkflow(`non-retryable-${key}`, async (ctx) => {
      await ctx.step('call', () => {
        counter.hit(key);
        throw make();
      }, { retry: { maxAttempts: 4, initialDelay: 1, maxDelay: 2, nonRetryable: [BadRequestError, 'E_DECLINED', 'QuotaError'] } });
    });
  const byClass = throwing('class', () => new BadRequestError('400'));
  const byCode = throwing('code', () => Object.assign(new Error('declined'), { code: 'E_DECLINED' }));
  const byName = throwing('name', () => Object.assign(new Error('quota'), { name: 'QuotaError' }));
  const other = throwing('other', () => Object.assign(new Error('503'), { code: 'E_UNAVAILABLE' }));
  try {
    const engine = await env.open([byClass, byCode, byName, other]);
    const runs = await Promise.all([byClass, byCode, byName, other].map((wf) => engine.start(wf, null)));
    for (const run of runs) await waitForStatus(engine, run.id, 'failed');
    assert.deepEqual(counter.snapshot(), { class: 1, code: 1, name: 1, other: 4 });
    const codeRun = await engine.describe(runs[1]!.id);
    assert.equal(codeRun.attempts[0]?.error.code, 'E_DECLINED');
    assert.match(codeRun.run.error?.message ?? '', /failed after 1 attempt/);
  } finally {
    await env.cleanup();
  }
});

test('an error carrying retryAfterMs delays the next attempt, capped by maxRetryAfter', async () => {
  const env = testEngines();
  const starts: Record<string, number[]> = { honoured: [], capped: [] };
  const make = (key: 'honoured' | 'capped', retryAfter: number, cap?: number) =>
    defineWorkflow(`retry-after-${key}`, async (ctx) =>
      ctx.step('rate-limited', ({ attempt }) => {
        starts[key]!.push(Date.now());
        if (attempt === 1) throw Object.assign(new Error('429'), { retryAfterMs: retryAfter });
        return attempt;
      }, { retry: { maxAttempts: 2, initialDelay: 1, jitter: 'none', ...(cap === undefined ? {} : { maxRetryAfter: cap }) } }),
    );
  const honoured = make('honoured', 120);
  const capped = make('capped', 60_000, 20);
  try {
    const engine = await env.open([honoured, capped]);
    const [h, c] = await Promise.all([engine.start(honoured, null), engine.start(capped, null)]);
    assert.equal(await h.result({ timeout: '5s' }), 2);
    assert.equal(await c.result({ timeout: '5s' }), 2);
    const gap = (key: string) => starts[key]![1]! - starts[key]![0]!;
    assert.ok(gap('honoured') >= 115, `retry-after 120 ms honoured (waited ${gap('honoured')} ms)`);
    assert.ok(gap('capped') >= 15, `capped retry-after still waits the cap (waited ${gap('capped')} ms)`);
    assert.ok(gap('capped') < 5_000, `a 60 s retry-after is capped at 20 ms (waited ${gap('capped')} ms)`);
  } finally {
    await env.cleanup();
  }
});

test('a workflow timeout aborts the running step, fails the run with HS_WORKFLOW_TIMEOUT and compensates', async () => {
  const env = testEngines();
  const counter = new Counter();
  let stepSawAbort: unknown;
  let ctxSignalAborted = false;
  const wf = defineWorkflow('workflow-timeout', async (ctx) => {
    await ctx.step('reserve', () => counter.hit('reserve'), { compensate: () => counter.hit('release') });
    await ctx.step('wait-forever', async ({ signal }) => {
      try {
        await untilAborted(signal);
      } finally {
        stepSawAbort = (signal.reason as HomeostatError).code;
        ctxSignalAborted = ctx.signal.aborted;
      }
    });
    counter.hit('after');
  }, { timeout: 120 });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    const failed = await waitForStatus(engine, run.id, 'failed');
    assert.equal(failed.error?.code, 'HS_WORKFLOW_TIMEOUT');
    assert.equal(stepSawAbort, 'HS_WORKFLOW_TIMEOUT');
    assert.equal(ctxSignalAborted, true);
    assert.deepEqual(counter.snapshot(), { reserve: 1, release: 1 });
    const details = await engine.describe(run.id);
    assert.deepEqual(details.steps.map((s) => [s.name, s.kind, s.status]), [
      ['reserve', 'step', 'completed'],
      ['compensate:reserve', 'compensation', 'completed'],
    ]);
    // The interrupted step is neither recorded as failed nor counted as an attempt.
    assert.equal(details.attempts.length, 0);
  } finally {
    await env.cleanup();
  }
});

test('a workflow timeout reaches a run suspended in a long sleep (start option overrides the workflow option)', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('timeout-while-sleeping', async (ctx) => {
    await ctx.step('book', () => counter.hit('book'), { compensate: () => counter.hit('cancel-booking') });
    await ctx.sleep('1h');
    counter.hit('after');
  }, { timeout: '1d' });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null, { timeout: 150 });
    await waitForStatus(engine, run.id, 'waiting');
    const failed = await waitForStatus(engine, run.id, 'failed');
    assert.equal(failed.error?.code, 'HS_WORKFLOW_TIMEOUT');
    assert.ok(failed.finishedAt! - failed.createdAt >= 150);
    assert.deepEqual(counter.snapshot(), { book: 1, 'cancel-booking': 1 });
  } finally {
    await env.cleanup();
  }
});
