import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineWorkflow, type WorkflowContext } from '../../src/index.js';
import { Counter, deferred, testEngines, waitFor, waitForStatus } from './capability-helpers.js';

/** The same workflow (same name, same steps) as seen by two workers; only step three differs. */
function replayWorkflow(counter: Counter, who: string, runThree: () => Promise<string> | string) {
  return defineWorkflow('replay', async (ctx: WorkflowContext) => {
    const t = await ctx.now();
    const r = await ctx.random();
    const one = await ctx.step('one', () => {
      counter.hit(`${who}:one`);
      return `one by ${who}`;
    });
    const two = await ctx.step('two', () => {
      counter.hit(`${who}:two`);
      return `two by ${who}`;
    });
    const three = await ctx.step('three', () => {
      counter.hit(`${who}:three`);
      return runThree();
    });
    return { t, r, one, two, three };
  });
}

test('a run handed over mid-step replays recorded steps, now() and random() without re-running them', async () => {
  const env = testEngines();
  const counter = new Counter();
  const hungThree = deferred<string>();
  try {
    // Concurrency 1: while its execution hangs, A claims nothing else (not even this run again).
    const a = await env.open([replayWorkflow(counter, 'A', () => hungThree.promise)], { random: () => 0.25, worker: { concurrency: 1 } });
    const run = await a.start('replay', null);
    await waitFor('step three to start on A', () => counter.get('A:three') === 1);
    const before = await a.describe(run.id);
    assert.deepEqual(before.steps.map((s) => [s.seq, s.kind, s.name]), [
      [1, 'now', 'now'],
      [2, 'random', 'random'],
      [3, 'step', 'one'],
      [4, 'step', 'two'],
    ]);
    const recordedNow = JSON.parse(before.steps[0]!.output!) as number;

    // A stalls (it keeps running, unaware) while its runs are taken from it, as when its
    // lease lapses: B's store hands A's runs back to the queue with a new epoch.
    const b = await env.open([replayWorkflow(counter, 'B', () => 'three by B')], { random: () => 0.75 });
    await b.store.releaseWorker(a.worker!.id, Date.now());
    const output = await b.result<{ t: number; r: number; one: string; two: string; three: string }>(run.id, { timeout: '5s' });

    assert.deepEqual(output, { t: recordedNow, r: 0.25, one: 'one by A', two: 'two by A', three: 'three by B' });
    assert.deepEqual(counter.snapshot(), { 'A:one': 1, 'A:two': 1, 'A:three': 1, 'B:three': 1 });
    const after = await b.describe(run.id);
    assert.equal(after.run.status, 'completed');
    assert.equal(after.run.epoch, 3, 'created by A (1) → taken from A (2) → claimed by B (3)');
    assert.deepEqual(after.steps.slice(0, 4).map((s) => s.output), before.steps.map((s) => s.output));

    // A's step three finally returns: the fence refuses its write and A drops the run.
    assert.equal(env.events.filter((e) => e.engine === a && e.event.type === 'run-lost').length, 0);
    hungThree.resolve('three by A (stale)');
    await waitFor('A to report the run lost', () =>
      env.events.some((e) => e.engine === a && e.event.type === 'run-lost' && e.event.runId === run.id),
    );
    const final = await b.describe(run.id);
    assert.equal(final.steps.find((s) => s.name === 'three')?.output, JSON.stringify('three by B'));
    assert.equal(final.run.output, after.run.output);
  } finally {
    await env.cleanup();
  }
});

test('a worker process killed with SIGKILL mid-run is taken over after its lease expires; nothing recorded runs twice', async () => {
  const env = testEngines();
  const logPath = join(env.dbPath, '..', 'calls.log');
  const runId = 'crash-run-1';
  const fixture = fileURLToPath(new URL('./fixtures/replay-crash-worker.js', import.meta.url));
  const child = spawn(process.execPath, [fixture, env.dbPath, logPath, runId], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  try {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor('the child to reach step three', () => out.includes('IN-STEP-THREE'), 15_000);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const counter = new Counter();
    const wf = defineWorkflow('crash-replay', async (ctx) => {
      const t = await ctx.now();
      const r = await ctx.random();
      const one = await ctx.step('one', () => (counter.hit('one'), 'one-here'));
      const two = await ctx.step('two', () => (counter.hit('two'), 'two-here'));
      const three = await ctx.step('three', () => (counter.hit('three'), 'three-here'));
      return { t, r, one, two, three };
    });
    const b = await env.open([wf], { random: () => 0.875 });
    const output = await b.result<Record<string, unknown>>(runId, { timeout: '10s' });
    const details = await b.describe(runId);

    assert.deepEqual(output, {
      t: JSON.parse(details.steps[0]!.output!) as number,
      r: 0.125,
      one: 'one-from-child',
      two: 'two-from-child',
      three: 'three-here',
    });
    assert.deepEqual(counter.snapshot(), { three: 1 });
    const log = readFileSync(logPath, 'utf8').trim().split('\n').map((line) => line.split(' ')[0]);
    assert.deepEqual(log, ['one', 'two', 'three']);
    const claim = env.events.find((e) => e.event.type === 'run-claimed' && e.event.runId === runId);
    assert.ok(claim && claim.event.type === 'run-claimed' && claim.event.takeover, 'B claims the run as a takeover');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await env.cleanup();
  }
});

test('failed attempts count across a takeover: the new worker continues the attempt numbering and budget', async () => {
  const env = testEngines();
  const seen: number[] = [];
  const hung = deferred<string>();
  const flaky = (who: string) =>
    defineWorkflow('attempts-across-takeover', async (ctx) =>
      ctx.step('flaky', ({ attempt }) => {
        seen.push(attempt);
        if (who === 'A' && attempt < 3) throw new Error(`attempt ${attempt} failed on A`);
        if (who === 'A') return hung.promise; // A hangs in its third attempt
        return `ok on ${who} at attempt ${attempt}`;
      }, { retry: { maxAttempts: 4, initialDelay: 1, maxDelay: 2 } }),
    );
  try {
    const a = await env.open([flaky('A')]);
    const run = await a.start('attempts-across-takeover', null);
    await waitFor('A to reach attempt 3', () => seen.length === 3);
    await a.worker!.stop(0);
    const b = await env.open([flaky('B')]);
    assert.equal(await b.result(run.id, { timeout: '5s' }), 'ok on B at attempt 3');
    assert.deepEqual(seen, [1, 2, 3, 3]);
    const details = await b.describe(run.id);
    assert.deepEqual(details.attempts.map((x) => [x.attempt, x.error.message]), [
      [1, 'attempt 1 failed on A'],
      [2, 'attempt 2 failed on A'],
    ]);
    assert.equal(details.steps[0]?.attempts, 3);
    await waitForStatus(b, run.id, 'completed');
  } finally {
    hung.resolve('late');
    await env.cleanup();
  }
});

test('after engine.close() hands a run over, a step that returns late on the closed engine neither compensates nor records anything', async () => {
  const env = testEngines();
  const counter = new Counter();
  const late = deferred<string>();
  const wf = (who: string, b: () => Promise<string> | string) =>
    defineWorkflow('close-mid-step', async (ctx) => {
      await ctx.step('a', () => (counter.hit(`${who}:a`), 'a'), { compensate: () => counter.hit(`${who}:undo a`) });
      return ctx.step('b', () => (counter.hit(`${who}:b`), b())); // ignores its abort signal
    });
  try {
    const a = await env.open([wf('A', () => late.promise)]);
    const run = await a.start('close-mid-step', null);
    await waitFor('A to run b', () => counter.get('A:b') === 1);
    await a.close(10);

    const b = await env.open([wf('B', () => 'b by B')]);
    assert.equal(await b.result(run.id, { timeout: '5s' }), 'b by B');

    late.resolve('b by A (too late)');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(counter.snapshot(), { 'A:a': 1, 'A:b': 1, 'B:b': 1 }, 'A never ran a compensation');
    const details = await b.describe(run.id);
    assert.deepEqual(details.steps.map((s) => [s.name, s.status]), [
      ['a', 'completed'],
      ['b', 'completed'],
    ]);
    assert.equal(details.run.status, 'completed');
  } finally {
    await env.cleanup();
  }
});

test('a worker that stops stops retrying its released runs: no attempt runs on it after the handover', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = (who: string) =>
    defineWorkflow('stop-mid-backoff', async (ctx) =>
      ctx.step('flaky', ({ attempt }) => {
        counter.hit(who);
        if (who === 'A') throw new Error(`A attempt ${attempt}`);
        return `B at attempt ${attempt}`;
      }, { retry: { maxAttempts: 5, initialDelay: 150, jitter: 'none' } }),
    );
  try {
    const a = await env.open([wf('A')]);
    const run = await a.start('stop-mid-backoff', null);
    await waitFor('A to fail attempt 1', () => counter.get('A') === 1);
    await a.worker!.stop(0); // A is now in a 150 ms backoff
    const b = await env.open([wf('B')]);
    assert.equal(await b.result(run.id, { timeout: '5s' }), 'B at attempt 2');
    await new Promise((resolve) => setTimeout(resolve, 300)); // past A's backoff
    assert.deepEqual(counter.snapshot(), { A: 1, B: 1 });
  } finally {
    await env.cleanup();
  }
});
