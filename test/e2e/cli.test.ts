import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../integration/temp-store.js';

const bin = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const workflowsModule = fileURLToPath(new URL('./fixtures/cli-workflows.js', import.meta.url));
const tmp = tempDir('homeostat-cli-');
const store = `sqlite:${tmp.dbPath}`;
let worker: ChildProcess | undefined;
let workerOutput = '';

/** Run one CLI command in-process; returns its status and what it printed. */
async function cli(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main([...args], (line) => out.push(line), (line) => err.push(line));
  return { status, out: out.join('\n'), err: err.join('\n') };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}; worker said:\n${workerOutput}`);
}

before(async () => {
  worker = spawn(process.execPath, [bin, 'worker', workflowsModule, '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
  worker.stdout!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  await waitFor('the worker to start', async () => workerOutput.includes('running'));
});

after(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  tmp.cleanup();
});

test('start --wait runs the workflow on the worker and prints its output', async () => {
  const result = await cli('start', 'greet', '--input', '{"name":"ada"}', '--id', 'cli-1', '--wait', '--store', store);
  assert.equal(result.status, 0, result.err);
  assert.match(result.out, /started cli-1/);
  assert.match(result.out, /"hello ada"/);
});

test('start with an existing id does not start a second run', async () => {
  const result = await cli('start', 'greet', '--input', '{"name":"bob"}', '--id', 'cli-1', '--store', store);
  assert.equal(result.status, 0);
  assert.match(result.out, /exists {2}cli-1/);
  const list = await cli('runs', 'list', '--json', '--store', store);
  assert.equal((JSON.parse(list.out) as unknown[]).length, 1);
});

test('runs show prints the step timeline with the failed attempt and its error', async () => {
  const result = await cli('runs', 'show', 'cli-1', '--store', store);
  assert.equal(result.status, 0, result.err);
  assert.match(result.out, /status +completed/);
  assert.match(result.out, /#1 +step +compose +completed +1/);
  assert.match(result.out, /#2 +step +flaky-send +completed +2/);
  assert.match(result.out, /attempt 1 +failed .*Error: smtp hiccup/);
});

test('a failed run is listed as failed and can be redriven after the fix', async () => {
  const marker = join(tmp.dir, 'fixed.marker');
  await cli('start', 'needs-fix', '--input', JSON.stringify({ marker }), '--id', 'cli-fix', '--store', store);
  await waitFor('the run to fail', async () => (await cli('runs', 'list', '--status', 'failed', '--store', store)).out.includes('cli-fix'));
  writeFileSync(marker, 'ok');
  const redrive = await cli('runs', 'redrive', 'cli-fix', '--store', store);
  assert.equal(redrive.status, 0, redrive.err);
  await waitFor('the redriven run to complete', async () =>
    (await cli('runs', 'list', '--status', 'completed', '--store', store)).out.includes('cli-fix'),
  );
  const show = await cli('runs', 'show', 'cli-fix', '--store', store);
  assert.match(show.out, /#1 +step +prepare +completed/);
  assert.match(show.out, /#2 +step +check +completed/);
  assert.match(show.out, /redriven +1 time/);
});

test('signal delivers an approval to a waiting run', async () => {
  await cli('start', 'approval', '--id', 'cli-approve', '--store', store);
  await waitFor('the run to wait', async () => (await cli('runs', 'list', '--status', 'waiting', '--store', store)).out.includes('cli-approve'));
  const sent = await cli('signal', 'cli-approve', 'decision', '--payload', '{"approved":true}', '--store', store);
  assert.equal(sent.status, 0, sent.err);
  const result = await cli('start', 'approval', '--id', 'cli-approve', '--wait', '--store', store);
  assert.match(result.out, /"approved"/);
});

test('runs cancel cancels a waiting run', async () => {
  await cli('start', 'approval', '--id', 'cli-cancel', '--store', store);
  await waitFor('the run to wait', async () => (await cli('runs', 'list', '--status', 'waiting', '--store', store)).out.includes('cli-cancel'));
  assert.equal((await cli('runs', 'cancel', 'cli-cancel', '--store', store)).status, 0);
  await waitFor('the run to be cancelled', async () =>
    (await cli('runs', 'list', '--status', 'cancelled', '--store', store)).out.includes('cli-cancel'),
  );
});

test('bad input gets a clear error and a non-zero status', async () => {
  const badJson = await cli('start', 'greet', '--input', '{"name":', '--store', store);
  assert.equal(badJson.status, 1);
  assert.match(badJson.err, /HS_INVALID_INPUT: input is not valid JSON/);

  const unknownWorkflow = await cli('start', 'no-such-flow', '--store', store);
  assert.equal(unknownWorkflow.status, 1);
  assert.match(unknownWorkflow.err, /HS_UNKNOWN_WORKFLOW.*known: .*greet/);

  const unknownRun = await cli('runs', 'show', 'nope', '--store', store);
  assert.equal(unknownRun.status, 1);
  assert.match(unknownRun.err, /HS_RUN_NOT_FOUND/);

  const notADatabase = join(tmp.dir, 'not-a.db');
  writeFileSync(notADatabase, 'this is a text file, not SQLite\n'.repeat(100));
  const corrupt = await cli('runs', 'list', '--store', `sqlite:${notADatabase}`);
  assert.equal(corrupt.status, 1);
  assert.match(corrupt.err, /HS_STORE_CORRUPT: .*not-a\.db is not an SQLite database/);

  assert.equal((await cli('frobnicate')).status, 2);
  assert.equal((await cli('runs', 'list', '--bogus-flag', '--store', store)).status, 2);
  assert.equal((await cli('runs', 'list', '--status', 'exploded', '--store', store)).status, 2);
  assert.equal((await cli('worker', join(tmp.dir, 'missing.js'), '--store', store)).status, 2);
});

test('start with a duration too long to be meant is a clear HS_INVALID_DURATION, not a store error', async () => {
  const result = await cli('start', 'greet', '--input', '{"name":"eve"}', '--id', 'cli-too-long', '--timeout', '99999999999999d', '--store', store);
  assert.notEqual(result.status, 0);
  assert.match(result.err, /HS_INVALID_DURATION: invalid duration "99999999999999d": longer than the longest allowed, 10 years/);
  assert.doesNotMatch(result.err, /SqliteError|unexpected error/);
  assert.equal((await cli('runs', 'show', 'cli-too-long', '--store', store)).status, 1, 'no run was created');
});
