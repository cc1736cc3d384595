/**
 * Zombie test with real processes: a worker frozen with SIGSTOP in the middle of a
 * step loses its lease, another worker takes the run over and completes it; when the
 * frozen worker is resumed with SIGCONT, its checkpoint is refused by the fence (it
 * reports `run-lost`) and nothing it does changes the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Engine } from '../../src/index.js';
import { ChildGroup, type JsonChild } from './helpers/child.js';
import { delay } from './helpers/wait.js';
import { tempDir } from './temp-store.js';

const WORKER = new URL('./fixtures/zombie-worker.js', import.meta.url);
const LEASE_MS = 600;
const HEARTBEAT_MS = 100;
const SLOW_MS = 1_000;

/**
 * SIGSTOP the child at a moment it holds no SQLite write lock. A process frozen inside
 * a write transaction (a heartbeat or a claim) blocks every other writer of the file
 * until it resumes; no fence can help with that, and it is not what this test is
 * about. The lock is probed with a non-waiting BEGIN IMMEDIATE on our own connection;
 * if the child holds it, it is resumed for a moment and frozen again.
 */
async function freezeOutsideWrite(child: JsonChild, dbPath: string): Promise<void> {
  const probe = new Database(dbPath, { timeout: 0 });
  try {
    for (let attempt = 1; ; attempt++) {
      child.signal('SIGSTOP');
      await delay(5); // let the stop take effect
      try {
        probe.prepare('BEGIN IMMEDIATE').run();
        probe.prepare('ROLLBACK').run();
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        if (attempt >= 50) throw new Error(`child ${child.pid} held the SQLite write lock at each of ${attempt} attempts to freeze it`);
        child.signal('SIGCONT');
        await delay(2);
      }
    }
  } finally {
    probe.close();
  }
}

test('a worker frozen past its lease is fenced: the run is taken over and completed by another, the zombie cannot write', { timeout: 60_000 }, async (t) => {
  const tmp = tempDir('homeostat-zombie-');
  const children = new ChildGroup();
  let engine: Engine | undefined;
  const dump: (() => string)[] = [];
  try {
    const store = `sqlite:${tmp.dbPath}`;
    const log = join(tmp.dir, 'executions.log');
    writeFileSync(log, '');
    const args = [JSON.stringify({ store, log, slowMs: SLOW_MS, leaseMs: LEASE_MS, heartbeatIntervalMs: HEARTBEAT_MS })];

    engine = await Engine.open({ store, worker: false });
    const a = children.spawn(WORKER, args);
    dump.push(() => `A ${a.pid} lines ${JSON.stringify(a.lines)} stderr ${a.stderr}`);
    await a.waitForLine((line) => line.type === 'ready', 20_000, 'worker A to be ready');
    const { id: runId } = await engine.start('zombie-three', null);

    // A claims the run and is inside its slow first step: freeze it there.
    const claimedByA = await a.waitForLine((line) => line.type === 'run-claimed' && line.runId === runId, 10_000, 'A to claim the run');
    assert.equal(claimedByA.epoch, 1);
    await a.waitForLine((line) => line.type === 'step-start' && line.runId === runId && line.seq === 1, 10_000, 'A to start step 1');
    await freezeOutsideWrite(a, tmp.dbPath);
    const frozenAt = Date.now();

    // B takes the run over once A's lease has expired, and completes it.
    const b = children.spawn(WORKER, args);
    dump.push(() => `B ${b.pid} lines ${JSON.stringify(b.lines)} stderr ${b.stderr}`);
    const claimedByB = await b.waitForLine((line) => line.type === 'run-claimed' && line.runId === runId, 20_000, 'B to take the run over');
    assert.equal(claimedByB.takeover, true);
    assert.equal(claimedByB.epoch, 2);
    const output = await engine.result<{ pid: number }>(runId, { timeout: '20s' });
    assert.equal(output.pid, b.pid);
    const completed = await engine.getRun(runId);
    assert.equal(completed?.status, 'completed');
    const finishedAt = completed?.finishedAt;

    // Resume A: its step finishes, and the checkpoint that follows is refused.
    a.signal('SIGCONT');
    const done = await a.waitForLine((line) => line.type === 'step-done' && line.runId === runId && line.seq === 1, 10_000, 'A to finish step 1 after resuming');
    const lost = await a.waitForLine((line) => line.type === 'run-lost' && line.runId === runId, 10_000, 'A to report the run lost');
    assert.equal(lost.epoch, 1, 'A was fenced with its stale epoch');
    assert.ok(done.receivedAt >= claimedByB.receivedAt);
    // Give A time to do anything else it (wrongly) might.
    await delay(3 * HEARTBEAT_MS + 200);

    // The store holds B's results only, and the run completed once, by B.
    const { run, steps, attempts } = await engine.describe(runId);
    assert.equal(run.status, 'completed');
    assert.equal(run.epoch, 2);
    assert.equal(run.finishedAt, finishedAt, 'the run was not finished again');
    assert.deepEqual(JSON.parse(run.output ?? 'null'), {
      pid: b.pid,
      outputs: [1, 2, 3].map((seq) => ({ pid: b.pid, seq })),
    });
    assert.deepEqual(
      steps.map((step) => [step.seq, step.status, JSON.parse(step.output ?? 'null')]),
      [1, 2, 3].map((seq) => [seq, 'completed', { pid: b.pid, seq }]),
    );
    assert.deepEqual(attempts, [], 'the refused write left no attempt behind');

    // A executed step 1 (it was frozen inside it) but nothing after its refused checkpoint.
    const executions = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '');
    const byA = executions.filter((line) => line.endsWith(`,${a.pid}`));
    const byB = executions.filter((line) => line.endsWith(`,${b.pid}`));
    assert.deepEqual(byA, [`${runId},1,${a.pid}`]);
    assert.deepEqual(byB, [1, 2, 3].map((seq) => `${runId},${seq},${b.pid}`));
    assert.equal(a.linesOf('step-start').filter((line) => line.runId === runId).length, 1, 'A started no step after the refusal');
    assert.deepEqual(a.linesOf('run-finished'), [], 'A never finished the run');
    assert.deepEqual(
      b.linesOf('run-finished').map((line) => [line.runId, line.status]),
      [[runId, 'completed']],
    );
    assert.deepEqual(b.linesOf('run-lost'), []);
    assert.ok(a.alive, 'A survived being fenced');

    t.diagnostic(
      `A (pid ${a.pid}) frozen for ${claimedByB.receivedAt - frozenAt} ms before B (pid ${b.pid}) took over at epoch 2; ` +
        `run completed by B; A resumed, finished its step and was refused: ${JSON.stringify({ type: lost.type, epoch: lost.epoch })}`,
    );
  } catch (error) {
    for (const describe of dump) t.diagnostic(describe());
    throw error;
  } finally {
    await children.killAll();
    await engine?.close();
    tmp.cleanup();
  }
});
