import type { AgentsConfig } from '../config/schema/agents.js';
import { HomeostatError } from '../errors/homeostat-error.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { Store } from '../store/store.js';
import type { Engine } from '../workflow/engine.js';
import { AgentActionRates } from './agent-action-rate.js';
import { AGENT_ACTION_WORKFLOW, agentActionRunId, agentActor, type AgentActionInput, type AgentActionOutput } from './agent-action-workflow.js';

/** Where an agent's request stands, as the agent (and the dashboard) sees it. */
export interface AgentActionView {
  /** The run that carries it out: `agent-action:<agent>:<key>`. */
  id: string;
  agent: string;
  action: string;
  key: string;
  service: string;
  risk: 'low' | 'high';
  state: 'awaiting-approval' | 'running' | AgentActionOutput['status'];
  detail: string | null;
  /** The approval a person answers (`homeostat approve <id>`), for a `high` action. */
  approval: string | null;
  approvedBy: string | null;
}

/**
 * The server side of `POST /api/agents/<name>/actions`: checks the agent's allow-list
 * (`agents:` of the applied config), audits the request or its refusal as `agent:<name>`,
 * and starts the durable run that carries it out once per idempotency key.
 *
 * @example
 * await gate.request('ops-bot', tokenId, 'restart-api', 'k1') // { action: { state: 'running', … }, repeated: false }
 * @example
 * await gate.request('ops-bot', tokenId, 'drop-database', 'k2') // audited, throws HS_AGENT_ACTION_NOT_ALLOWED (403)
 */
export class AgentActions {
  constructor(
    private readonly deps: {
      store: Store;
      knowledge: Knowledge;
      engine: Pick<Engine, 'start' | 'getRun'>;
      /** The allow-lists of the config in force: read at each request, so an applied change takes effect at once. */
      allowLists: () => AgentsConfig;
      now?: () => number;
    },
  ) {
    this.rates = new AgentActionRates(deps.now ?? Date.now);
  }

  /** Each agent's new requests in its `rateLimit` window. */
  private readonly rates: AgentActionRates;

  async request(agent: string, tokenId: string, action: string, key: string): Promise<{ action: AgentActionView; repeated: boolean }> {
    await this.owned(agent, tokenId);
    const actor = agentActor(agent);
    const allowed = Object.hasOwn(this.deps.allowLists(), agent) ? this.deps.allowLists()[agent]!.actions : {};
    const entry = Object.hasOwn(allowed, action) ? allowed[action] : undefined;
    if (!entry) {
      await this.deps.knowledge.audit.append(actor, 'agent.action.refused', agent, { action, key, reason: 'not in its allow-list' });
      const names = Object.keys(allowed);
      throw new HomeostatError('HS_AGENT_ACTION_NOT_ALLOWED', `agent ${JSON.stringify(agent)} may not request ${JSON.stringify(action)}: its allow-list (agents.${agent}.actions) names ${names.length ? names.join(', ') : 'nothing'}; the refusal is audited`);
    }
    const id = agentActionRunId(agent, key);
    const existing = await this.deps.engine.getRun(id);
    if (existing) {
      const earlier = JSON.parse(existing.input ?? 'null') as AgentActionInput;
      if (earlier.action !== action) throw new HomeostatError('HS_AGENT_ACTION_KEY_REUSED', `key ${JSON.stringify(key)} already requested ${JSON.stringify(earlier.action)} (run ${id}): a key names one request; use a new key for another`);
      return { action: await this.view(id), repeated: true };
    }
    // Counted only here: a refused request or a repeated key is no new request.
    const rateLimit = this.deps.allowLists()[agent]!.rateLimit;
    if (rateLimit) {
      const taken = this.rates.take(agent, { max: rateLimit.max, perMs: rateLimit.per });
      if (!taken.allowed) {
        const limit = `${rateLimit.max} new request(s) per ${rateLimit.per} ms (agents.${agent}.rateLimit)`;
        await this.deps.knowledge.audit.append(actor, 'agent.action.refused', agent, { action, key, reason: `rate limit: ${limit} spent`, retryAfterMs: taken.retryAfterMs });
        throw new HomeostatError('HS_AGENT_ACTION_RATE_LIMITED', `agent ${JSON.stringify(agent)} asked for more actions than its rate limit allows (${limit}): ${JSON.stringify(action)} refused, nothing ran; the next request is allowed in ${taken.retryAfterMs} ms; the refusal is audited`);
      }
    }
    const input: AgentActionInput = { agent, action, service: entry.service, do: entry.do, risk: entry.risk, approvalTtlMs: entry.approvalTtl, key };
    const started = await this.deps.engine.start(AGENT_ACTION_WORKFLOW, input, { id });
    // Two requests with one key at once: the store made one run; the other joins it.
    if (started.created) await this.deps.knowledge.audit.append(actor, 'agent.action.requested', entry.service, { action, do: entry.do.action, key, risk: entry.risk, run: id });
    return { action: await this.view(id), repeated: !started.created };
  }

  /** One of this agent's requests by its key; HS_AGENT_ACTION_NOT_FOUND when it made none with that key. */
  async get(agent: string, tokenId: string, key: string): Promise<AgentActionView> {
    await this.owned(agent, tokenId);
    return this.view(agentActionRunId(agent, key));
  }

  private async view(id: string): Promise<AgentActionView> {
    const run = await this.deps.engine.getRun(id);
    if (!run || run.workflow !== AGENT_ACTION_WORKFLOW) throw new HomeostatError('HS_AGENT_ACTION_NOT_FOUND', `no agent action request ${JSON.stringify(id)}`);
    const input = JSON.parse(run.input ?? 'null') as AgentActionInput;
    const approval = input.risk === 'high' ? await this.deps.knowledge.approvals.get(`${id}:0`) : undefined;
    const base = { id, agent: input.agent, action: input.action, key: input.key, service: input.service, risk: input.risk, approval: approval?.id ?? null };
    if (run.status === 'completed') {
      const output = JSON.parse(run.output ?? 'null') as AgentActionOutput;
      return { ...base, state: output.status, detail: output.detail, approvedBy: output.approvedBy ?? null };
    }
    if (run.status === 'failed' || run.status === 'cancelled' || run.status === 'parked') return { ...base, state: 'failed', detail: run.error?.message ?? `run ${run.status}`, approvedBy: null };
    const waiting = approval?.status === 'pending';
    return { ...base, state: waiting ? 'awaiting-approval' : 'running', detail: waiting ? `waiting for a person: homeostat approve ${approval.id}` : null, approvedBy: approval?.status === 'approved' ? approval.decidedBy : null };
  }

  /** The same binding as the agent protocol: a token acts only as the agent name it registered. */
  private async owned(agent: string, tokenId: string): Promise<void> {
    const record = await this.deps.store.getAgent(agent);
    if (!record) throw new HomeostatError('HS_AGENT_NOT_REGISTERED', `no agent ${JSON.stringify(agent)} is registered: register it first (POST /api/agents/register)`);
    if (record.tokenId !== tokenId) throw new HomeostatError('HS_AGENT_NOT_OWNED', `agent ${JSON.stringify(agent)} was registered with another token: this token may not act as it`);
  }
}
