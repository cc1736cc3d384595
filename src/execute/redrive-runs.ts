import type { Knowledge } from '../knowledge/knowledge.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import type { RunRecord } from '../store/records.js';
import { isInternalWorkflow } from '../workflow/internal-workflows.js';
import type { ActionOutcome } from './actuators.js';

/** What the redrive action needs of the engine. */
export interface RedriveEngine {
  getRun(runId: string): Promise<RunRecord | undefined>;
  redrive(runId: string): Promise<RunRecord>;
}

export interface RedriveRunsDeps {
  knowledge: Pick<Knowledge, 'incidents'>;
  engine: RedriveEngine;
  clock?: Clock;
  /** How often the redriven runs are read while waiting (default 250 ms). */
  pollMs?: number;
}

/** Statuses a redrive takes a run out of. */
const REDRIVABLE = new Set<RunRecord['status']>(['failed', 'parked']);

/**
 * The `redrive` action: the failed or dead-lettered workflow runs an incident is about
 * (the `runId` of its `workflow-run` signals, from the workflow watch) are redriven from
 * their failed step, then waited for until each completed, or one failed again, or
 * `timeoutMs` passed. Only runs still failed or parked are redriven, so a resumed action
 * (after a crash of `up`) waits for the runs its first execution redrove instead of
 * redriving them twice; internal `homeostat.*` runs are never touched.
 *
 * @example await redriveIncidentRuns({ knowledge, engine }, 'inc-7', 60_000, signal) // { ok: true, detail: 'redrove 2 runs of order.fulfil; all completed: run-a, run-b' }
 */
export async function redriveIncidentRuns(deps: RedriveRunsDeps, incidentId: string, timeoutMs: number, signal: AbortSignal): Promise<ActionOutcome> {
  const clock = deps.clock ?? systemClock;
  const explained = await deps.knowledge.incidents.explain(incidentId);
  const runIds = new Set<string>();
  for (const entry of explained?.entries ?? []) {
    if (entry.kind === 'signal' && entry.data.kind === 'workflow-run' && typeof entry.data.runId === 'string' && typeof entry.data.workflow === 'string' && !isInternalWorkflow(entry.data.workflow)) runIds.add(entry.data.runId);
  }
  if (runIds.size === 0) return { ok: false, detail: 'nothing to redrive: the incident is about no failed workflow run' };
  const redriven: string[] = [];
  for (const runId of runIds) {
    const run = await deps.engine.getRun(runId);
    if (!run) continue;
    if (REDRIVABLE.has(run.status)) {
      await deps.engine.redrive(runId);
      redriven.push(runId);
    }
  }
  const started = clock.now();
  const pending = new Set(runIds);
  const completed: string[] = [];
  for (;;) {
    for (const runId of [...pending]) {
      const run = await deps.engine.getRun(runId);
      if (!run) {
        pending.delete(runId);
        continue;
      }
      if (run.status === 'completed') {
        pending.delete(runId);
        completed.push(runId);
      } else if (REDRIVABLE.has(run.status) || run.status === 'cancelled') {
        const why = run.error ? `: ${run.error.message}` : '';
        return { ok: false, detail: `${describe(redriven)}; run ${runId} ${run.status === 'cancelled' ? 'was cancelled' : 'failed again'}${why}` };
      }
    }
    if (pending.size === 0) return { ok: completed.length > 0, detail: `${describe(redriven)}; completed: ${completed.join(', ') || 'none (the runs are gone)'}` };
    if (clock.now() - started >= timeoutMs) return { ok: false, detail: `${describe(redriven)}; not completed within ${timeoutMs} ms: ${[...pending].join(', ')}` };
    await clock.sleep(deps.pollMs ?? 250, signal);
  }
}

function describe(redriven: string[]): string {
  return redriven.length === 0 ? 'no run needed a redrive (already redriven)' : `redrove ${redriven.join(', ')}`;
}
