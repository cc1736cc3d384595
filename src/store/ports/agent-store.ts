import type {
  AgentRecord,
  AgentTaskEventRecord,
  AgentTaskFinish,
  AgentTaskRecord,
  AgentTaskStatus,
  ClaimedAgentTask,
  NewAgentRecord,
  NewAgentTaskRecord,
} from '../agent-records.js';

/**
 * Agents and the tasks dispatched to them by capability (docs/agents.md). A task is held
 * by one agent at a time under a lease; every claim bumps its generation, and a result
 * is accepted only under the generation it was claimed with, so exactly one result is
 * ever accepted per task, whatever agents froze, died or came back.
 */
export interface AgentStore {
  /**
   * Register (or re-register) agent `name`: refused, with the row unchanged, when it was
   * registered by another token. Its capabilities are added to the ones ever registered.
   */
  registerAgent(agent: NewAgentRecord, now: number): Promise<{ registered: true; agent: AgentRecord } | { registered: false; agent: AgentRecord }>;
  getAgent(name: string): Promise<AgentRecord | undefined>;
  /** By name. */
  listAgents(): Promise<AgentRecord[]>;
  /** Tasks in flight (claimed) per agent; agents with none are absent. */
  agentLoads(): Promise<Record<string, number>>;
  /** Every capability any agent has ever registered, sorted. */
  knownCapabilities(): Promise<string[]>;
  /**
   * Record that the agent is alive and renew the leases of the tasks it holds (only the
   * unexpired ones: a lapsed lease is not revived). Answers the tasks it still holds;
   * undefined when no such agent is registered.
   */
  heartbeatAgent(name: string, now: number): Promise<{ held: { id: string; generation: number }[] } | undefined>;

  /** Queue a task, once: a second creation with the same id returns the existing one (`created: false`). */
  createAgentTask(task: NewAgentTaskRecord): Promise<{ created: boolean; task: AgentTaskRecord }>;
  getAgentTask(id: string): Promise<AgentTaskRecord | undefined>;
  /** Oldest first; by status and/or run when given. */
  listAgentTasks(filter?: { status?: AgentTaskStatus; runId?: string; limit?: number }): Promise<AgentTaskRecord[]>;
  /** A task's history, oldest first. */
  listAgentTaskEvents(taskId: string): Promise<AgentTaskEventRecord[]>;
  /**
   * Every claimed task whose lease expired before `now` goes back to the queue with one
   * more lapse, or — at its `maxLapses` — is dead-lettered. Answers the tasks it moved, as
   * they are after.
   */
  sweepAgentTasks(now: number): Promise<AgentTaskRecord[]>;
  /**
   * Sweep, then hand agent `name` the oldest queued tasks of its capabilities, up to its
   * free capacity, each under a new generation and a lease from `now`. `swept`: what the
   * sweep moved (the caller tells the runs of dead-lettered ones). Concurrent claimers never
   * get the same task; undefined when no such agent is registered.
   */
  claimAgentTasks(name: string, now: number): Promise<{ tasks: ClaimedAgentTask[]; swept: AgentTaskRecord[] } | undefined>;
  /** Complete a task the agent holds under `generation`; anything else is refused (and recorded in its history). */
  completeAgentTask(id: string, agent: string, generation: number, result: string, now: number): Promise<AgentTaskFinish>;
  /** Fail a task the agent holds under `generation` (terminal for the task); anything else is refused. */
  failAgentTask(id: string, agent: string, generation: number, error: string, now: number): Promise<AgentTaskFinish>;
}
