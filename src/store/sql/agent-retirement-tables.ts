import type { AgentRetirementRecord } from '../agent-retirement-records.js';
import type { AgentRetirementStore } from '../ports/agent-retirement-store.js';
import type { SqlExecutor } from './sql-executor.js';
import { count, rows } from './sql-executor.js';

const RETIREMENT_COLUMNS = 'agent, registered_at AS "registeredAt", fresh_allowed AS "freshAllowed", tasks, reason, retired_by AS "retiredBy", retired_at AS "retiredAt"';

type RetirementRow = Omit<AgentRetirementRecord, 'freshAllowed' | 'tasks'> & { freshAllowed: number; tasks: string };

const retirementOf = (row: RetirementRow): AgentRetirementRecord => ({
  ...row,
  registeredAt: Number(row.registeredAt),
  retiredAt: Number(row.retiredAt),
  freshAllowed: Number(row.freshAllowed) === 1,
  tasks: JSON.parse(row.tasks) as string[],
});

/**
 * A claim by `agent` is fenced by its retirement: the name, or its registration up to the
 * retired one. One fragment, used by the claim of the agent tables, so the rule is written once.
 */
export const RETIRED = (agentParam: string): string =>
  `EXISTS (SELECT 1 FROM agent_retirements r JOIN agents a ON a.name = r.agent WHERE r.agent = ${agentParam} AND (r.fresh_allowed = 0 OR a.registered_at <= r.registered_at))`;

/** `agent_retirements` (migration 0018_agent_retirements) on either driver. */
export class AgentRetirementTables implements AgentRetirementStore {
  constructor(private readonly sql: SqlExecutor) {}

  async retireAgent(agent: string, retirement: { freshAllowed: boolean; reason: string; by: string; now: number }): Promise<{ requeued: string[]; retirement: AgentRetirementRecord } | undefined> {
    const forUpdate = this.sql.dialect.forUpdate;
    return this.sql.transaction('retiring an agent', function* () {
      // The agent's row locked first, as a claim does: a claim of it waits, then sees the retirement.
      const registered = (yield* rows<{ registeredAt: number }>(`SELECT registered_at AS "registeredAt" FROM agents WHERE name = $1${forUpdate}`, [agent]))[0];
      if (!registered) return undefined;
      // Its tasks go back to the queue now, not when their leases lapse; the generation stays, and
      // the next claim bumps it, so a late answer of the retired instance is fenced.
      const requeued = yield* rows<{ id: string; generation: number }>(
        `UPDATE agent_tasks SET status = 'queued', agent = NULL, lease_expires_at = NULL WHERE agent = $1 AND status = 'claimed' RETURNING id, generation`,
        [agent],
      );
      for (const task of requeued) {
        yield* count('INSERT INTO agent_task_events (task_id, at, kind, agent, generation, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
          task.id,
          retirement.now,
          'requeued',
          agent,
          task.generation,
          `${agent} was retired (${retirement.reason})`,
        ]);
      }
      const tasks = requeued.map((task) => task.id).sort();
      const written = yield* rows<RetirementRow>(
        `INSERT INTO agent_retirements (agent, registered_at, fresh_allowed, tasks, reason, retired_by, retired_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (agent) DO UPDATE SET registered_at = $2, fresh_allowed = $3, tasks = $4, reason = $5, retired_by = $6, retired_at = $7
         RETURNING ${RETIREMENT_COLUMNS}`,
        [agent, Number(registered.registeredAt), retirement.freshAllowed ? 1 : 0, JSON.stringify(tasks), retirement.reason, retirement.by, retirement.now],
      );
      return { requeued: tasks, retirement: retirementOf(written[0]!) };
    });
  }

  async listAgentRetirements(): Promise<AgentRetirementRecord[]> {
    return (await this.sql.rows<RetirementRow>('listing agent retirements', `SELECT ${RETIREMENT_COLUMNS} FROM agent_retirements ORDER BY agent`)).map(retirementOf);
  }

  async unretireAgent(agent: string): Promise<boolean> {
    return (await this.sql.count('lifting an agent\'s retirement', 'DELETE FROM agent_retirements WHERE agent = $1', [agent])) > 0;
  }
}
