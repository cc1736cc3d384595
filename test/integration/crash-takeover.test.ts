/**
 * Crash test with real processes: worker children running 10-step workflows are
 * SIGKILLed at random points, a surviving worker (and the next victim) take their runs
 * over, and in the end every run has completed with each step recorded exactly once,
 * and no step that was checkpointed before a kill ran again after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/index.js';
import { ChildGroup, type JsonChild } from './helpers/child.js';
import { delay, waitUntil } from './helpers/wait.js';
import { tempDir } from './temp-store.js';

const WORKER = new URL('./fixtures/crash-worker.js', import.meta.url);

const KILLS = 55;
/** Runs claimable at any time, so every victim finds work as soon as it starts. */
const TARGET_PENDING = 10;
const SURVIVOR_CONCURRENCY = 3;
const VICTIM_CONCURRENCY = 6;
const STEPS = 10;

test('workers SIGKILLed at random points: every run completes, each step is recorded once and no checkpointed step runs again', { timeout: 240_000 }, async (t) => {
  const tmp = tempDir('homeostat-crash-');
  const children = new ChildGroup();
  let engine: Engine | undefined;
  try {
    const store = `sqlite:${tmp.dbPath}`;
    const log = join(tmp.dir, 'executions.log');
    writeFileSync(log, '');
    const startedAt = Date.now();

    // The test process only creates runs and reads the store: no worker here.
    engine = await Engine.open({ store, worker: false });
    const survivor = children.spawn(WORKER, [
      JSON.stringify({ store, log, concurrency: SURVIVOR_CONCURRENCY, print: ['run-lost', 'worker-error'] }),
    ]);
    await survivor.waitForLine((line) => line.type === 'ready', 20_000, 'the survivor to be ready');

    const runIds: string[] = [];
    const startRuns = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const run = await engine!.start('ten-step', { n: runIds.length });
        runIds.push(run.id);
      }
    };
    const unfinished = async () => (await engine!.listRuns({ status: ['pending', 'running', 'waiting'], limit: 100_000 })).length;

    const killedPids = new Set<number>();
    const victims: JsonChild[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const victim = children.spawn(WORKER, [
        JSON.stringify({ store, log, concurrency: VICTIM_CONCURRENCY, print: ['run-claimed', 'run-lost', 'worker-error'] }),
      ]);
      victims.push(victim);
      await victim.waitForLine((line) => line.type === 'ready', 20_000, `victim #${kill + 1} to be ready`);
      const pending = (await engine.listRuns({ status: ['pending'], limit: 100_000 })).length;
      if (pending < TARGET_PENDING) await startRuns(TARGET_PENDING - pending);
      await victim.waitForLine((line) => line.type === 'run-claimed', 20_000, `victim #${kill + 1} to claim a run`);
      await delay(50 + Math.floor(Math.random() * 351));
      await victim.kill();
      killedPids.add(victim.pid);
    }
    const killsDoneAt = Date.now();

    // The survivor alone finishes everything the victims left behind.
    await waitUntil(async () => (await unfinished()) === 0, {
      timeoutMs: 90_000,
      intervalMs: 200,
      message: 'every run to finish after the last kill',
      describe: async () => `${await unfinished()} of ${runIds.length} runs unfinished; survivor alive: ${survivor.alive}; stderr: ${survivor.stderr}`,
    });
    const drainedAt = Date.now();

    // ---- what the store says --------------------------------------------------------
    const storedPid = new Map<string, number>();
    let takenOver = 0;
    for (const [index, runId] of runIds.entries()) {
      const { run, steps, attempts } = await engine.describe(runId);
      assert.equal(run.status, 'completed', `run ${runId} is ${run.status}: ${JSON.stringify(run.error)}`);
      assert.deepEqual(JSON.parse(run.output ?? 'null'), { n: index, steps: STEPS });
      assert.deepEqual(steps.map((step) => step.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], `run ${runId} has exactly steps 1..10`);
      assert.equal(attempts.length, 0, `run ${runId}: no step attempt failed`);
      for (const step of steps) {
        assert.equal(step.status, 'completed');
        assert.equal(step.name, `step-${step.seq}`);
        const output = JSON.parse(step.output ?? 'null') as { pid: number; seq: number };
        assert.equal(output.seq, step.seq);
        storedPid.set(`${runId},${step.seq}`, output.pid);
      }
      if (run.epoch > 1) takenOver++;
    }

    // ---- what the processes actually executed ---------------------------------------
    const executions = new Map<string, number[]>();
    const lines = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '');
    for (const line of lines) {
      const [runId, seq, pid] = line.split(',');
      assert.ok(runId && seq && pid, `malformed execution line ${JSON.stringify(line)}`);
      const key = `${runId},${seq}`;
      assert.ok(storedPid.has(key), `executed step ${key} that no run records`);
      const pids = executions.get(key) ?? [];
      pids.push(Number(pid));
      executions.set(key, pids);
    }
    assert.equal(executions.size, runIds.length * STEPS, 'every step of every run was executed');

    let reExecuted = 0;
    let reExecutedAfterVictimKill = 0;
    const runsTouchedByKilled = new Set<string>();
    for (const [key, pids] of executions) {
      const runId = key.split(',')[0]!;
      if (pids.some((pid) => killedPids.has(pid))) runsTouchedByKilled.add(runId);
      // The checkpointed result is the one of the last execution: once a step was
      // checkpointed, no process executed it again.
      assert.equal(storedPid.get(key), pids.at(-1), `step ${key}: stored result from pid ${storedPid.get(key)}, executions by ${pids.join(' then ')}`);
      // One process never executed the same step twice.
      assert.equal(new Set(pids).size, pids.length, `step ${key} executed twice by one process: ${pids.join(', ')}`);
      if (pids.length > 1) {
        reExecuted++;
        if (pids.slice(0, -1).every((pid) => killedPids.has(pid))) reExecutedAfterVictimKill++;
      }
    }

    const lost = [survivor, ...victims].flatMap((child) => child.linesOf('run-lost').map(() => child.pid));
    const lostBySurvivor = survivor.linesOf('run-lost').length;
    const workerErrors = [survivor, ...victims].flatMap((child) => child.linesOf('worker-error'));
    const victimClaims = victims.flatMap((victim) => victim.linesOf('run-claimed'));
    const takeoverClaims = victimClaims.filter((line) => line.takeover === true).length;

    t.diagnostic(
      `kills ${killedPids.size}, runs ${runIds.length}, step executions ${lines.length} for ${executions.size} steps, ` +
        `re-executed steps ${reExecuted} (${reExecutedAfterVictimKill} after a victim kill), runs touched by killed victims ${runsTouchedByKilled.size}, ` +
        `runs taken over (epoch > 1) ${takenOver}, takeover claims by victims ${takeoverClaims}, run-lost events ${lost.length} (survivor ${lostBySurvivor}), ` +
        `worker errors ${workerErrors.length}; kill phase ${((killsDoneAt - startedAt) / 1000).toFixed(1)} s, drain ${((drainedAt - killsDoneAt) / 1000).toFixed(1)} s`,
    );
    for (const error of workerErrors.slice(0, 5)) t.diagnostic(`worker error: ${JSON.stringify(error)}`);

    assert.ok(killedPids.size >= 50, `at least 50 kills (got ${killedPids.size})`);
    assert.ok(reExecuted > 0, 'some kills hit a step in flight, which was then executed again');
    assert.ok(runsTouchedByKilled.size > 0, 'killed victims had executed steps');
    assert.ok(takenOver > 0, 'some runs were taken over (epoch > 1)');
    assert.ok(survivor.alive, 'the survivor kept running');
  } finally {
    await children.killAll();
    await engine?.close();
    tmp.cleanup();
  }
});
