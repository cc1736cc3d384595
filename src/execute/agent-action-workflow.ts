import type { ActionConfig } from '../config/schema/policies.js';
import { resumeRule } from './action-intent.js';
import type { Actuator } from './actuators.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import { redactText } from '../knowledge/redact.js';
import { defineWorkflow, type WorkflowDefinition } from '../workflow/define-workflow.js';

/** Internal (`homeostat.*`): nobody starts, signals or cancels it through the API or CLI; only the agent-action route starts it. */
export const AGENT_ACTION_WORKFLOW = 'homeostat.agent-action';

/**
 * What an agent asked for, resolved against its allow-list when it asked: the run acts on
 * this checkpointed input, so a config change after the request neither widens nor
 * retargets it.
 */
export interface AgentActionInput {
  agent: string;
  /** The allow-list entry's name (`restart-api`). */
  action: string;
  service: string;
  do: ActionConfig;
  risk: 'low' | 'high';
  approvalTtlMs: number;
  /** The agent's idempotency key: the run id is `agent-action:<agent>:<key>`. */
  key: string;
}

export type AgentActionStatus = 'done' | 'failed' | 'uncertain' | 'denied' | 'expired';

export interface AgentActionOutput {
  status: AgentActionStatus;
  detail: string;
  /** Who let a `high` action run (`api:alice`); absent for a `low` one. */
  approvedBy?: string;
}

/** The run of one agent's request: one per agent and key, so a repeated request joins it. */
export function agentActionRunId(agent: string, key: string): string {
  return `agent-action:${agent}:${key}`;
}

/** Who the audit log and the approvals name as the cause of everything this run does. */
export function agentActor(agent: string): string {
  return `agent:${agent}`;
}

/**
 * The durable run of an agent's action request: for a `high` one, an approval that a person
 * answers exactly as a remediation rung's (`homeostat approve`, the dashboard; the approval
 * id is `<run id>:0`, answered by signal `approval:0`, what decide-approval.ts sends), then
 * the action through the same actuator the remediations use, audited as `agent:<name>`.
 *
 * At most once: the action runs in one step without retries; one interrupted by a crash
 * of the leader is not run again by the next unless running it twice is harmless
 * (action-intent.ts's rules) — its outcome is `uncertain`.
 */
export function agentActionWorkflow(deps: { knowledge: Knowledge; actuator: Actuator }): WorkflowDefinition<AgentActionInput, AgentActionOutput> {
  const { knowledge } = deps;
  return defineWorkflow(AGENT_ACTION_WORKFLOW, async (ctx, input: AgentActionInput): Promise<AgentActionOutput> => {
    const actor = agentActor(input.agent);
    const label = `${input.do.action} ${input.service}`;
    let approvedBy: string | undefined;
    if (input.risk === 'high') {
      const approvalId = `${ctx.runId}:0`;
      await ctx.step('approval-request', async () => {
        await knowledge.approvals.request({ id: approvalId, incidentId: actor, action: `${label} (agent ${input.agent} asks: ${input.action}, key ${input.key})`, ttlMs: input.approvalTtlMs }, actor);
      });
      const answer = await ctx.waitForSignal<string>('approval:0', { timeout: input.approvalTtlMs });
      const decided = await ctx.step('approval-decision', async () => {
        // No answer before the TTL: denied by default, as a remediation's approval is.
        const record = answer === undefined ? await knowledge.approvals.decide(approvalId, 'expired', 'controller', 'no answer before the TTL (default deny)') : await knowledge.approvals.get(approvalId);
        const latest = record ?? (await knowledge.approvals.get(approvalId));
        return { status: latest?.status ?? 'expired', by: latest?.decidedBy ?? null };
      });
      if (decided.status !== 'approved') {
        const status: AgentActionStatus = decided.status === 'denied' ? 'denied' : 'expired';
        const detail = status === 'denied' ? `${label} was denied by ${decided.by ?? 'someone'}: nothing ran` : `${label} was not approved before its TTL: nothing ran`;
        await ctx.step('refused', () => knowledge.audit.append(actor, 'agent.action.not-approved', input.service, { action: input.action, key: input.key, run: ctx.runId, status, by: decided.by }));
        return { status, detail };
      }
      approvedBy = decided.by ?? undefined;
    }
    // At most once. The engine checkpoints a step only when it ends, so a run taken over after
    // a crash during `act` executes `act` again. `intent`, checkpointed just before, tells the
    // two apart: its function runs in the execution that goes on to act; a takeover replays it
    // from its checkpoint without running it. So `act` without a fresh intent is a resumed one.
    let freshIntent = false;
    await ctx.step('intent', () => {
      freshIntent = true;
      return true;
    });
    const outcome = await ctx.step(
      'act',
      async ({ signal }) => {
        if (!freshIntent && resumeRule(input.do) !== 'repeat') {
          return { status: 'uncertain' as const, detail: `${label} was started before the controller stopped, and may or may not have taken effect: not repeated (${input.do.action} is not safe to run twice)` };
        }
        // An agent names no instance: the action is on the service (every replica).
        const action: ActionConfig = 'scope' in input.do ? { ...input.do, scope: 'service' } : input.do;
        const done = await deps.actuator.execute(action, { incidentId: actor, service: input.service, requestId: ctx.runId }, signal);
        return { status: done.ok ? ('done' as const) : ('failed' as const), detail: redactText(done.detail).slice(0, 2_000) };
      },
      { retry: false },
    );
    await ctx.step('audit', () =>
      knowledge.audit.append(actor, 'agent.action', input.service, { action: input.action, do: input.do.action, key: input.key, run: ctx.runId, status: outcome.status, detail: outcome.detail, ...(approvedBy ? { approvedBy } : {}) }),
    );
    return { ...outcome, ...(approvedBy ? { approvedBy } : {}) };
  });
}
