import type { HumanTaskRecord, HumanTaskStatus, NewHumanTaskRecord } from '../human-task-records.js';
import type { HumanTaskStore } from '../ports/human-task-store.js';
import type { SqlExecutor } from './sql-executor.js';

const HUMAN_TASK_COLUMNS = `id, run_id AS "runId", task, assignee, input, status, due_at AS "dueAt", result, completed_by AS "completedBy", created_at AS "createdAt", finished_at AS "finishedAt"`;

/** `human_tasks` (migration 0017_task_graphs): the inbox, answered once per task. */
export class HumanTaskTables implements HumanTaskStore {
  constructor(private readonly sql: SqlExecutor) {}

  async createHumanTask(task: NewHumanTaskRecord): Promise<{ created: boolean; task: HumanTaskRecord }> {
    const inserted = await this.sql.count(
      'creating a human task',
      `INSERT INTO human_tasks (id, run_id, task, assignee, input, status, due_at, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) ON CONFLICT (id) DO NOTHING`,
      [task.id, task.runId, task.task, task.assignee, task.input, task.dueAt, task.createdAt],
    );
    return { created: inserted > 0, task: (await this.getHumanTask(task.id))! };
  }

  async getHumanTask(id: string): Promise<HumanTaskRecord | undefined> {
    return (await this.sql.rows<HumanTaskRecord>('reading a human task', `SELECT ${HUMAN_TASK_COLUMNS} FROM human_tasks WHERE id = $1`, [id]))[0];
  }

  async listHumanTasks(filter: { status?: HumanTaskStatus; assignee?: string; runId?: string; limit?: number } = {}): Promise<HumanTaskRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
    if (filter.assignee !== undefined) where.push(`assignee = $${params.push(filter.assignee)}`);
    if (filter.runId !== undefined) where.push(`run_id = $${params.push(filter.runId)}`);
    const limit = `$${params.push(filter.limit ?? 500)}`;
    return this.sql.rows<HumanTaskRecord>(
      'listing human tasks',
      `SELECT ${HUMAN_TASK_COLUMNS} FROM human_tasks${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT ${limit}`,
      params,
    );
  }

  async completeHumanTask(id: string, by: string, result: string, now: number): Promise<{ completed: boolean; task: HumanTaskRecord | undefined }> {
    const changed = await this.sql.count('completing a human task', `UPDATE human_tasks SET status = 'completed', result = $2, completed_by = $3, finished_at = $4 WHERE id = $1 AND status = 'open'`, [id, result, by, now]);
    return { completed: changed > 0, task: await this.getHumanTask(id) };
  }

  async escalateHumanTask(id: string, to: string, now: number): Promise<{ escalated: boolean; task: HumanTaskRecord | undefined }> {
    const changed = await this.sql.count('escalating a human task', `UPDATE human_tasks SET status = 'escalated', completed_by = $2, finished_at = $3 WHERE id = $1 AND status = 'open'`, [id, to, now]);
    return { escalated: changed > 0, task: await this.getHumanTask(id) };
  }
}
