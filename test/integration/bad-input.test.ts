import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineWorkflow, Engine, isHomeostatError, openStore } from '../../src/index.js';
import { Counter, testEngines, waitForStatus } from './capability-helpers.js';
import { tempDir } from './temp-store.js';

test('starting an unknown workflow throws HS_UNKNOWN_WORKFLOW listing the known ones, and creates no run', async () => {
  const env = testEngines();
  const known = defineWorkflow('known', async () => 1);
  try {
    const engine = await env.open([known]);
    await assert.rejects(engine.start('no-such-workflow', {}), (e) =>
      isHomeostatError(e, 'HS_UNKNOWN_WORKFLOW') && /"no-such-workflow".*known: known/.test((e as Error).message),
    );
    // A definition no worker registered is unknown too, even when passed as an object.
    await assert.rejects(engine.start(defineWorkflow('unregistered', async () => 1), null), (e) => isHomeostatError(e, 'HS_UNKNOWN_WORKFLOW'));
    // A client without a worker accepts names registered by any worker on the store.
    const client = await env.open([], { worker: false });
    const run = await client.start('known', null);
    assert.equal(await engine.result(run.id, { timeout: '5s' }), 1);
    assert.deepEqual((await engine.listRuns()).map((r) => r.workflow), ['known']);
  } finally {
    await env.cleanup();
  }
});

test('startFromJson rejects malformed JSON with HS_INVALID_INPUT and accepts valid JSON', async () => {
  const env = testEngines();
  const echo = defineWorkflow('echo', async (_ctx, input: unknown) => input);
  try {
    const engine = await env.open([echo]);
    await assert.rejects(engine.startFromJson('echo', '{url:'), (e) =>
      isHomeostatError(e, 'HS_INVALID_INPUT') && /not valid JSON/.test((e as Error).message),
    );
    await assert.rejects(engine.startFromJson('echo', ''), (e) => isHomeostatError(e, 'HS_INVALID_INPUT'));
    assert.equal((await engine.listRuns()).length, 0);
    const run = await engine.startFromJson('echo', '{"url":"https://example.org","n":[1,2]}');
    assert.deepEqual(await run.result({ timeout: '5s' }), { url: 'https://example.org', n: [1, 2] });
    const none = await engine.startFromJson('echo', undefined);
    assert.equal(await none.result({ timeout: '5s' }), undefined);
  } finally {
    await env.cleanup();
  }
});

test('an oversized step result fails at once with HS_PAYLOAD_TOO_LARGE naming the step and its size: one attempt, no retries', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('big-result', async (ctx) => {
    await ctx.step('small', () => 'ok');
    // 600 two-byte characters: 602 JSON characters but 1202 bytes, over a 1000-byte limit.
    await ctx.step('big', () => (counter.hit('big'), 'é'.repeat(600)), { retry: { maxAttempts: 5, initialDelay: 1 } });
  });
  try {
    const engine = await env.open([wf], { maxPayloadBytes: 1000 });
    const run = await engine.start(wf, null);
    const failed = await waitForStatus(engine, run.id, 'failed');
    assert.equal(counter.get('big'), 1);
    assert.equal(failed.error?.code, 'HS_STEP_FAILED');
    assert.equal(failed.error?.step, 'big');
    assert.match(failed.error?.message ?? '', /step "big" failed after 1 attempt\(s\): PayloadTooLargeError: step "big" result is 1202 bytes, over the 1000-byte payload limit/);
    const details = await engine.describe(run.id);
    const big = details.steps.find((s) => s.name === 'big')!;
    assert.deepEqual([big.status, big.attempts, big.error?.code, big.output], ['failed', 1, 'HS_PAYLOAD_TOO_LARGE', null]);
    assert.equal(details.attempts.length, 1);
  } finally {
    await env.cleanup();
  }
});

test('a step can raise its own payload limit; an unserializable result fails with HS_UNSERIALIZABLE, once', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('payload-options', async (ctx) => {
    const big = await ctx.step('allowed-big', () => 'x'.repeat(5000), { maxPayloadBytes: 10_000 });
    await ctx.step('bigint', () => (counter.hit('bigint'), { n: 10n }));
    return big.length;
  });
  try {
    const engine = await env.open([wf], { maxPayloadBytes: 1000 });
    const run = await engine.start(wf, null);
    const failed = await waitForStatus(engine, run.id, 'failed');
    assert.equal(counter.get('bigint'), 1);
    const steps = (await engine.describe(run.id)).steps;
    assert.equal(steps[0]?.status, 'completed');
    assert.equal(steps[1]?.error?.code, 'HS_UNSERIALIZABLE');
    assert.match(failed.error?.message ?? '', /step "bigint" result cannot be stored as JSON/);
  } finally {
    await env.cleanup();
  }
});

test('oversized input, signal payload and workflow output are refused with HS_PAYLOAD_TOO_LARGE and lose nothing', async () => {
  const env = testEngines();
  const counter = new Counter();
  const echo = defineWorkflow('echo-big', async (_ctx, input: string) => input);
  const bigOutput = defineWorkflow('big-output', async (ctx) => {
    await ctx.step('reserve', () => counter.hit('reserve'), { compensate: () => counter.hit('release') });
    return 'y'.repeat(2000);
  });
  const waits = defineWorkflow('waits', async (ctx) => ctx.waitForSignal<string>('data'));
  try {
    const engine = await env.open([echo, bigOutput, waits], { maxPayloadBytes: 1000 });
    await assert.rejects(engine.start(echo, 'z'.repeat(2000)), (e) =>
      isHomeostatError(e, 'HS_PAYLOAD_TOO_LARGE') && /input of workflow "echo-big" is 2002 bytes/.test((e as Error).message),
    );
    assert.equal((await engine.listRuns()).length, 0, 'no run is created');

    const waiting = await engine.start(waits, null);
    await waitForStatus(engine, waiting.id, 'waiting');
    await assert.rejects(engine.signal(waiting.id, 'data', 's'.repeat(2000)), (e) => isHomeostatError(e, 'HS_PAYLOAD_TOO_LARGE'));
    await engine.signal(waiting.id, 'data', 'small');
    assert.equal(await waiting.result({ timeout: '5s' }), 'small', 'the refused signal was not queued');

    const out = await engine.start(bigOutput, null);
    const failed = await waitForStatus(engine, out.id, 'failed');
    assert.equal(failed.error?.code, 'HS_PAYLOAD_TOO_LARGE');
    assert.match(failed.error?.message ?? '', /output of workflow "big-output" is 2002 bytes/);
    assert.deepEqual(counter.snapshot(), { reserve: 1, release: 1 });
  } finally {
    await env.cleanup();
  }
});

test('a file that is not an SQLite database is refused with HS_STORE_CORRUPT naming the path, and left untouched', async () => {
  const tmp = tempDir();
  try {
    const cases = {
      'random.db': randomBytes(8192),
      'text.db': Buffer.from('this is a config file, not a database\n'.repeat(50)),
      'bad-header.db': Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(4080)]),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const path = join(tmp.dir, name);
      writeFileSync(path, bytes);
      const named = (e: unknown) => isHomeostatError(e, 'HS_STORE_CORRUPT') && (e as Error).message.includes(path);
      await assert.rejects(openStore(`sqlite:${path}`), named, name);
      await assert.rejects(openStore(path), named, `${name} as a bare path`);
      await assert.rejects(Engine.open({ store: `sqlite:${path}`, workflows: [defineWorkflow('w', async () => 1)] }), named, name);
      assert.deepEqual(readFileSync(path), bytes, `${name} is unchanged`);
      assert.equal(existsSync(`${path}-wal`), false, `${name}: no WAL file left behind`);
    }
  } finally {
    tmp.cleanup();
  }
});

test('an unsupported or malformed store URL is refused with HS_STORE_URL', async () => {
  for (const url of ['mysql://localhost/db', 'redis://x', 'sqlite:', 'sqlite:/tmp/x.db?durability=sometimes', 'just-a-name']) {
    await assert.rejects(openStore(url), (e) => isHomeostatError(e, 'HS_STORE_URL'), url);
  }
  await assert.rejects(Engine.open({ store: 'mysql://localhost/db' }), (e) => isHomeostatError(e, 'HS_STORE_URL'));
});

test('starting with an existing id returns the same run (created: false) and the workflow runs once', async () => {
  const env = testEngines();
  const counter = new Counter();
  const wf = defineWorkflow('idempotent', async (ctx, input: { n: number }) => ctx.step('work', () => (counter.hit('work'), input.n)));
  try {
    const engine = await env.open([wf]);
    const first = await engine.start(wf, { n: 1 }, { id: 'order-42' });
    const second = await engine.start(wf, { n: 2 }, { id: 'order-42' });
    assert.deepEqual([first.id, first.created, second.id, second.created], ['order-42', true, 'order-42', false]);
    assert.equal(await second.result({ timeout: '5s' }), 1, 'the first input wins');

    const concurrent = await Promise.all([1, 2, 3].map((n) => engine.start(wf, { n }, { id: 'order-43' })));
    assert.deepEqual(concurrent.map((h) => h.created).sort(), [false, false, true]);
    await concurrent[0]!.result({ timeout: '5s' });

    const client = await env.open([], { worker: false });
    const again = await client.start('idempotent', { n: 9 }, { id: 'order-42' });
    assert.equal(again.created, false);
    assert.equal(await again.result({ timeout: '1s' }), 1);
    assert.equal(counter.get('work'), 2);
    assert.equal((await engine.listRuns()).length, 2);
  } finally {
    await env.cleanup();
  }
});
