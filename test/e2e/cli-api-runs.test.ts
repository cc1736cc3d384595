import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiDiscovery } from '../../src/cli/api-discovery.js';
import { BIN, UpHarness } from './loop-harness.js';

const workflowsModule = fileURLToPath(new URL('./fixtures/cli-workflows.js', import.meta.url));

test('runs through the API of a running up: start (--wait, --timeout), signal, cancel, redrive — each audited as its local token', async () => {
  const h = new UpHarness(`services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
`);
  const store = `sqlite:${join(h.dir, 'state', 'homeostat.db')}`;
  let workerOutput = '';
  const worker = spawn(process.execPath, [BIN, 'worker', workflowsModule, '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
  worker.stdout!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  try {
    await h.up();
    await h.waitFor(() => workerOutput.includes('running'), 15_000, `the worker to start: ${workerOutput}`);
    const actor = `api:local-up-${(JSON.parse(readFileSync(join(h.dir, 'state', 'api.json'), 'utf8')) as ApiDiscovery).pid}`;
    const audited = async (action: string, runId: string) => (await h.db().listAudit({ afterSeq: 0, limit: 10_000 })).filter((a) => a.action === action && a.subject === `run:${runId}`).map((a) => a.actor);
    const statusOf = async (runId: string) => (await h.db().getRun(runId))?.status;

    const greeted = await h.cli('start', 'greet', '--input', '{"name":"ada"}', '--id', 'api-1', '--timeout', '1h', '--wait');
    assert.equal(greeted.status, 0, greeted.out);
    assert.match(greeted.out, /^started api-1\n"hello ada"$/);
    assert.deepEqual(await audited('run.started', 'api-1'), [actor]);
    assert.notEqual((await h.db().getRun('api-1'))!.deadlineAt, null, '--timeout reached the engine');
    assert.match((await h.cli('start', 'greet', '--input', '{"name":"bob"}', '--id', 'api-1')).out, /exists {2}api-1/);

    await h.cli('start', 'approval', '--id', 'api-signal');
    await h.waitFor(async () => (await statusOf('api-signal')) === 'waiting', 10_000, 'the run to wait');
    const sent = await h.cli('signal', 'api-signal', 'decision', '--payload', '{"approved":true}');
    assert.equal(sent.status, 0, sent.out);
    assert.deepEqual(await audited('run.signalled', 'api-signal'), [actor]);
    assert.match((await h.cli('start', 'approval', '--id', 'api-signal', '--wait')).out, /"approved"/);

    await h.cli('start', 'approval', '--id', 'api-cancel');
    await h.waitFor(async () => (await statusOf('api-cancel')) === 'waiting', 10_000, 'the run to wait');
    const cancelled = await h.cli('runs', 'cancel', 'api-cancel');
    assert.equal(cancelled.status, 0, cancelled.out);
    assert.deepEqual(await audited('run.cancel-requested', 'api-cancel'), [actor]);
    const waitCancelled = await h.cli('start', 'approval', '--id', 'api-cancel', '--wait');
    assert.equal(waitCancelled.status, 1);
    assert.match(waitCancelled.out, /HS_CANCELLED: run api-cancel was cancelled/);

    const marker = join(h.dir, 'fixed.marker');
    await h.cli('start', 'needs-fix', '--input', JSON.stringify({ marker }), '--id', 'api-fix');
    await h.waitFor(async () => (await statusOf('api-fix')) === 'failed', 10_000, 'the run to fail');
    const waitFailed = await h.cli('start', 'needs-fix', '--id', 'api-fix', '--wait');
    assert.equal(waitFailed.status, 1);
    assert.match(waitFailed.out, /HS_RUN_FAILED: run api-fix failed: .*missing/);
    writeFileSync(marker, 'ok');
    const redriven = await h.cli('runs', 'redrive', 'api-fix', '--from-step', 'check');
    assert.equal(redriven.status, 0, redriven.out);
    assert.match(redriven.out, /redriven api-fix: queued again \(generation 1\)/);
    assert.deepEqual(await audited('run.redriven', 'api-fix'), [actor]);
    await h.waitFor(async () => (await statusOf('api-fix')) === 'completed', 10_000, 'the redriven run to complete');

    const badJson = await h.cli('start', 'greet', '--input', '{"name":');
    assert.equal(badJson.status, 1);
    assert.match(badJson.out, /HS_INVALID_INPUT: input is not valid JSON/);
    const unknown = await h.cli('start', 'no-such-flow');
    assert.equal(unknown.status, 1);
    assert.match(unknown.out, /HS_UNKNOWN_WORKFLOW: .*\(HTTP 404 from /);
    const missing = await h.cli('runs', 'show', 'nope');
    assert.equal(missing.status, 1);
    assert.match(missing.out, /HS_RUN_NOT_FOUND: .*\(HTTP 404 from /);
  } finally {
    if (worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await h.close();
  }
});
