import type { AgentRetirementRecord } from '../agent-retirement-records.js';

/**
 * Retirement of agents (docs/agents.md#restart-and-replace): the loop's `replace` rung. The claim of the
 * agent tables reads it (a retired registration claims nothing), as it reads quarantines.
 */
export interface AgentRetirementStore {
  /**
   * Retire `agent` as it is registered now: every task it holds goes back to the queue at
   * once (a `requeued` entry in its history; its late answer is refused by the fence), and
   * it claims nothing again — with `freshAllowed`, until a later registration (the fresh
   * process). Answers the tasks requeued; undefined when no such agent is registered.
   */
  retireAgent(agent: string, retirement: { freshAllowed: boolean; reason: string; by: string; now: number }): Promise<{ requeued: string[]; retirement: AgentRetirementRecord } | undefined>;
  listAgentRetirements(): Promise<AgentRetirementRecord[]>;
  /** Lift a retirement (an operator's release): answers whether there was one. */
  unretireAgent(agent: string): Promise<boolean>;
}
