import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineWorkflow, isHomeostatError, TerminalError } from '../../src/index.js';
import { Counter, testEngines, untilAborted, waitFor, waitForStatus } from './capability-helpers.js';

/** a → b → c, where c fails until `fixed.c` is set; counts executions. */
function pipeline(counter: Counter, fixed: { c: boolean }) {
  return defineWorkflow('pipeline', async (ctx) => {
    const a = await ctx.step('a', () => (counter.hit('a'), 'A'));
    const b = await ctx.step('b', () => (counter.hit('b'), `${a}B`));
    const c = await ctx.step('c', () => {
      counter.hit('c');
      if (!fixed.c) throw new Error(`c is broken (call ${counter.get('c')})`);
      return `${b}C`;
    }, { retry: { maxAttempts: 2, initialDelay: 1, maxDelay: 2 } });
    return c;
  });
}

test('a failed run is in the dead-letter queue with every attempt: error, stack and timings', async () => {
  const env = testEngines();
  const counter = new Counter();
  try {
    const engine = await env.open([pipeline(counter, { c: false })]);
    const run = await engine.start('pipeline', null);
    const failed = await waitForStatus(engine, run.id, 'failed');
    assert.deepEqual((await engine.deadLetters()).map((r) => r.id), [run.id]);
    assert.equal(failed.error?.code, 'HS_STEP_FAILED');
    assert.match(failed.error?.message ?? '', /step "c" failed after 2 attempt\(s\): Error: c is broken \(call 2\)/);

    const details = await engine.describe(run.id);
    assert.deepEqual(details.attempts.map((a) => [a.seq, a.generation, a.attempt, a.error.message]), [
      [3, 0, 1, 'c is broken (call 1)'],
      [3, 0, 2, 'c is broken (call 2)'],
    ]);
    for (const attempt of details.attempts) {
      assert.match(attempt.error.stack ?? '', /c is broken[\s\S]*at /, 'the stack is kept');
      assert.ok(attempt.startedAt <= attempt.finishedAt && attempt.finishedAt <= failed.finishedAt!);
    }
    assert.ok(details.attempts[0]!.finishedAt <= details.attempts[1]!.startedAt, 'attempts are ordered in time');
    const c = details.steps.find((s) => s.name === 'c')!;
    assert.deepEqual([c.status, c.attempts, c.error?.message], ['failed', 2, 'c is broken (call 2)']);
  } finally {
    await env.cleanup();
  }
});

test('redrive (default) restarts at the failed step; earlier steps keep their results and do not run again', async () => {
  const env = testEngines();
  const counter = new Counter();
  const fixed = { c: false };
  try {
    const engine = await env.open([pipeline(counter, fixed)]);
    const run = await engine.start('pipeline', null);
    await waitForStatus(engine, run.id, 'failed');
    fixed.c = true;
    const redriven = await engine.redrive(run.id);
    assert.deepEqual([redriven.status, redriven.generation, redriven.error], ['pending', 1, null]);
    assert.equal(await run.result({ timeout: '5s' }), 'ABC');
    assert.deepEqual(counter.snapshot(), { a: 1, b: 1, c: 3 });
    assert.deepEqual((await engine.deadLetters()).length, 0);
    const details = await engine.describe(run.id);
    assert.deepEqual(details.steps.map((s) => [s.name, s.status, s.attempts]), [
      ['a', 'completed', 1],
      ['b', 'completed', 1],
      ['c', 'completed', 1],
    ]);
    // The failed generation's attempts stay as history.
    assert.deepEqual(details.attempts.map((a) => a.generation), [0, 0]);
  } finally {
    await env.cleanup();
  }
});

test('redrive from an earlier step, by name or by number, re-runs it and everything after it', async () => {
  const env = testEngines();
  const counter = new Counter();
  const fixed = { c: false };
  try {
    const engine = await env.open([pipeline(counter, fixed)]);
    const byName = await engine.start('pipeline', null);
    const byNumber = await engine.start('pipeline', null);
    await waitForStatus(engine, byName.id, 'failed');
    await waitForStatus(engine, byNumber.id, 'failed');
    assert.deepEqual(counter.snapshot(), { a: 2, b: 2, c: 4 });
    fixed.c = true;

    await engine.redrive(byName.id, { fromStep: 'b' });
    assert.equal(await byName.result({ timeout: '5s' }), 'ABC');
    assert.deepEqual(counter.snapshot(), { a: 2, b: 3, c: 5 });

    await engine.redrive(byNumber.id, { fromStep: 1 });
    assert.equal(await byNumber.result({ timeout: '5s' }), 'ABC');
    assert.deepEqual(counter.snapshot(), { a: 3, b: 4, c: 6 });
  } finally {
    await env.cleanup();
  }
});

test('redrive after compensation restarts at the first compensated step, so no undone result is reused', async () => {
  const env = testEngines();
  const counter = new Counter();
  let failC = true;
  const wf = defineWorkflow('compensated-redrive', async (ctx) => {
    await ctx.step('a', () => counter.hit('a')); // nothing to undo
    await ctx.step('b', () => counter.hit('b'), { compensate: () => counter.hit('undo b') });
    await ctx.step('c', () => {
      counter.hit('c');
      if (failC) throw new TerminalError('c failed');
    });
    return 'done';
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    await waitForStatus(engine, run.id, 'failed');
    assert.deepEqual(counter.snapshot(), { a: 1, b: 1, c: 1, 'undo b': 1 });
    failC = false;
    await engine.redrive(run.id);
    assert.equal(await run.result({ timeout: '5s' }), 'done');
    assert.deepEqual(counter.snapshot(), { a: 1, b: 2, c: 2, 'undo b': 1 });
    const details = await engine.describe(run.id);
    assert.deepEqual(details.steps.map((s) => s.name), ['a', 'b', 'c']);
  } finally {
    await env.cleanup();
  }
});

test('a cancelled run can be redriven and completes', async () => {
  const env = testEngines();
  const counter = new Counter();
  let block = true;
  const wf = defineWorkflow('cancel-then-redrive', async (ctx) => {
    await ctx.step('a', () => counter.hit('a'));
    await ctx.step('b', async ({ signal }) => {
      counter.hit('b');
      if (block) await untilAborted(signal);
    });
    return 'finished';
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    await waitFor('b to start', () => counter.get('b') === 1);
    await engine.cancel(run.id);
    await waitForStatus(engine, run.id, 'cancelled');
    block = false;
    const redriven = await engine.redrive(run.id);
    assert.equal(redriven.cancelRequested, false);
    assert.equal(await run.result({ timeout: '5s' }), 'finished');
    assert.deepEqual(counter.snapshot(), { a: 1, b: 2 });
  } finally {
    await env.cleanup();
  }
});

test('redrive refuses runs that are not failed, parked or cancelled, unknown runs and unknown steps', async () => {
  const env = testEngines();
  const counter = new Counter();
  const fixed = { c: true };
  const hang = defineWorkflow('hangs', async (ctx) => ctx.step('wait', ({ signal }) => untilAborted(signal)));
  try {
    const engine = await env.open([pipeline(counter, fixed), hang]);
    const done = await engine.start('pipeline', null);
    await done.result({ timeout: '5s' });
    await assert.rejects(engine.redrive(done.id), (e) => isHomeostatError(e, 'HS_INVALID_RUN_STATE') && /completed/.test((e as Error).message));
    assert.equal((await engine.getRun(done.id))?.status, 'completed');
    assert.equal((await engine.describe(done.id)).steps.length, 3, 'a refused redrive deletes nothing');

    const running = await engine.start(hang, null);
    await waitFor('hang to be running', async () => (await engine.describe(running.id)).run.status === 'running');
    await assert.rejects(engine.redrive(running.id), (e) => isHomeostatError(e, 'HS_INVALID_RUN_STATE'));

    await assert.rejects(engine.redrive('missing'), (e) => isHomeostatError(e, 'HS_RUN_NOT_FOUND'));
    fixed.c = false;
    const failed = await engine.start('pipeline', null);
    await waitForStatus(engine, failed.id, 'failed');
    await assert.rejects(engine.redrive(failed.id, { fromStep: 'nope' }), (e) => isHomeostatError(e, 'HS_INVALID_INPUT'));
    await assert.rejects(engine.redrive(failed.id, { fromStep: 0 }), (e) => isHomeostatError(e, 'HS_INVALID_INPUT'));
    assert.equal((await engine.getRun(failed.id))?.status, 'failed');
    await engine.cancel(running.id);
  } finally {
    await env.cleanup();
  }
});
