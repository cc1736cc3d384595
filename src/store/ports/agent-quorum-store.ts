import type { AgentQuarantineRecord, AgentQuorumRecord, AgentQuorumStatus, AgentQuorumVoteRecord, AgentReliability, NewQuorumTask } from '../agent-quorum-records.js';

/**
 * Quorums over agent tasks, the votes they record, and quarantine (docs/agents.md#quorum).
 * The claim of the agent tables reads two things written here: a task's `quorum_id` (an
 * agent never holds two sub-tasks of one quorum, so n answers come from n distinct agents)
 * and `agent_quarantines` (a quarantined agent claims nothing).
 */
export interface AgentQuorumStore {
  /**
   * Record quorum `quorum` and queue its agent sub-tasks, once: a replayed creation finds
   * what the first one wrote (`created: false`) and queues nothing more.
   */
  createAgentQuorum(quorum: Omit<AgentQuorumRecord, 'status' | 'answer' | 'detail' | 'decidedAt'>, tasks: NewQuorumTask[]): Promise<{ created: boolean }>;
  getAgentQuorum(id: string): Promise<AgentQuorumRecord | undefined>;
  /** By run when given; newest first. */
  listAgentQuorums(filter?: { runId?: string; limit?: number }): Promise<AgentQuorumRecord[]>;
  /**
   * Record the decision and every vote, once: a second decision of the same quorum (a
   * replay) leaves the first as it was, so no vote counts twice in a reliability.
   */
  decideAgentQuorum(id: string, decision: { status: Exclude<AgentQuorumStatus, 'pending'>; answer: string | null; detail: string | null }, votes: AgentQuorumVoteRecord[], now: number): Promise<void>;
  listAgentQuorumVotes(quorumId: string): Promise<AgentQuorumVoteRecord[]>;
  /** Every registered agent's votes and agreements since its last release (agents without votes absent). */
  agentReliabilities(): Promise<AgentReliability[]>;
  /**
   * Quarantine an agent: it claims nothing from now on, and every task it holds goes back
   * to the queue (a `requeued` entry in its history; its late answer is refused by the
   * fence). Answers the tasks requeued, and who holds the quarantine now: the loop
   * (`by` = `controller`) never takes over a person's quarantine, which stays theirs.
   */
  quarantineAgent(agent: string, reason: string, by: string, now: number): Promise<{ requeued: string[]; heldBy: string }>;
  /**
   * Let a quarantined agent claim again; its reliability starts over from `now`. The loop
   * (`by` = `controller`) cannot release a person's quarantine: `released: false` and who
   * holds it. Not quarantined: `released: false`, `heldBy: null`, nothing written.
   */
  releaseAgent(agent: string, reason: string, by: string, now: number): Promise<{ released: boolean; heldBy: string | null }>;
  listAgentQuarantines(): Promise<AgentQuarantineRecord[]>;
}
