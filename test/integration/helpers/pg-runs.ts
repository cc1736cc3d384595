import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Engine } from '../../../src/index.js';

/** One line of a postgres-worker executions log. */
export interface Execution {
  runId: string;
  seq: number;
  pid: number;
  exec: string;
}

export function readExecutions(path: string): Execution[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [runId, seq, pid, exec] = line.split(',');
      return { runId: runId!, seq: Number(seq), pid: Number(pid), exec: exec! };
    });
}

/**
 * Every run completed with steps 1..10 recorded once, each checkpoint being the *last*
 * execution of its step (nothing ran again after a step was recorded). Returns how many
 * step executions were repeats (runs whose first execution was never checkpointed).
 */
export async function assertRunsCompletedOnce(engine: Engine, runIds: string[], logPath: string): Promise<{ repeats: number; repeatedPids: Set<number> }> {
  const executions = readExecutions(logPath);
  const byStep = new Map<string, Execution[]>();
  for (const e of executions) {
    const key = `${e.runId},${e.seq}`;
    byStep.set(key, [...(byStep.get(key) ?? []), e]);
  }
  let repeats = 0;
  const repeatedPids = new Set<number>();
  for (const runId of runIds) {
    const details = await engine.describe(runId);
    assert.equal(details.run.status, 'completed', `run ${runId} is ${details.run.status}: ${JSON.stringify(details.run.error)}`);
    assert.deepEqual(details.steps.map((s) => [s.seq, s.status]), Array.from({ length: 10 }, (_, i) => [i + 1, 'completed']), `steps of ${runId}`);
    for (const step of details.steps) {
      const recorded = JSON.parse(step.output!) as { pid: number; exec: string };
      const runs = byStep.get(`${runId},${step.seq}`) ?? [];
      assert.ok(runs.length >= 1, `step ${runId}#${step.seq} recorded but never logged`);
      assert.equal(runs.at(-1)!.exec, recorded.exec, `step ${runId}#${step.seq} ran again after it was recorded: executions ${JSON.stringify(runs)}, recorded ${JSON.stringify(recorded)}`);
      repeats += runs.length - 1;
      for (const r of runs.slice(0, -1)) repeatedPids.add(r.pid);
    }
  }
  return { repeats, repeatedPids };
}
