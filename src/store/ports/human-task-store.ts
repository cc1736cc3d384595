import type { HumanTaskRecord, HumanTaskStatus, NewHumanTaskRecord } from '../human-task-records.js';

/**
 * Human tasks: the inbox of tasks graphs routed to people. A task is answered once:
 * completion and escalation are conditional on it being open, so two operators
 * completing at once (or a completion racing the escalation) leave exactly one winner.
 */
export interface HumanTaskStore {
  /** Insert once: a second creation with the same id returns the existing row (`created: false`). */
  createHumanTask(task: NewHumanTaskRecord): Promise<{ created: boolean; task: HumanTaskRecord }>;
  getHumanTask(id: string): Promise<HumanTaskRecord | undefined>;
  /** Oldest first. */
  listHumanTasks(filter?: { status?: HumanTaskStatus; assignee?: string; runId?: string; limit?: number }): Promise<HumanTaskRecord[]>;
  /** Complete an open task; `completed: false` (row unchanged) when it is no longer open. */
  completeHumanTask(id: string, by: string, result: string, now: number): Promise<{ completed: boolean; task: HumanTaskRecord | undefined }>;
  /** Mark an open task escalated to `to`; `escalated: false` when it is no longer open. */
  escalateHumanTask(id: string, to: string, now: number): Promise<{ escalated: boolean; task: HumanTaskRecord | undefined }>;
}
