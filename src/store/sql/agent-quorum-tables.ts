import type { AgentQuarantineRecord, AgentQuorumRecord, AgentQuorumStatus, AgentQuorumVoteRecord, AgentReliability, NewQuorumTask } from '../agent-quorum-records.js';
import { LOOP_ACTOR } from '../agent-retirement-records.js';
import type { AgentQuorumStore } from '../ports/agent-quorum-store.js';
import type { SqlExecutor } from './sql-executor.js';
import { count, rows } from './sql-executor.js';

const QUORUM_COLUMNS =
  'id, run_id AS "runId", name, capability, n, k, comparator, status, answer, detail, created_at AS "createdAt", decided_at AS "decidedAt"';
const VOTE_COLUMNS = 'quorum_id AS "quorumId", voter, task_id AS "taskId", agreed, answer, at';
const QUARANTINE_COLUMNS = 'agent, quarantined, reason, changed_by AS "changedBy", changed_at AS "changedAt"';

type VoteRow = Omit<AgentQuorumVoteRecord, 'agreed'> & { agreed: number };
type QuarantineRow = Omit<AgentQuarantineRecord, 'quarantined'> & { quarantined: number };

/**
 * The quorum tables (`agent_quorums`, `agent_quorum_votes`, `agent_quarantines` and
 * `agent_tasks.quorum_id`, migration 0016_agent_quorum) on either driver.
 */
export class AgentQuorumTables implements AgentQuorumStore {
  constructor(private readonly sql: SqlExecutor) {}

  async createAgentQuorum(quorum: Omit<AgentQuorumRecord, 'status' | 'answer' | 'detail' | 'decidedAt'>, tasks: NewQuorumTask[]): Promise<{ created: boolean }> {
    return this.sql.transaction('creating an agent quorum', function* () {
      const inserted = yield* count(
        `INSERT INTO agent_quorums (id, run_id, name, capability, n, k, comparator, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) ON CONFLICT (id) DO NOTHING`,
        [quorum.id, quorum.runId, quorum.name, quorum.capability, quorum.n, quorum.k, quorum.comparator, quorum.createdAt],
      );
      if (inserted === 0) return { created: false };
      for (const task of tasks) {
        yield* count(
          `INSERT INTO agent_tasks (id, run_id, name, capability, input, status, lease_ms, max_lapses, created_at, quorum_id) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $9)`,
          [task.id, task.runId, task.name, task.capability, task.input, task.leaseMs, task.maxLapses, quorum.createdAt, quorum.id],
        );
        yield* count('INSERT INTO agent_task_events (task_id, at, kind, agent, generation, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
          task.id,
          quorum.createdAt,
          'created',
          null,
          0,
          `capability ${task.capability}; one of ${quorum.n} sub-tasks of quorum ${quorum.id} (k=${quorum.k})`,
        ]);
      }
      return { created: true };
    });
  }

  async getAgentQuorum(id: string): Promise<AgentQuorumRecord | undefined> {
    return (await this.sql.rows<AgentQuorumRecord>('reading an agent quorum', `SELECT ${QUORUM_COLUMNS} FROM agent_quorums WHERE id = $1`, [id]))[0];
  }

  async listAgentQuorums(filter: { runId?: string; limit?: number } = {}): Promise<AgentQuorumRecord[]> {
    const params: unknown[] = [];
    const where = filter.runId !== undefined ? ` WHERE run_id = $${params.push(filter.runId)}` : '';
    const limit = `$${params.push(filter.limit ?? this.sql.dialect.noLimit)}`;
    return this.sql.rows<AgentQuorumRecord>('listing agent quorums', `SELECT ${QUORUM_COLUMNS} FROM agent_quorums${where} ORDER BY created_at DESC, id LIMIT ${limit}`, params);
  }

  async decideAgentQuorum(
    id: string,
    decision: { status: Exclude<AgentQuorumStatus, 'pending'>; answer: string | null; detail: string | null },
    votes: AgentQuorumVoteRecord[],
    now: number,
  ): Promise<void> {
    await this.sql.transaction('deciding an agent quorum', function* () {
      // Only a pending quorum is decided: a replay's second decision changes nothing, so no vote counts twice.
      const decided = yield* count(`UPDATE agent_quorums SET status = $2, answer = $3, detail = $4, decided_at = $5 WHERE id = $1 AND status = 'pending'`, [
        id,
        decision.status,
        decision.answer,
        decision.detail,
        now,
      ]);
      if (decided === 0) return;
      for (const vote of votes) {
        yield* count(`INSERT INTO agent_quorum_votes (quorum_id, voter, task_id, agreed, answer, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (quorum_id, voter) DO NOTHING`, [
          id,
          vote.voter,
          vote.taskId,
          vote.agreed ? 1 : 0,
          vote.answer,
          vote.at,
        ]);
      }
    });
  }

  async listAgentQuorumVotes(quorumId: string): Promise<AgentQuorumVoteRecord[]> {
    const found = await this.sql.rows<VoteRow>('reading a quorum\'s votes', `SELECT ${VOTE_COLUMNS} FROM agent_quorum_votes WHERE quorum_id = $1 ORDER BY voter`, [quorumId]);
    return found.map((row) => ({ ...row, agreed: Number(row.agreed) === 1 }));
  }

  async agentReliabilities(): Promise<AgentReliability[]> {
    // Since the last release: an agent let back in is judged on what it answers from then on;
    // and since its retirement: a fresh instance started by `replace` does not inherit its dissent.
    const found = await this.sql.rows<{ agent: string; votes: number; agreed: number }>(
      'computing agent reliabilities',
      `SELECT v.voter AS agent, CAST(COUNT(*) AS INTEGER) AS votes, CAST(SUM(v.agreed) AS INTEGER) AS agreed
       FROM agent_quorum_votes v JOIN agents a ON a.name = v.voter
       LEFT JOIN agent_quarantines q ON q.agent = v.voter AND q.quarantined = 0
       LEFT JOIN agent_retirements r ON r.agent = v.voter
       WHERE (q.changed_at IS NULL OR v.at > q.changed_at) AND (r.retired_at IS NULL OR v.at > r.retired_at)
       GROUP BY v.voter ORDER BY v.voter`,
    );
    return found.map((row) => ({ agent: row.agent, votes: Number(row.votes), agreed: Number(row.agreed) }));
  }

  async quarantineAgent(agent: string, reason: string, by: string, now: number): Promise<{ requeued: string[]; heldBy: string }> {
    return this.sql.transaction('quarantining an agent', function* () {
      // The loop never takes over a person's quarantine: it would then be the loop's to release.
      yield* count(
        `INSERT INTO agent_quarantines (agent, quarantined, reason, changed_by, changed_at) VALUES ($1, 1, $2, $3, $4)
         ON CONFLICT (agent) DO UPDATE SET quarantined = 1, reason = $2, changed_by = $3, changed_at = $4
         WHERE agent_quarantines.quarantined = 0 OR $3 <> '${LOOP_ACTOR}' OR agent_quarantines.changed_by = '${LOOP_ACTOR}'`,
        [agent, reason, by, now],
      );
      const heldBy = (yield* rows<{ changedBy: string }>('SELECT changed_by AS "changedBy" FROM agent_quarantines WHERE agent = $1', [agent]))[0]!.changedBy;
      // Its tasks go back to the queue; the generation stays, and the next claim bumps it, so its late answer is fenced.
      const requeued = yield* rows<{ id: string; generation: number }>(
        `UPDATE agent_tasks SET status = 'queued', agent = NULL, lease_expires_at = NULL WHERE agent = $1 AND status = 'claimed' RETURNING id, generation`,
        [agent],
      );
      for (const task of requeued) {
        yield* count('INSERT INTO agent_task_events (task_id, at, kind, agent, generation, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
          task.id,
          now,
          'requeued',
          agent,
          task.generation,
          `${agent} was quarantined (${reason})`,
        ]);
      }
      return { requeued: requeued.map((task) => task.id).sort(), heldBy };
    });
  }

  async releaseAgent(agent: string, reason: string, by: string, now: number): Promise<{ released: boolean; heldBy: string | null }> {
    return this.sql.transaction('releasing an agent', function* () {
      const before = (yield* rows<QuarantineRow>(`SELECT ${QUARANTINE_COLUMNS} FROM agent_quarantines WHERE agent = $1`, [agent]))[0];
      // A person's quarantine is released only by a person: the loop's release rung leaves it.
      // Not quarantined: nothing to release, and its reliability does not start over.
      if (!before || Number(before.quarantined) !== 1) return { released: false, heldBy: null };
      if (by === LOOP_ACTOR && before.changedBy !== LOOP_ACTOR) return { released: false, heldBy: before.changedBy };
      yield* count(
        `INSERT INTO agent_quarantines (agent, quarantined, reason, changed_by, changed_at) VALUES ($1, 0, $2, $3, $4)
         ON CONFLICT (agent) DO UPDATE SET quarantined = 0, reason = $2, changed_by = $3, changed_at = $4`,
        [agent, reason, by, now],
      );
      return { released: true, heldBy: before.changedBy };
    });
  }

  async listAgentQuarantines(): Promise<AgentQuarantineRecord[]> {
    const found = await this.sql.rows<QuarantineRow>('listing agent quarantines', `SELECT ${QUARANTINE_COLUMNS} FROM agent_quarantines ORDER BY agent`);
    return found.map((row) => ({ ...row, quarantined: Number(row.quarantined) === 1 }));
  }
}
