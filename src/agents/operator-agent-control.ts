import { HomeostatError } from '../errors/homeostat-error.js';
import type { AgentQuorumStore } from '../store/ports/agent-quorum-store.js';
import type { AgentRetirementStore } from '../store/ports/agent-retirement-store.js';
import type { AgentStore } from '../store/ports/agent-store.js';
import type { AgentView } from './agent-health.js';
import { listAgentViews, type AgentViewStore } from './agent-standing.js';

export type OperatorAgentStore = AgentViewStore & Pick<AgentStore, 'getAgent'> & Pick<AgentQuorumStore, 'quarantineAgent' | 'releaseAgent'> & Pick<AgentRetirementStore, 'unretireAgent'>;

export interface OperatorAgentDeps {
  store: OperatorAgentStore;
  /** The hash-chained audit log's append (Knowledge.audit.append). */
  audit: (actor: string, action: string, target: string, data: Record<string, unknown>) => Promise<unknown>;
  now: () => number;
}

/** What an operator's quarantine or release did: the agent as it is after, and the tasks requeued. */
export interface OperatorAgentOutcome {
  agent: AgentView;
  /** Tasks it held that went back to the queue (a quarantine). */
  requeued: string[];
  /** A release: whether it was quarantined, and whether a retirement (the `replace` rung's) was lifted. */
  released: boolean;
  unretired: boolean;
}

/**
 * An operator's quarantine and release of an agent (`homeostat agents quarantine|release
 * <name>`, `POST /api/agents/:name/quarantine|release`): the same row of `agent_quarantines`
 * the loop's rungs write, so every dispatcher's claim follows it at once — but held in the
 * operator's name. The loop never undoes it: its `release` rung leaves a person's quarantine
 * in place, and its `quarantine` rung does not take one over (agent-quorum-tables.ts); only a
 * person releases it. A person's release also lifts a retirement (the `replace` rung's), the
 * only way back for an agent without a process homeostat runs. Audited as
 * `agent.quarantined` / `agent.released` by the operator, with the reason and what changed.
 * An unknown name is refused (HS_AGENT_NOT_FOUND): a typo must not leave a row behind.
 *
 * @example await quarantineByOperator(deps, 'extractor-3', 'api:alice', 'answers look wrong') // { agent: { name: 'extractor-3', quarantine: { by: 'api:alice', … } }, requeued: ['r:4'], … }
 */
export async function quarantineByOperator(deps: OperatorAgentDeps, name: string, by: string, reason: string): Promise<OperatorAgentOutcome> {
  await known(deps, name);
  const { requeued } = await deps.store.quarantineAgent(name, reason, by, deps.now());
  await deps.audit(by, 'agent.quarantined', `agent:${name}`, { agent: name, reason, requeued });
  return { agent: await viewOf(deps, name), requeued, released: false, unretired: false };
}

/** An operator's release: see {@link quarantineByOperator}. */
export async function releaseByOperator(deps: OperatorAgentDeps, name: string, by: string, reason: string): Promise<OperatorAgentOutcome> {
  await known(deps, name);
  const { released, heldBy } = await deps.store.releaseAgent(name, reason, by, deps.now());
  const unretired = await deps.store.unretireAgent(name);
  await deps.audit(by, 'agent.released', `agent:${name}`, { agent: name, reason, wasQuarantined: released, quarantinedBy: heldBy, unretired });
  return { agent: await viewOf(deps, name), requeued: [], released, unretired };
}

async function known(deps: OperatorAgentDeps, name: string): Promise<void> {
  if (!(await deps.store.getAgent(name))) throw new HomeostatError('HS_AGENT_NOT_FOUND', `no agent ${JSON.stringify(name)} is registered (see homeostat agents)`);
}

async function viewOf(deps: OperatorAgentDeps, name: string): Promise<AgentView> {
  return (await listAgentViews(deps.store, deps.now())).find((view) => view.name === name)!;
}
