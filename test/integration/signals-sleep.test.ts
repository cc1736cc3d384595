import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineWorkflow, isHomeostatError, TerminalError } from '../../src/index.js';
import { Counter, deferred, testEngines, waitFor, waitForStatus } from './capability-helpers.js';

function claimsOf(env: ReturnType<typeof testEngines>, runId: string): number {
  return env.events.filter((e) => e.event.type === 'run-claimed' && e.event.runId === runId).length;
}

test('a sleep longer than inMemoryWaitMs suspends the run (waiting, no owner) and resumes it after the wake time', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('long-sleep', async (ctx) => {
    await ctx.step('before', () => counter.hit('before'));
    const t0 = await ctx.now();
    await ctx.sleep(200);
    const t1 = await ctx.now();
    await ctx.step('after', () => counter.hit('after'));
    return t1 - t0;
  });
  try {
    const engine = await env.open([wf], { inMemoryWaitMs: 20 });
    const run = await engine.start(wf, null);
    const waiting = await waitForStatus(engine, run.id, 'waiting');
    assert.equal(waiting.ownerId, null);
    const sleepStep = (await engine.describe(run.id)).steps.find((s) => s.kind === 'sleep');
    const { wakeAt } = JSON.parse(sleepStep!.output!) as { wakeAt: number };
    assert.equal(waiting.wakeAt, wakeAt);
    assert.equal(engine.worker!.activeRuns, 0, 'a suspended run does not hold the worker');

    const elapsed = await run.result({ timeout: '5s' });
    assert.ok(elapsed >= 200, `woke after ${elapsed} ms`);
    assert.deepEqual(counter.snapshot(), { before: 1, after: 1 });
    assert.equal(claimsOf(env, run.id), 1, 'claimed again once, when due');
  } finally {
    await env.cleanup();
  }
});

test('a sleep within inMemoryWaitMs stays in memory: the run is never suspended or re-claimed', async () => {
  const env = testEngines();
  const wf = defineWorkflow('short-sleep', async (ctx) => {
    const t0 = await ctx.now();
    await ctx.sleep(40);
    return (await ctx.now()) - t0;
  });
  try {
    const engine = await env.open([wf], { inMemoryWaitMs: 500 });
    const run = await engine.start(wf, null);
    assert.ok((await run.result({ timeout: '5s' })) >= 40);
    assert.equal(claimsOf(env, run.id), 0);
  } finally {
    await env.cleanup();
  }
});

test('waitForSignal receives a signal sent before it starts waiting, and one sent while the run is suspended', async () => {
  const env = testEngines();
  const gate = deferred();
  const wf = defineWorkflow('two-signals', async (ctx) => {
    await ctx.step('prepare', () => gate.promise);
    const early = await ctx.waitForSignal<{ n: number }>('data');
    const late = await ctx.waitForSignal<{ n: number }>('data');
    return [early, late];
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    await engine.signal(run.id, 'data', { n: 1 }); // queued: the run is still in `prepare`
    gate.resolve();
    const waiting = await waitForStatus(engine, run.id, 'waiting');
    assert.equal(waiting.wakeAt, null, 'waits for the signal, not for a time');
    await engine.signal(run.id, 'data', { n: 2 });
    assert.deepEqual(await run.result({ timeout: '5s' }), [{ n: 1 }, { n: 2 }]);
    const details = await engine.describe(run.id);
    assert.deepEqual(details.steps.filter((s) => s.kind === 'signal').map((s) => [s.name, s.status, s.output]), [
      ['data', 'completed', '{"n":1}'],
      ['data', 'completed', '{"n":2}'],
    ]);
  } finally {
    await env.cleanup();
  }
});

test('waitForSignal with a timeout resolves to undefined when no signal arrives; a later signal changes nothing', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('signal-timeout', async (ctx) => {
    const got = await ctx.waitForSignal('never', { timeout: 80 });
    await ctx.step('after', () => counter.hit('after'));
    return got === undefined ? 'timed out' : 'got it';
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    assert.equal(await run.result({ timeout: '5s' }), 'timed out');
    await engine.signal(run.id, 'never', 'too late');
    const details = await engine.describe(run.id);
    assert.equal(details.run.status, 'completed');
    const step = details.steps[0]!;
    assert.deepEqual([step.kind, step.status, step.error?.code], ['signal', 'failed', 'HS_SIGNAL_TIMEOUT']);
    assert.ok(step.finishedAt! - step.startedAt >= 80);
    assert.equal(counter.get('after'), 1);
  } finally {
    await env.cleanup();
  }
});

test('engine.signal to a run that does not exist throws HS_RUN_NOT_FOUND', async () => {
  const env = testEngines();
  try {
    const engine = await env.open([], { worker: false });
    await assert.rejects(engine.signal('no-such-run', 'approve', true), (e) => isHomeostatError(e, 'HS_RUN_NOT_FOUND'));
  } finally {
    await env.cleanup();
  }
});

test('approval pattern: a decision sent from another engine (API/CLI) approves one run and denies another', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('needs-approval', async (ctx, input: { change: string }) => {
    await ctx.step('plan', () => counter.hit(`plan ${input.change}`), { compensate: () => counter.hit(`unplan ${input.change}`) });
    const decision = await ctx.waitForSignal<{ approved: boolean; by: string }>('approval', { timeout: '1h' });
    if (!decision?.approved) throw new TerminalError(`${input.change} denied by ${decision?.by ?? 'timeout'}`);
    await ctx.step('act', () => counter.hit(`act ${input.change}`));
    return `${input.change} approved by ${decision.by}`;
  });
  try {
    const worker = await env.open([wf]);
    const operator = await env.open([], { worker: false }); // like the CLI: same store, no worker
    const yes = await worker.start(wf, { change: 'restart-db' });
    const no = await worker.start(wf, { change: 'drop-table' });
    await waitForStatus(operator, yes.id, 'waiting');
    await waitForStatus(operator, no.id, 'waiting');
    await operator.signal(yes.id, 'approval', { approved: true, by: 'alice' });
    await operator.signal(no.id, 'approval', { approved: false, by: 'bob' });

    assert.equal(await yes.result({ timeout: '5s' }), 'restart-db approved by alice');
    const denied = await waitForStatus(operator, no.id, 'failed');
    assert.match(denied.error?.message ?? '', /drop-table denied by bob/);
    assert.deepEqual(counter.snapshot(), {
      'plan restart-db': 1,
      'plan drop-table': 1,
      'act restart-db': 1,
      'unplan drop-table': 1,
    });
  } finally {
    await env.cleanup();
  }
});

test('signals are delivered to the waiting run even when it waits in parallel with a timer', async () => {
  const env = testEngines();
  const wf = defineWorkflow('signal-and-sleep', async (ctx) => {
    const [payload] = await Promise.all([ctx.waitForSignal<string>('go'), ctx.sleep(100)]);
    return payload;
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    await waitForStatus(engine, run.id, 'waiting');
    await engine.signal(run.id, 'go', 'payload');
    assert.equal(await run.result({ timeout: '5s' }), 'payload');
    await waitFor('run to be completed', async () => (await engine.getRun(run.id))?.status === 'completed');
  } finally {
    await env.cleanup();
  }
});
