/**
 * Database faults on a private PostgreSQL cluster (never the shared server): while two
 * worker processes execute runs, every connection is killed (`pg_terminate_backend`),
 * then the cluster is restarted cleanly, then crashed and recovered. The workers
 * reconnect and continue: every run completes, each step recorded once, and no step
 * ran again after it was recorded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/index.js';
import { ChildGroup } from './helpers/child.js';
import { assertRunsCompletedOnce, readExecutions } from './helpers/pg-runs.js';
import { PrivatePostgres } from './helpers/private-postgres.js';
import { delay, waitUntil } from './helpers/wait.js';
import { tempDir } from './temp-store.js';

const WORKER = new URL('./fixtures/postgres-worker.js', import.meta.url);
const RUNS = 30;

let cluster: PrivatePostgres;
before(async () => {
  cluster = await PrivatePostgres.start();
});
after(() => cluster?.stop());

async function withWorkers(
  name: string,
  fault: (progress: () => number, felt: () => boolean) => Promise<void>,
): Promise<void> {
  const store = `${cluster.url}?schema=${name}`;
  const tmp = tempDir('homeostat-pg-outage-');
  const children = new ChildGroup();
  let engine: Engine | undefined;
  try {
    const log = join(tmp.dir, 'executions.log');
    writeFileSync(log, '');
    const args = [JSON.stringify({ store, log, stepMs: 30, concurrency: 10, print: ['worker-error', 'run-lost'] })];
    engine = await Engine.open({ store, worker: false });
    const workers = [0, 1].map(() => children.spawn(WORKER, args));
    for (const w of workers) await w.waitForLine((l) => l.type === 'ready', 20_000, 'worker ready');
    const runIds: string[] = [];
    for (let n = 0; n < RUNS; n++) runIds.push((await engine.start('pg-ten-step', { n })).id);
    const felt = () => workers.some((w) => w.linesOf('worker-error').length > 0);
    await fault(() => readExecutions(log).length, felt);
    await waitUntil(
      async () => {
        try {
          return (await engine!.listRuns({ status: ['completed'], limit: 1_000 })).length === RUNS;
        } catch {
          return false; // the test's own connection may be reconnecting too
        }
      },
      { timeoutMs: 60_000, message: 'every run to complete after the fault' },
    );
    try {
      await assertRunsCompletedOnce(engine, runIds, log);
    } catch (error) {
      for (const w of workers) process.stderr.write(`worker ${w.pid}:\n${w.lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      throw error;
    }
    for (const w of workers) assert.ok(w.alive, `worker ${w.pid} survived the fault; stderr: ${w.stderr}`);
    const errors = workers.flatMap((w) => w.linesOf('worker-error'));
    assert.ok(errors.length > 0, 'the fault was felt by the workers (store errors reported and retried)');
  } finally {
    await children.killAll();
    await engine?.close().catch(() => undefined);
    tmp.cleanup();
  }
}

const midRun = async (progress: () => number) => {
  await waitUntil(() => progress() >= 60, { timeoutMs: 30_000, message: 'runs to be under way' });
};

test('connections killed mid-run (pg_terminate_backend): workers reconnect, runs complete, steps recorded once', { timeout: 120_000 }, async () => {
  await withWorkers('kill_conns', async (progress, felt) => {
    await midRun(progress);
    assert.ok((await cluster.terminateConnections()) > 0);
    // A killed connection that was idle is replaced by the pool without any query failing;
    // keep killing (bounded) until one dies under a query and a worker has to recover.
    for (let round = 0; round < 50 && !felt(); round++) {
      await delay(40);
      await cluster.terminateConnections();
    }
  });
});

test('the database restarted mid-run: workers reconnect, runs complete, steps recorded once', { timeout: 120_000 }, async () => {
  await withWorkers('restart', async (progress) => {
    await midRun(progress);
    cluster.restart();
  });
});

test('the database crashed and recovered mid-run: runs complete, no step runs again after it was recorded', { timeout: 120_000 }, async () => {
  await withWorkers('crash', async (progress) => {
    await midRun(progress);
    cluster.crashAndStart();
  });
});
