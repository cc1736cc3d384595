import { agentOf } from '../analyze/agent-element.js';
import { LOOP_ACTOR } from '../store/agent-retirement-records.js';
import type { AgentQuorumStore } from '../store/ports/agent-quorum-store.js';
import type { AgentStore } from '../store/ports/agent-store.js';
import type { ActionOutcome, ActionTarget } from './actuators.js';

/** A rung that acts on an agent: keep it from claiming tasks, or let it claim again. */
export type AgentAction = { action: 'quarantine' } | { action: 'release' };

export type AgentActionStore = Pick<AgentStore, 'getAgent'> & Pick<AgentQuorumStore, 'quarantineAgent' | 'releaseAgent'>;

/**
 * The `quarantine` and `release` rungs: whether an agent may claim, written to the store,
 * where every dispatcher's claim reads it (agent-tables.ts) — an in-process flag would
 * bind only the API of the node that set it.
 *
 * Threat model: only a remediation of an incident on `agent:<name>` (the leader's, under
 * the guardrails, with approval where the policy asks) or someone with write access to the
 * store can cause it; it reaches one row of `agent_quarantines` and the in-flight tasks of
 * that one agent, which go back to the queue for other agents (their history says why).
 * The worst it can do is keep an agent from working: its tasks wait for another capable
 * agent, and a quorum that needs n distinct agents waits until n are free to answer.
 * Nothing outside homeostat is touched; the agent process itself is not signalled. The loop
 * never releases an operator's quarantine, nor takes one over (agent-quorum-tables.ts).
 *
 * @example await setAgentQuarantine(store, { action: 'quarantine' }, { incidentId: '7', service: 'agent:adder-3' }, Date.now()) // { ok: true, detail: 'quarantined agent adder-3 …' }
 */
export async function setAgentQuarantine(store: AgentActionStore, rung: AgentAction, target: ActionTarget, now: number): Promise<ActionOutcome> {
  const agent = agentOf(target.service);
  if (agent === undefined) return { ok: false, detail: `${rung.action} acts on an agent (element agent:<name>), not on ${target.service}` };
  if (!(await store.getAgent(agent))) return { ok: false, detail: `${rung.action}: no agent "${agent}" is registered` };
  const reason = `incident ${target.incidentId}${target.requestId ? ` (${target.requestId})` : ''}`;
  if (rung.action === 'release') {
    const { released, heldBy } = await store.releaseAgent(agent, reason, LOOP_ACTOR, now);
    // A person's quarantine is theirs to lift: the rung fails, and the ladder goes on (escalate).
    if (!released && heldBy !== null) return { ok: false, detail: `left agent ${agent} quarantined: ${heldBy} quarantined it, and only an operator releases it (homeostat agents release ${agent})` };
    return { ok: true, detail: `released agent ${agent}: it claims tasks again, on every dispatcher of the store; its reliability starts over` };
  }
  const { requeued, heldBy } = await store.quarantineAgent(agent, reason, LOOP_ACTOR, now);
  const tasks = requeued.length === 0 ? 'it held no task' : `its ${requeued.length} task(s) in flight went back to the queue (${requeued.join(', ')})`;
  const whose = heldBy === LOOP_ACTOR ? '' : ` (already quarantined by ${heldBy}, whose quarantine it stays: only an operator releases it)`;
  return { ok: true, detail: `quarantined agent ${agent}${whose}: it claims no task on any dispatcher of the store; ${tasks}` };
}
