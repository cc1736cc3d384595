import { AGENT_COLUMNS, AGENT_TASK_COLUMNS, AGENT_TASK_EVENT_COLUMNS } from '../agent-columns.js';
import type {
  AgentRecord,
  AgentTaskEventKind,
  AgentTaskEventRecord,
  AgentTaskFinish,
  AgentTaskRecord,
  AgentTaskStatus,
  ClaimedAgentTask,
  NewAgentRecord,
  NewAgentTaskRecord,
} from '../agent-records.js';
import type { AgentStore } from '../ports/agent-store.js';
import { RETIRED } from './agent-retirement-tables.js';
import type { SqlDialect } from './sql-dialect.js';
import type { SqlExecutor, SqlTransaction } from './sql-executor.js';
import { count, rows } from './sql-executor.js';

/**
 * A sub-task of a quorum (migration 0016_agent_quorum) goes only to an agent that holds or
 * answered none of its siblings: n answers come from n distinct agents. Checked again in
 * the claiming UPDATE, so two siblings in one claim cannot both go to the claimer.
 */
const NOT_IN_ITS_QUORUM = (agentParam: string): string =>
  `(agent_tasks.quorum_id IS NULL OR NOT EXISTS (SELECT 1 FROM agent_tasks sibling WHERE sibling.quorum_id = agent_tasks.quorum_id AND sibling.agent = ${agentParam}))`;

type AgentRow = Omit<AgentRecord, 'capabilities'> & { capabilities: string };

function agentOf(row: AgentRow): AgentRecord {
  return { ...row, capabilities: JSON.parse(row.capabilities) as string[] };
}

function* recordEvent(taskId: string, at: number, kind: AgentTaskEventKind, agent: string | null, generation: number, detail: string | null = null): SqlTransaction<void> {
  yield* count('INSERT INTO agent_task_events (task_id, at, kind, agent, generation, detail) VALUES ($1, $2, $3, $4, $5, $6)', [taskId, at, kind, agent, generation, detail]);
}

/** The sweep's body: lapsed leases back to the queue, or to the dead letters at their last lapse. */
function* sweepLapsed(dialect: SqlDialect, now: number): SqlTransaction<AgentTaskRecord[]> {
  const lapsed = yield* rows<{ id: string; agent: string | null; generation: number; lapses: number; maxLapses: number }>(
    `SELECT id, agent, generation, lapses, max_lapses AS "maxLapses" FROM agent_tasks WHERE status = 'claimed' AND lease_expires_at < $1 ORDER BY created_at, id${dialect.skipLocked}`,
    [now],
  );
  const moved: AgentTaskRecord[] = [];
  for (const task of lapsed) {
    const dead = task.lapses + 1 >= task.maxLapses;
    yield* recordEvent(task.id, now, 'lapsed', task.agent, task.generation, `the lease of ${task.agent ?? 'its agent'} lapsed (${task.lapses + 1} of ${task.maxLapses})`);
    const error = dead ? `the task's lease lapsed ${task.lapses + 1} time${task.lapses === 0 ? '' : 's'} (maxLapses ${task.maxLapses}); last held by ${task.agent ?? 'an agent'}` : null;
    const after = yield* rows<AgentTaskRecord>(
      `UPDATE agent_tasks SET lapses = lapses + 1, lease_expires_at = NULL, status = $2, agent = CASE WHEN $2 = 'dead' THEN agent ELSE NULL END, error = $3, finished_at = $4
       WHERE id = $1 RETURNING ${AGENT_TASK_COLUMNS}`,
      [task.id, dead ? 'dead' : 'queued', error, dead ? now : null],
    );
    if (dead) yield* recordEvent(task.id, now, 'dead-lettered', task.agent, task.generation, error);
    moved.push(after[0]!);
  }
  return moved;
}

/** The body of complete and fail: accepted only from the holder under its generation. */
function* finishTask(
  id: string,
  agent: string,
  generation: number,
  now: number,
  outcome: { status: 'completed'; result: string } | { status: 'failed'; error: string },
  forUpdate: string,
): SqlTransaction<AgentTaskFinish> {
  const current = (yield* rows<AgentTaskRecord>(`SELECT ${AGENT_TASK_COLUMNS} FROM agent_tasks WHERE id = $1${forUpdate}`, [id]))[0];
  if (current?.status === 'claimed' && current.agent === agent && current.generation === generation) {
    const after = yield* rows<AgentTaskRecord>(
      `UPDATE agent_tasks SET status = $2, result = $3, error = $4, finished_at = $5, lease_expires_at = NULL WHERE id = $1 RETURNING ${AGENT_TASK_COLUMNS}`,
      [id, outcome.status, outcome.status === 'completed' ? outcome.result : null, outcome.status === 'failed' ? outcome.error : null, now],
    );
    yield* recordEvent(id, now, outcome.status, agent, generation, outcome.status === 'failed' ? outcome.error : null);
    return { outcome: 'accepted', task: after[0]! };
  }
  // The same answer again from the agent that gave it (its retry after a lost reply).
  if (current?.status === outcome.status && current.agent === agent && current.generation === generation) return { outcome: 'repeated', task: current };
  if (current) {
    const why = current.generation !== generation ? `generation ${generation} is stale: the task is at generation ${current.generation}` : `the task is ${current.status}${current.agent ? ` (${current.agent})` : ''}`;
    yield* recordEvent(id, now, 'refused', agent, generation, `${outcome.status === 'completed' ? 'completion' : 'failure'} refused: ${why}`);
  }
  return { outcome: 'refused', task: current };
}

/**
 * The agent tables (`agents`, `agent_capabilities`, `agent_tasks`, `agent_task_events`,
 * migration 0014_agents) on either driver. Claims and sweeps lock the rows they move
 * (PostgreSQL's `SKIP LOCKED`; SQLite's single writer) and lock the claiming agent's row,
 * so an agent never holds more than its capacity even when it claims twice at once.
 */
export class AgentTables implements AgentStore {
  constructor(private readonly sql: SqlExecutor) {}

  async registerAgent(agent: NewAgentRecord, now: number): Promise<{ registered: true; agent: AgentRecord } | { registered: false; agent: AgentRecord }> {
    const forUpdate = this.sql.dialect.forUpdate;
    return this.sql.transaction('registering an agent', function* () {
      const existing = (yield* rows<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE name = $1${forUpdate}`, [agent.name]))[0];
      if (existing && existing.tokenId !== agent.tokenId) return { registered: false as const, agent: agentOf(existing) };
      const written = yield* rows<AgentRow>(
        `INSERT INTO agents (name, capabilities, version, capacity, owner, heartbeat_ms, token_id, registered_at, last_heartbeat_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (name) DO UPDATE SET capabilities = $2, version = $3, capacity = $4, owner = $5, heartbeat_ms = $6, registered_at = $8, last_heartbeat_at = $8
         WHERE agents.token_id = $7
         RETURNING ${AGENT_COLUMNS}`,
        [agent.name, JSON.stringify(agent.capabilities), agent.version, agent.capacity, agent.owner, agent.heartbeatMs, agent.tokenId, now],
      );
      // Another token registered the name between our read and our write (two first registrations at once).
      if (!written[0]) return { registered: false as const, agent: agentOf((yield* rows<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE name = $1`, [agent.name]))[0]!) };
      for (const capability of agent.capabilities) {
        yield* count('INSERT INTO agent_capabilities (capability, agent, first_at) VALUES ($1, $2, $3) ON CONFLICT (capability, agent) DO NOTHING', [capability, agent.name, now]);
      }
      return { registered: true as const, agent: agentOf(written[0]!) };
    });
  }

  async getAgent(name: string): Promise<AgentRecord | undefined> {
    const found = await this.sql.rows<AgentRow>('reading an agent', `SELECT ${AGENT_COLUMNS} FROM agents WHERE name = $1`, [name]);
    return found[0] && agentOf(found[0]);
  }

  async listAgents(): Promise<AgentRecord[]> {
    return (await this.sql.rows<AgentRow>('listing agents', `SELECT ${AGENT_COLUMNS} FROM agents ORDER BY name`)).map(agentOf);
  }

  async agentLoads(): Promise<Record<string, number>> {
    const found = await this.sql.rows<{ agent: string; tasks: number }>(
      'counting agent tasks in flight',
      `SELECT agent, CAST(COUNT(*) AS INTEGER) AS tasks FROM agent_tasks WHERE status = 'claimed' GROUP BY agent`,
    );
    return Object.fromEntries(found.map((row) => [row.agent, Number(row.tasks)]));
  }

  async knownCapabilities(): Promise<string[]> {
    return (await this.sql.rows<{ capability: string }>('listing known capabilities', 'SELECT DISTINCT capability FROM agent_capabilities ORDER BY capability')).map((row) => row.capability);
  }

  async heartbeatAgent(name: string, now: number): Promise<{ held: { id: string; generation: number }[] } | undefined> {
    return this.sql.transaction('heartbeating an agent', function* () {
      if ((yield* count('UPDATE agents SET last_heartbeat_at = $2 WHERE name = $1', [name, now])) === 0) return undefined;
      const held = yield* rows<{ id: string; generation: number }>(
        `UPDATE agent_tasks SET lease_expires_at = $2 + lease_ms WHERE agent = $1 AND status = 'claimed' AND lease_expires_at >= $2 RETURNING id, generation`,
        [name, now],
      );
      return { held: held.sort((a, b) => a.id.localeCompare(b.id)) };
    });
  }

  async createAgentTask(task: NewAgentTaskRecord): Promise<{ created: boolean; task: AgentTaskRecord }> {
    return this.sql.transaction('creating an agent task', function* () {
      const inserted = yield* rows<AgentTaskRecord>(
        `INSERT INTO agent_tasks (id, run_id, name, capability, input, status, lease_ms, max_lapses, created_at)
         VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING ${AGENT_TASK_COLUMNS}`,
        [task.id, task.runId, task.name, task.capability, task.input, task.leaseMs, task.maxLapses, task.createdAt],
      );
      if (inserted[0]) {
        yield* recordEvent(task.id, task.createdAt, 'created', null, 0, `capability ${task.capability}`);
        return { created: true, task: inserted[0] };
      }
      return { created: false, task: (yield* rows<AgentTaskRecord>(`SELECT ${AGENT_TASK_COLUMNS} FROM agent_tasks WHERE id = $1`, [task.id]))[0]! };
    });
  }

  async getAgentTask(id: string): Promise<AgentTaskRecord | undefined> {
    return (await this.sql.rows<AgentTaskRecord>('reading an agent task', `SELECT ${AGENT_TASK_COLUMNS} FROM agent_tasks WHERE id = $1`, [id]))[0];
  }

  async listAgentTasks(filter: { status?: AgentTaskStatus; runId?: string; limit?: number } = {}): Promise<AgentTaskRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
    if (filter.runId !== undefined) where.push(`run_id = $${params.push(filter.runId)}`);
    const limit = `$${params.push(filter.limit ?? this.sql.dialect.noLimit)}`;
    return this.sql.rows<AgentTaskRecord>(
      'listing agent tasks',
      `SELECT ${AGENT_TASK_COLUMNS} FROM agent_tasks${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT ${limit}`,
      params,
    );
  }

  async listAgentTaskEvents(taskId: string): Promise<AgentTaskEventRecord[]> {
    return this.sql.rows<AgentTaskEventRecord>('reading an agent task\'s history', `SELECT ${AGENT_TASK_EVENT_COLUMNS} FROM agent_task_events WHERE task_id = $1 ORDER BY id`, [taskId]);
  }

  async sweepAgentTasks(now: number): Promise<AgentTaskRecord[]> {
    const dialect = this.sql.dialect;
    // Swept often: where any write locks the whole store, write only when a lease lapsed.
    if (dialect.singleWriter && (await this.sql.rows('looking for lapsed agent tasks', `SELECT 1 FROM agent_tasks WHERE status = 'claimed' AND lease_expires_at < $1 LIMIT 1`, [now])).length === 0) return [];
    return this.sql.transaction('sweeping lapsed agent tasks', () => sweepLapsed(dialect, now));
  }

  async claimAgentTasks(name: string, now: number): Promise<{ tasks: ClaimedAgentTask[]; swept: AgentTaskRecord[] } | undefined> {
    const dialect = this.sql.dialect;
    const agent = await this.getAgent(name);
    if (!agent) return undefined;
    // Polled by every agent: where any write locks the whole store, write only when there is something to move.
    const something = await this.sql.rows(
      'looking for agent tasks',
      `SELECT 1 FROM agent_tasks WHERE (status = 'queued' AND ${dialect.inList('capability', 2)}) OR (status = 'claimed' AND lease_expires_at < $1) LIMIT 1`,
      [now, dialect.list(agent.capabilities)],
    );
    if (something.length === 0) return { tasks: [], swept: [] };
    return this.sql.transaction('claiming agent tasks', function* () {
      // The agent's row first, locked: two claims of one agent at once count its load one after
      // the other, and the order (agent row, then tasks) is a heartbeat's too, so they cannot deadlock.
      const row = (yield* rows<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE name = $1${dialect.forUpdate}`, [name]))[0];
      const swept = yield* sweepLapsed(dialect, now);
      if (!row) return { tasks: [], swept };
      const current = agentOf(row);
      const load = (yield* rows<{ n: number }>(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM agent_tasks WHERE agent = $1 AND status = 'claimed'`, [name]))[0]!;
      const free = current.capacity - Number(load.n);
      if (free <= 0) return { tasks: [], swept };
      // A quarantined agent claims nothing (agent-quorum-tables.ts): the loop or an operator put it there.
      if ((yield* rows(`SELECT 1 FROM agent_quarantines WHERE agent = $1 AND quarantined = 1`, [name])).length > 0) return { tasks: [], swept };
      // A retired one neither (agent-retirement-tables.ts): its name, or the registration the `replace` rung retired.
      if ((yield* rows(`SELECT 1 WHERE ${RETIRED('$1')}`, [name])).length > 0) return { tasks: [], swept };
      const candidates = yield* rows<{ id: string }>(
        `SELECT id FROM agent_tasks WHERE status = 'queued' AND ${dialect.inList('capability', 1)} AND ${NOT_IN_ITS_QUORUM('$3')} ORDER BY created_at, id LIMIT $2${dialect.skipLocked}`,
        [dialect.list(current.capabilities), free, name],
      );
      const tasks: ClaimedAgentTask[] = [];
      for (const { id } of candidates) {
        const claimed = (yield* rows<ClaimedAgentTask>(
          `UPDATE agent_tasks SET status = 'claimed', agent = $2, generation = generation + 1, lease_expires_at = $3 + lease_ms WHERE id = $1 AND status = 'queued' AND ${NOT_IN_ITS_QUORUM('$2')}
           RETURNING id, run_id AS "runId", name, capability, input, generation, lease_ms AS "leaseMs", lease_expires_at AS "leaseExpiresAt"`,
          [id, name, now],
        ))[0];
        if (!claimed) continue;
        yield* recordEvent(id, now, 'claimed', name, claimed.generation);
        tasks.push(claimed);
      }
      return { tasks, swept };
    });
  }

  async completeAgentTask(id: string, agent: string, generation: number, result: string, now: number): Promise<AgentTaskFinish> {
    const forUpdate = this.sql.dialect.forUpdate;
    return this.sql.transaction('completing an agent task', () => finishTask(id, agent, generation, now, { status: 'completed', result }, forUpdate));
  }

  async failAgentTask(id: string, agent: string, generation: number, error: string, now: number): Promise<AgentTaskFinish> {
    const forUpdate = this.sql.dialect.forUpdate;
    return this.sql.transaction('failing an agent task', () => finishTask(id, agent, generation, now, { status: 'failed', error }, forUpdate));
  }
}
