/**
 * Many workers on one PostgreSQL database: three worker processes share one schema; one
 * is SIGKILLed mid-run. Every run completes, each step is recorded once, and no step
 * ran again after it was recorded; only the killed worker's unrecorded steps repeat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/index.js';
import { ChildGroup } from './helpers/child.js';
import { freshSchema } from './helpers/postgres.js';
import { assertRunsCompletedOnce, readExecutions } from './helpers/pg-runs.js';
import { waitUntil } from './helpers/wait.js';
import { tempDir } from './temp-store.js';

const WORKER = new URL('./fixtures/postgres-worker.js', import.meta.url);
const RUNS = 45;

test('three workers on PostgreSQL, one SIGKILLed mid-run: every run completes, each step recorded once', { timeout: 120_000 }, async () => {
  const schema = freshSchema('hs_workers');
  const tmp = tempDir('homeostat-pg-workers-');
  const children = new ChildGroup();
  let engine: Engine | undefined;
  try {
    const log = join(tmp.dir, 'executions.log');
    writeFileSync(log, '');
    const args = [JSON.stringify({ store: schema.url, log, stepMs: 25, concurrency: 6, print: ['run-claimed', 'worker-error'] })];
    engine = await Engine.open({ store: schema.url, worker: false });
    const workers = [0, 1, 2].map(() => children.spawn(WORKER, args));
    for (const w of workers) await w.waitForLine((l) => l.type === 'ready', 20_000, 'worker ready');
    const runIds: string[] = [];
    for (let n = 0; n < RUNS; n++) runIds.push((await engine.start('pg-ten-step', { n })).id);

    const victim = workers[1]!;
    await waitUntil(() => readExecutions(log).filter((e) => e.pid === victim.pid).length >= 15, {
      timeoutMs: 30_000,
      message: 'the victim to execute some steps',
    });
    await victim.kill();
    const killedAt = Date.now();
    const owned = (await engine.listRuns({ status: ['running'], limit: 1_000 })).filter((r) => r.ownerId?.includes(`:${victim.pid}:`));
    assert.ok(owned.length > 0, 'the victim owned runs when it died');

    await waitUntil(async () => (await engine!.listRuns({ status: ['completed'], limit: 1_000 })).length === RUNS, {
      timeoutMs: 60_000,
      message: 'every run to complete',
      describe: async () => JSON.stringify((await engine!.listRuns({ limit: 1_000 })).map((r) => r.status)),
    });
    const { repeatedPids } = await assertRunsCompletedOnce(engine, runIds, log);
    assert.deepEqual([...repeatedPids].filter((pid) => pid !== victim.pid), [], 'only the killed worker left steps unrecorded');
    const takeovers = workers.filter((w) => w !== victim).flatMap((w) => w.linesOf('run-claimed').filter((l) => l.takeover === true));
    assert.ok(takeovers.length >= owned.length, `the survivors took over the victim's ${owned.length} runs (saw ${takeovers.length})`);
    assert.ok(Date.now() - killedAt < 60_000);
  } finally {
    await children.killAll();
    await engine?.close();
    await schema.drop();
    tmp.cleanup();
  }
});
