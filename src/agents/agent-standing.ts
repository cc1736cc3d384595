import type { AgentRetirementRecord } from '../store/agent-retirement-records.js';
import type { AgentQuorumStore } from '../store/ports/agent-quorum-store.js';
import type { AgentRetirementStore } from '../store/ports/agent-retirement-store.js';
import type { AgentStore } from '../store/ports/agent-store.js';
import { agentView, type AgentView } from './agent-health.js';
import { retirementInForce } from './agent-retirement.js';

/** What {@link listAgentViews} reads. */
export type AgentViewStore = Pick<AgentStore, 'listAgents' | 'agentLoads'> & Pick<AgentQuorumStore, 'agentReliabilities' | 'listAgentQuarantines'> & Pick<AgentRetirementStore, 'listAgentRetirements'>;

/**
 * Every agent as `homeostat agents` and `GET /api/agents` show it: its registration,
 * health and load, its running agreement rate in quorums (since its last release) and
 * whether it is quarantined or retired. One place, so the API and the CLI's store backend agree.
 */
export async function listAgentViews(store: AgentViewStore, now: number): Promise<AgentView[]> {
  return (await readAgentStanding(store, now)).views;
}

/** {@link listAgentViews} with the retirements it read, for the loop's watch (the tasks each requeued). */
export async function readAgentStanding(store: AgentViewStore, now: number): Promise<{ views: AgentView[]; retirements: AgentRetirementRecord[] }> {
  const [agents, loads, reliabilities, quarantines, retirements] = await Promise.all([store.listAgents(), store.agentLoads(), store.agentReliabilities(), store.listAgentQuarantines(), store.listAgentRetirements()]);
  const retirementOf = new Map(retirements.map((r) => [r.agent, r]));
  const reliabilityOf = new Map(reliabilities.map((r) => [r.agent, r]));
  const quarantineOf = new Map(quarantines.filter((q) => q.quarantined).map((q) => [q.agent, q]));
  const views = agents.map((agent) => {
    const reliability = reliabilityOf.get(agent.name);
    const quarantine = quarantineOf.get(agent.name);
    const retirement = retirementOf.get(agent.name);
    return agentView(agent, loads[agent.name] ?? 0, now, {
      reliability: reliability ? { votes: reliability.votes, agreed: reliability.agreed, rate: reliability.votes > 0 ? reliability.agreed / reliability.votes : null } : { votes: 0, agreed: 0, rate: null },
      quarantine: quarantine ? { reason: quarantine.reason, by: quarantine.changedBy, at: quarantine.changedAt } : null,
      retired: retirement && retirementInForce(retirement, agent) ? { reason: retirement.reason, by: retirement.retiredBy, at: retirement.retiredAt } : null,
    });
  });
  return { views, retirements };
}
