import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord } from '../store/records.js';
import { redriveIncidentRuns, type RedriveEngine } from './redrive-runs.js';

/** An incident's explanation with a `workflow-run` signal per run id. */
function knowledgeWith(runs: { runId: string; workflow: string }[]) {
  const entries = runs.map((run, i) => ({ seq: i, at: i, kind: 'signal', data: { kind: 'workflow-run', ...run } }));
  return { incidents: { explain: async () => ({ incident: {}, entries }) } } as never;
}

/** A fake engine whose runs move through the given statuses, one per read (a redrive restarts at the second). */
function engineWith(statuses: Record<string, RunRecord['status'][]>): RedriveEngine & { redriven: string[] } {
  const redriven: string[] = [];
  const position: Record<string, number> = {};
  const read = (id: string) => {
    const list = statuses[id]!;
    return { id, status: list[Math.min(position[id] ?? 0, list.length - 1)]!, error: { message: 'feed down again' } } as RunRecord;
  };
  return {
    redriven,
    getRun: async (id) => {
      if (!statuses[id]) return undefined;
      const run = read(id);
      position[id] = (position[id] ?? 0) + 1;
      return run;
    },
    redrive: async (id) => {
      redriven.push(id);
      position[id] = 1;
      return read(id);
    },
  };
}

const signal = new AbortController().signal;

test('redrives each failed or parked run once and succeeds when all complete', async () => {
  const engine = engineWith({ a: ['failed', 'running', 'completed'], b: ['parked', 'completed'] });
  const outcome = await redriveIncidentRuns({ knowledge: knowledgeWith([{ runId: 'a', workflow: 'import' }, { runId: 'b', workflow: 'import' }, { runId: 'a', workflow: 'import' }]), engine, pollMs: 1 }, 'inc-1', 5_000, signal);
  assert.deepEqual(engine.redriven, ['a', 'b']);
  assert.equal(outcome.ok, true, outcome.detail);
  assert.equal(outcome.detail, 'redrove a, b; completed: b, a');
});

test('a run that fails again fails the action, naming it and why', async () => {
  const engine = engineWith({ a: ['failed', 'running', 'failed'] });
  const outcome = await redriveIncidentRuns({ knowledge: knowledgeWith([{ runId: 'a', workflow: 'import' }]), engine, pollMs: 1 }, 'inc-1', 5_000, signal);
  assert.equal(outcome.ok, false);
  assert.equal(outcome.detail, 'redrove a; run a failed again: feed down again');
});

test('a resumed action does not redrive a run its first execution already redrove; internal runs are never touched', async () => {
  const engine = engineWith({ a: ['running', 'completed'], r: ['failed'] });
  const outcome = await redriveIncidentRuns({ knowledge: knowledgeWith([{ runId: 'a', workflow: 'import' }, { runId: 'r', workflow: 'homeostat.remediate' }]), engine, pollMs: 1 }, 'inc-1', 5_000, signal);
  assert.deepEqual(engine.redriven, []);
  assert.equal(outcome.ok, true);
  assert.match(outcome.detail, /^no run needed a redrive \(already redriven\); completed: a$/);
});

test('nothing to redrive, or not done in time: the action fails and says so', async () => {
  const none = await redriveIncidentRuns({ knowledge: knowledgeWith([]), engine: engineWith({}), pollMs: 1 }, 'inc-1', 5_000, signal);
  assert.deepEqual(none, { ok: false, detail: 'nothing to redrive: the incident is about no failed workflow run' });
  const slow = await redriveIncidentRuns({ knowledge: knowledgeWith([{ runId: 'a', workflow: 'import' }]), engine: engineWith({ a: ['failed', 'running'] }), pollMs: 1 }, 'inc-1', 20, signal);
  assert.equal(slow.ok, false);
  assert.match(slow.detail, /^redrove a; not completed within 20 ms: a$/);
});
