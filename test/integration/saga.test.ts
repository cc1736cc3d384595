import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineWorkflow, TerminalError, type WorkflowContext } from '../../src/index.js';
import { Counter, deferred, sleep, testEngines, untilAborted, waitFor, waitForStatus } from './capability-helpers.js';

test('on failure, compensations run in reverse order, once each, only for completed steps that have one', async () => {
  const env = testEngines();
  const order: string[] = [];
  const wf = defineWorkflow('saga-order', async (ctx) => {
    await ctx.step('a', () => 'A', { compensate: (r) => order.push(`undo a(${r})`) });
    await ctx.step('b', () => 'B'); // no compensation
    await ctx.step('c', () => 'C', { compensate: (r) => order.push(`undo c(${r})`) });
    await ctx.step('d', () => {
      throw new TerminalError('d is impossible');
    }, { compensate: () => order.push('undo d (must not run: d never completed)') });
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    const failed = await waitForStatus(engine, run.id, 'failed');
    assert.equal(failed.error?.code, 'HS_STEP_FAILED');
    assert.deepEqual(order, ['undo c(C)', 'undo a(A)']);
    const details = await engine.describe(run.id);
    assert.deepEqual(details.steps.map((s) => [s.seq, s.name, s.kind, s.status]), [
      [1, 'a', 'step', 'completed'],
      [2, 'b', 'step', 'completed'],
      [3, 'c', 'step', 'completed'],
      [4, 'd', 'step', 'failed'],
      [5, 'compensate:c', 'compensation', 'completed'],
      [6, 'compensate:a', 'compensation', 'completed'],
    ]);
  } finally {
    await env.cleanup();
  }
});

test('cancelling a running run aborts its step and compensates completed steps; the run ends cancelled', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('saga-cancel', async (ctx) => {
    await ctx.step('charge', () => counter.hit('charge'), { compensate: () => counter.hit('refund') });
    await ctx.step('ship', async ({ signal }) => {
      counter.hit('ship-started');
      await untilAborted(signal);
    }, { compensate: () => counter.hit('unship') });
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    await waitFor('ship to start', () => counter.get('ship-started') === 1);
    await engine.cancel(run.id);
    const cancelled = await waitForStatus(engine, run.id, 'cancelled');
    assert.equal(cancelled.error?.code, 'HS_CANCELLED');
    assert.deepEqual(counter.snapshot(), { charge: 1, 'ship-started': 1, refund: 1 });
    const details = await engine.describe(run.id);
    assert.deepEqual(details.steps.map((s) => s.name), ['charge', 'compensate:charge']);
    await assert.rejects(run.result({ timeout: '1s' }), { code: 'HS_CANCELLED' });
  } finally {
    await env.cleanup();
  }
});

test('a compensation that fails is recorded and reported as HS_COMPENSATION_FAILED; the others still run', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('saga-comp-fails', async (ctx) => {
    await ctx.step('a', () => 1, { compensate: () => counter.hit('undo a') });
    await ctx.step('b', () => 2, {
      compensate: () => {
        counter.hit('undo b');
        throw new TerminalError('cannot undo b');
      },
    });
    await ctx.step('c', () => 3, {
      compensate: () => {
        counter.hit('undo c');
        if (counter.get('undo c') < 2) throw new Error('transient failure undoing c');
      },
    });
    await ctx.step('boom', () => {
      throw new TerminalError('boom');
    });
  });
  try {
    const engine = await env.open([wf]);
    const run = await engine.start(wf, null);
    const failed = await waitForStatus(engine, run.id, 'failed');
    assert.equal(failed.error?.code, 'HS_COMPENSATION_FAILED');
    assert.match(failed.error?.message ?? '', /1 compensation\(s\) failed \(b: .*cannot undo b\).*while undoing: StepFailedError: .*boom/);
    // c's compensation was retried once; b's is terminal; a's still ran afterwards.
    assert.deepEqual(counter.snapshot(), { 'undo c': 2, 'undo b': 1, 'undo a': 1 });
    const details = await engine.describe(run.id);
    assert.deepEqual(
      details.steps.filter((s) => s.kind === 'compensation').map((s) => [s.name, s.status, s.attempts]),
      [
        ['compensate:c', 'completed', 2],
        ['compensate:b', 'failed', 1],
        ['compensate:a', 'completed', 1],
      ],
    );
    assert.equal(details.steps.find((s) => s.name === 'compensate:b')?.error?.code, 'HS_TERMINAL');
  } finally {
    await env.cleanup();
  }
});

/** Steps a, b (both compensable) then c fails; each compensation's behaviour is injected. */
function failingSaga(counter: Counter, who: string, undo: Record<string, () => Promise<unknown> | unknown>, compensateB = true) {
  return defineWorkflow('saga-takeover', async (ctx: WorkflowContext) => {
    await ctx.step('a', () => 'a', { compensate: () => (counter.hit(`${who}:undo a`), undo.a?.()) });
    await ctx.step('b', () => 'b', compensateB ? { compensate: () => (counter.hit(`${who}:undo b`), undo.b?.()) } : {});
    await ctx.step('c', () => {
      throw new TerminalError('c failed');
    });
  });
}

test('compensation interrupted by a handover resumes on the new worker without repeating finished compensations', async () => {
  const env = testEngines();
  const counter = new Counter();
  const hung = deferred();
  try {
    const a = await env.open([failingSaga(counter, 'A', { a: () => hung.promise })], { worker: { concurrency: 1 } });
    const run = await a.start('saga-takeover', null);
    await waitFor('A to start undoing a', () => counter.get('A:undo a') === 1);

    // A stalls mid-compensation and its run is taken from it (as when its lease lapses).
    const b = await env.open([failingSaga(counter, 'B', {})]);
    await b.store.releaseWorker(a.worker!.id, Date.now());
    const failed = await waitForStatus(b, run.id, 'failed');
    assert.equal(failed.error?.code, 'HS_STEP_FAILED');
    assert.deepEqual(counter.snapshot(), { 'A:undo b': 1, 'A:undo a': 1, 'B:undo a': 1 });

    // A's compensation finally returns: its write is fenced and A must drop the run
    // (before the fix it waited forever on a halted durable step).
    assert.equal(env.events.filter((e) => e.engine === a && e.event.type === 'run-lost').length, 0);
    hung.resolve();
    await waitFor('A to report the run lost', () =>
      env.events.some((e) => e.engine === a && e.event.type === 'run-lost' && e.event.runId === run.id),
    );
    assert.equal((await b.getRun(run.id))?.status, 'failed');
  } finally {
    await env.cleanup();
  }
});

test('compensation history that no longer matches the code parks the run (no endless worker-error retries)', async () => {
  const env = testEngines();
  const counter = new Counter();
  try {
    // A records compensate:b, then hangs in compensate:a.
    const a = await env.open([failingSaga(counter, 'A', { a: () => new Promise(() => undefined) })]);
    const run = await a.start('saga-takeover', null);
    await waitFor('A to start undoing a', () => counter.get('A:undo a') === 1);
    await a.worker!.stop(0);

    // New code dropped b's compensation: entry #4 is compensate:b, code asks compensate:a.
    const b = await env.open([failingSaga(counter, 'B', {}, false)]);
    const parked = await waitForStatus(b, run.id, 'parked', 3_000);
    assert.equal(parked.error?.code, 'HS_DETERMINISM');
    assert.equal(counter.get('B:undo a'), 0);
    assert.equal(env.events.filter((e) => e.engine === b && e.event.type === 'worker-error').length, 0);
  } finally {
    await env.cleanup();
  }
});

test('parallel steps are compensated in reverse call order, so a resumed compensation replays identically', async () => {
  const env = testEngines();
  const counter = new Counter();
  const parallel = (who: string, undo: Record<string, () => Promise<unknown> | unknown>) =>
    defineWorkflow('saga-parallel', async (ctx) => {
      await Promise.all([
        // x is called first but completes last.
        ctx.step('x', async () => (await sleep(30), 'x'), { compensate: () => (counter.hit(`${who}:undo x`), undo.x?.()) }),
        ctx.step('y', () => 'y', { compensate: () => (counter.hit(`${who}:undo y`), undo.y?.()) }),
      ]);
      await ctx.step('z', () => {
        throw new TerminalError('z failed');
      });
    });
  try {
    // On A, undoing whichever of x, y comes second hangs.
    let undone = 0;
    const hangSecond = () => (++undone === 2 ? new Promise(() => undefined) : undefined);
    const a = await env.open([parallel('A', { x: hangSecond, y: hangSecond })]);
    const run = await a.start('saga-parallel', null);
    await waitFor('A to start its second compensation', () => undone === 2);
    await a.worker!.stop(0);

    const b = await env.open([parallel('B', {})]);
    const failed = await waitForStatus(b, run.id, 'failed', 3_000);
    assert.equal(failed.error?.code, 'HS_STEP_FAILED');
    const details = await b.describe(run.id);
    assert.deepEqual(
      details.steps.filter((s) => s.kind === 'compensation').map((s) => [s.name, s.status]),
      [
        ['compensate:y', 'completed'],
        ['compensate:x', 'completed'],
      ],
    );
    // y (called second) was undone first, on A; x was undone once on B after A hung in it.
    assert.deepEqual(counter.snapshot(), { 'A:undo y': 1, 'A:undo x': 1, 'B:undo x': 1 });
  } finally {
    await env.cleanup();
  }
});
