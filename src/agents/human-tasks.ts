import { HomeostatError } from '../errors/homeostat-error.js';
import type { HumanTaskRecord } from '../store/human-task-records.js';
import type { HumanTaskStore } from '../store/ports/human-task-store.js';
import { humanTaskSignalName, type HumanTaskOutcome } from './human-task-outcome.js';

export interface CompleteHumanTaskDeps {
  store: HumanTaskStore;
  /** Sends the waiting run its signal (`engine.signal`). */
  signal: (runId: string, name: string, payload: unknown) => Promise<unknown>;
  audit: { append(actor: string, action: string, subject: string, data?: unknown): Promise<unknown> };
  now?: () => number;
}

/**
 * A person answers a human task (API, CLI, dashboard all come here): the row is completed
 * only while it is open — so two answers, or an answer racing the escalation, leave one
 * winner — the answer is audited as `by`, and the run waiting on it gets its signal.
 * Throws HS_HUMAN_TASK_NOT_FOUND, or HS_HUMAN_TASK_CLOSED when it was already answered or
 * escalated to someone else.
 * @example await completeHumanTask(deps, 'run-1:4:review', 'operator:alice', { approved: true });
 */
export async function completeHumanTask(deps: CompleteHumanTaskDeps, id: string, by: string, result: unknown): Promise<HumanTaskRecord> {
  const { completed, task } = await deps.store.completeHumanTask(id, by, JSON.stringify(result ?? null), (deps.now ?? Date.now)());
  if (!task) throw new HomeostatError('HS_HUMAN_TASK_NOT_FOUND', `no human task ${JSON.stringify(id)}`);
  if (!completed) {
    const why = task.status === 'escalated' ? `it lapsed and was escalated to ${task.completedBy ?? 'its fallback'}` : `it was already completed by ${task.completedBy ?? 'someone'}`;
    throw new HomeostatError('HS_HUMAN_TASK_CLOSED', `human task ${id} is not open: ${why}`);
  }
  await deps.audit.append(by, 'human-task.completed', id, { run: task.runId, task: task.task, assignee: task.assignee });
  const outcome: HumanTaskOutcome = { result: result ?? null, by };
  await deps.signal(task.runId, humanTaskSignalName(task.id), outcome);
  return task;
}
