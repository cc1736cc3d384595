import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineWorkflow, isHomeostatError, type WorkflowContext } from '../../src/index.js';
import { Counter, testEngines, waitForStatus } from './capability-helpers.js';

const NAME = 'evolving';

/**
 * A version of the workflow: runs the named steps in order, then (optionally) waits for
 * the `go` signal, which is where version 1 leaves its runs so a later version replays them.
 */
function version(counter: Counter, tag: string, steps: string[], waitAfter = true, more: string[] = []) {
  return defineWorkflow(NAME, async (ctx: WorkflowContext) => {
    const results: string[] = [];
    for (const name of steps) results.push(await ctx.step(name, () => (counter.hit(`${tag}:${name}`), `${name}@${tag}`)));
    if (waitAfter) await ctx.waitForSignal('go');
    for (const name of more) results.push(await ctx.step(name, () => (counter.hit(`${tag}:${name}`), `${name}@${tag}`)));
    return results;
  });
}

/** Record a run with steps a, b (then waiting for `go`) using version 1, and close that engine. */
async function recordV1(env: ReturnType<typeof testEngines>, counter: Counter, steps = ['a', 'b']): Promise<string> {
  const v1 = await env.open([version(counter, 'v1', steps)]);
  const run = await v1.start(NAME, null);
  await waitForStatus(v1, run.id, 'waiting');
  await v1.close();
  return run.id;
}

test('code that asks for a different step than the history parks the run with HS_DETERMINISM; the new step never runs', async () => {
  const env = testEngines();
  const counter = new Counter();
  try {
    const runId = await recordV1(env, counter);
    const v2 = await env.open([version(counter, 'v2', ['a', 'c'])]);
    await v2.signal(runId, 'go');
    const parked = await waitForStatus(v2, runId, 'parked');
    assert.equal(parked.error?.code, 'HS_DETERMINISM');
    assert.match(parked.error?.message ?? '', /#2 is step "b".*asks for step "c"/);
    assert.deepEqual(counter.snapshot(), { 'v1:a': 1, 'v1:b': 1 });
    assert.deepEqual((await v2.deadLetters()).map((r) => r.id), [runId]);
    await assert.rejects(v2.result(runId, { timeout: '1s' }), (e) => isHomeostatError(e, 'HS_RUN_FAILED'));
    const details = await v2.describe(runId);
    assert.deepEqual(details.steps.map((s) => [s.seq, s.name, s.status]), [
      [1, 'a', 'completed'],
      [2, 'b', 'completed'],
      [3, 'go', 'waiting'],
    ]);
  } finally {
    await env.cleanup();
  }
});

test('code that drops a trailing recorded step parks the run instead of completing it', async () => {
  const env = testEngines();
  const counter = new Counter();
  try {
    // v1 records a, b, c and then waits for `go` after c.
    const runId = await recordV1(env, counter, ['a', 'b', 'c']);
    // v2 runs only a, b and returns: history entry #3 (c) is never reached.
    const v2 = await env.open([version(counter, 'v2', ['a', 'b'], false)]);
    await v2.signal(runId, 'wake');
    const parked = await waitForStatus(v2, runId, 'parked');
    assert.equal(parked.error?.code, 'HS_DETERMINISM');
    assert.match(parked.error?.message ?? '', /#3 is step "c".*the end of the workflow/);
    assert.equal(parked.output, null);
    assert.deepEqual(counter.snapshot(), { 'v1:a': 1, 'v1:b': 1, 'v1:c': 1 });
  } finally {
    await env.cleanup();
  }
});

test('a parked run completes after redrive with fixed code, without re-running recorded steps', async () => {
  const env = testEngines();
  const counter = new Counter();
  try {
    const runId = await recordV1(env, counter);
    const broken = await env.open([version(counter, 'v2', ['a', 'c'])]);
    await broken.signal(runId, 'go');
    await waitForStatus(broken, runId, 'parked');
    await broken.close();

    // The fix: code that matches the history again (a, b, wait for go) and adds step c after it.
    const fixed = await env.open([version(counter, 'v3', ['a', 'b'], true, ['c'])]);
    const redriven = await fixed.redrive(runId);
    assert.equal(redriven.status, 'pending');
    assert.equal(redriven.generation, 1);
    // The `go` signal sent before the park is still queued and is consumed now.
    assert.deepEqual(await fixed.result(runId, { timeout: '5s' }), ['a@v1', 'b@v1', 'c@v3']);
    assert.deepEqual(counter.snapshot(), { 'v1:a': 1, 'v1:b': 1, 'v3:c': 1 });
  } finally {
    await env.cleanup();
  }
});

test('a parked run redriven from the diverging step runs the new code from there', async () => {
  const env = testEngines();
  const counter = new Counter();
  try {
    const runId = await recordV1(env, counter);
    const v2 = await env.open([version(counter, 'v2', ['a', 'c'])]);
    await v2.signal(runId, 'go');
    await waitForStatus(v2, runId, 'parked');
    await v2.redrive(runId, { fromStep: 'b' });
    assert.deepEqual(await v2.result(runId, { timeout: '5s' }), ['a@v1', 'c@v2']);
    assert.deepEqual(counter.snapshot(), { 'v1:a': 1, 'v1:b': 1, 'v2:c': 1 });
    const details = await v2.describe(runId);
    assert.deepEqual(details.steps.map((s) => [s.seq, s.name]), [
      [1, 'a'],
      [2, 'c'],
      [3, 'go'],
    ]);
  } finally {
    await env.cleanup();
  }
});
