import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildFailedError, defineWorkflow, isHomeostatError, TerminalError } from '../../src/index.js';
import { Counter, deferred, testEngines, untilAborted, waitFor, waitForStatus } from './capability-helpers.js';

test('ctx.child starts a child run, the parent suspends until it finishes, and replay never starts it twice', async () => {
  const env = testEngines();
  const counter = new Counter();
  const child = defineWorkflow('child-double', async (ctx, input: { n: number }) => {
    await ctx.sleep(60); // long enough that the parent suspends waiting for it
    return ctx.step('double', () => (counter.hit('child'), input.n * 2));
  });
  const parent = defineWorkflow('parent', async (ctx, input: { n: number }) => {
    await ctx.step('before', () => counter.hit('parent-before'));
    const doubled = await ctx.child(child, { n: input.n });
    await ctx.step('after', () => counter.hit('parent-after'));
    return doubled + 1;
  });
  try {
    const engine = await env.open([parent, child]);
    const run = await engine.start(parent, { n: 20 });
    await waitForStatus(engine, run.id, 'waiting');
    assert.equal(await run.result({ timeout: '5s' }), 41);
    assert.deepEqual(counter.snapshot(), { 'parent-before': 1, child: 1, 'parent-after': 1 });

    const children = await engine.listRuns({ parentId: run.id });
    assert.deepEqual(children.map((c) => [c.id, c.workflow, c.status]), [[`${run.id}.2`, 'child-double', 'completed']]);
    const details = await engine.describe(run.id);
    assert.deepEqual(details.steps.map((s) => [s.seq, s.kind, s.name]), [
      [1, 'step', 'before'],
      [2, 'child-start', 'child-double'],
      [3, 'child-result', `${run.id}.2`],
      [4, 'step', 'after'],
    ]);
    // The parent ran more than once (it suspended), yet the child was created once.
    assert.ok(env.events.some((e) => e.event.type === 'run-claimed' && e.event.runId === run.id));
  } finally {
    await env.cleanup();
  }
});

test('a failed child surfaces in the parent as HS_CHILD_FAILED, which the parent can catch or let fail the run', async () => {
  const env = testEngines();
  let caught: unknown;
  const child = defineWorkflow('child-fails', async (ctx) => {
    await ctx.step('explode', () => {
      throw new TerminalError('child exploded');
    });
  });
  const catching = defineWorkflow('parent-catches', async (ctx) => {
    try {
      await ctx.child(child, null);
      return 'child ok';
    } catch (error) {
      caught = error;
      return 'fallback';
    }
  });
  const failing = defineWorkflow('parent-fails', async (ctx) => ctx.child(child, null, { id: 'explicit-child-id' }));
  try {
    const engine = await env.open([catching, failing, child]);
    const a = await engine.start(catching, null);
    assert.equal(await a.result({ timeout: '5s' }), 'fallback');
    assert.ok(caught instanceof ChildFailedError);
    assert.match((caught as Error).message, /ended failed: StepFailedError: .*child exploded/);

    const b = await engine.start(failing, null);
    const failed = await waitForStatus(engine, b.id, 'failed');
    assert.equal(failed.error?.code, 'HS_CHILD_FAILED');
    assert.equal((await engine.getRun('explicit-child-id'))?.parentId, b.id);
  } finally {
    await env.cleanup();
  }
});

test('cancel: a running run is interrupted, compensated and ends cancelled', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('cancel-running', async (ctx) => {
    await ctx.step('one', () => counter.hit('one'), { compensate: () => counter.hit('undo one') });
    await ctx.step('long', ({ signal }) => (counter.hit('long'), untilAborted(signal)));
    counter.hit('after');
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    await waitFor('long step to start', () => counter.get('long') === 1);
    const requested = await engine.cancel(run.id);
    assert.equal(requested.cancelRequested, true);
    await waitForStatus(engine, run.id, 'cancelled');
    assert.deepEqual(counter.snapshot(), { one: 1, long: 1, 'undo one': 1 });
  } finally {
    await env.cleanup();
  }
});

test('cancel: a step that ignores its abort signal does not hold up the cancellation', async () => {
  const env = testEngines();
  const counter = new Counter();
  const never = deferred<void>();
  const wf = defineWorkflow('cancel-stubborn', async (ctx) => {
    await ctx.step('one', () => counter.hit('one'), { compensate: () => counter.hit('undo one') });
    // Ignores its signal and never settles: the run must stop waiting for it when cancelled.
    await ctx.step('stubborn', () => (counter.hit('stubborn'), never.promise));
    counter.hit('after');
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    await waitFor('stubborn step to start', () => counter.get('stubborn') === 1);
    await engine.cancel(run.id);
    await waitForStatus(engine, run.id, 'cancelled');
    assert.deepEqual(counter.snapshot(), { one: 1, stubborn: 1, 'undo one': 1 });
    const details = await engine.describe(run.id);
    assert.deepEqual(details.steps.map((s) => `${s.name}:${s.status}`), ['one:completed', 'compensate:one:completed']);
  } finally {
    never.resolve();
    await env.cleanup();
  }
});

test('cancel: a waiting (suspended) run is woken, compensated and ends cancelled', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('cancel-waiting', async (ctx) => {
    await ctx.step('one', () => counter.hit('one'), { compensate: () => counter.hit('undo one') });
    await ctx.waitForSignal('never');
    counter.hit('after');
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    await waitForStatus(engine, run.id, 'waiting');
    await engine.cancel(run.id);
    const cancelled = await waitForStatus(engine, run.id, 'cancelled');
    assert.equal(cancelled.error?.code, 'HS_CANCELLED');
    assert.deepEqual(counter.snapshot(), { one: 1, 'undo one': 1 });
    await assert.rejects(engine.result(run.id), (e) => isHomeostatError(e, 'HS_CANCELLED'));
  } finally {
    await env.cleanup();
  }
});

test('cancel: a pending run nobody has started is cancelled in place and never executes', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('cancel-pending', async (ctx) => ctx.step('work', () => counter.hit('work')));
  try {
    const client = await env.open([wf], { worker: false });
    const run = await client.start(wf, null);
    assert.equal((await client.getRun(run.id))?.status, 'pending');
    const cancelled = await client.cancel(run.id);
    assert.equal(cancelled.status, 'cancelled');
    await env.open([wf]); // a worker appears afterwards
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(counter.get('work'), 0);
    assert.equal((await client.getRun(run.id))?.status, 'cancelled');
    await assert.rejects(client.cancel('missing-run'), (e) => isHomeostatError(e, 'HS_RUN_NOT_FOUND'));
  } finally {
    await env.cleanup();
  }
});

test('cancel requested by another process just before the run suspends is not lost', async () => {
  const env = testEngines();
  const counter = new Counter();
  const gate = deferred();
  const wf = defineWorkflow('cancel-before-suspend', async (ctx) => {
    await ctx.step('one', async () => (counter.hit('one'), gate.promise), { compensate: () => counter.hit('undo one') });
    await ctx.waitForSignal('never'); // suspends with no wake time
    counter.hit('after');
  });
  try {
    // A slow heartbeat, so the worker does not learn of the cancel from its lease renewal.
    const worker = await env.open([wf], { worker: { heartbeatIntervalMs: 10_000, leaseMs: 30_000 } });
    const operator = await env.open([], { worker: false });
    const run = await worker.start(wf, null);
    await waitFor('step one to start', () => counter.get('one') === 1);
    await operator.cancel(run.id); // the run is `running` here: only the flag is set
    gate.resolve();
    const cancelled = await waitForStatus(operator, run.id, 'cancelled', 3_000);
    assert.equal(cancelled.error?.code, 'HS_CANCELLED');
    assert.deepEqual(counter.snapshot(), { one: 1, 'undo one': 1 });
  } finally {
    await env.cleanup();
  }
});
