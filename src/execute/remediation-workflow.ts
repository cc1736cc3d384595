import { isHomeostatError } from '../errors/homeostat-error.js';
import type { PolicyConfig } from '../config/schema/policies.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { GuardDecision, Guardrails } from '../plan/guardrails.js';
import { defineWorkflow, type WorkflowDefinition } from '../workflow/define-workflow.js';
import { recordIntent, resumeInterrupted, type ActionIntent } from './action-intent.js';
import { DESTRUCTIVE_ACTIONS, escalate, type Actuator, type ActuatorDeps } from './actuators.js';
import type { ElementControl } from './element-control.js';
import { isRollout, rollout } from './rollout.js';
import { verifyHealthy } from './verify-health.js';

export const REMEDIATION_WORKFLOW = 'homeostat.remediate';

/** One remediation: the ladder of a matched policy, for one incident. */
export interface RemediationInput {
  incidentId: string;
  service: string;
  instance?: string;
  diagnosis: string;
  policyName: string;
  policy: PolicyConfig;
}

export interface RemediationOutput {
  outcome: 'resolved' | 'escalated' | 'dry-run';
  /** The rung that healed it. */
  rung?: number;
}

export interface RemediationDeps extends Pick<ActuatorDeps, 'escalation' | 'escalationMessage'> {
  knowledge: Knowledge;
  guardrails: Guardrails;
  actuator: Actuator;
  control: ElementControl;
  /** Evidence before destructive actions: recent log lines and metrics. */
  evidence: (service: string, instance?: string) => Promise<Record<string, unknown>>;
  /**
   * Whether a metric symptom (a `symptoms:` rule) has cleared on `service`: verification
   * then needs the rule clear as well as the probes passing. Without it, probes only.
   */
  symptomCleared?: (service: string, symptom: string) => boolean;
  /**
   * Record the action under the controller's leadership term, atomically against the
   * lease, and return the term's fencing token; throws `HS_NOT_LEADER` when this process
   * is no longer the leader. Without it (a single controller), actions are not fenced.
   */
  fenceAction?: (action: string, target: string) => Promise<number>;
}

/**
 * The remediation as a durable workflow: for each rung of the ladder — guard, approval
 * (durable wait with TTL, warning, default deny), evidence, act, verify — each a
 * checkpointed step, so a controller killed mid-remediation resumes at the step it was
 * in and never repeats a finished action. Every decision is written to the incident's
 * explanation chain as it is made.
 *
 * Approvals: the rung waits for signal `approval:<rung>`; approval id `<runId>:<rung>`.
 */
export function remediationWorkflow(deps: RemediationDeps): WorkflowDefinition<RemediationInput, RemediationOutput> {
  const { knowledge } = deps;
  const record = (id: string, kind: Parameters<Knowledge['incidents']['record']>[1], data: Record<string, unknown>) => knowledge.incidents.record(id, kind, data);
  return defineWorkflow(REMEDIATION_WORKFLOW, async (ctx, input: RemediationInput): Promise<RemediationOutput> => {
    const { incidentId, service, instance, policy } = input;
    let dryRunOnly = true;
    for (const [rung, action] of policy.ladder.entries()) {
      const label = `${action.action}${instance && 'scope' in action && action.scope === 'instance' ? ` ${instance}` : ` ${service}`}`;
      if (action.action === 'escalate') {
        await ctx.step(`escalate:${rung}`, async ({ signal }) => {
          const result = await escalate(deps, incidentId, 'critical', signal);
          await record(incidentId, 'escalation', { rung, ...result });
          return result;
        });
        continue;
      }
      const rolling = await ctx.step(`rollout-check:${rung}`, () => isRollout(input, action, deps.control.instances(service).length));
      if (rolling) {
        const since = await ctx.step(`since:${rung}`, () => symptomSince(knowledge, incidentId));
        const rolled = await rollout(ctx, deps, { input, rung, action, label, fence: (kind, target, signal) => fenceOrWait(deps, kind, target, signal), ...(since !== undefined ? { since } : {}) });
        if (!rolled.dryRun) dryRunOnly = false;
        if (rolled.dryRun) continue;
        await ctx.step(`rollout-outcome:${rung}`, () => knowledge.outcome(input.diagnosis, action.action, rolled.ok));
        if (!rolled.ok) continue;
        await ctx.step('resolve', async () => {
          await deps.guardrails.outcome(service, true);
          await record(incidentId, 'outcome', { outcome: 'resolved', by: `${label} (canary, then batches)`, rung });
          await knowledge.incidents.setStatus(incidentId, 'resolved', `${label} helped: every replica healthy for ${policy.verify.healthyFor} ms, canary first`);
        });
        return { outcome: 'resolved', rung };
      }
      const perInstance = 'scope' in action && action.scope === 'instance' && instance !== undefined;
      const guard: GuardDecision = await ctx.step(`guard:${rung}`, async () => {
        const decision = await deps.guardrails.check({ service, ...(perInstance ? { instance } : {}), replicas: deps.control.instances(service).length, dryRun: policy.dryRun });
        await record(incidentId, 'guard', { rung, action: label, allowed: decision.allowed, dryRun: decision.dryRun, results: decision.results });
        await knowledge.audit.append('controller', decision.allowed ? 'guard.allowed' : 'guard.denied', incidentId, { rung, action: label, results: decision.results });
        return decision;
      });
      if (!guard.allowed) continue;
      const release = () => deps.guardrails.release(service, perInstance ? instance : undefined);
      if (guard.dryRun) {
        await ctx.step(`act:${rung}`, async () => {
          await record(incidentId, 'action', { rung, action: label, dryRun: true, detail: 'dry-run: would run, executed nothing' });
          release();
          return { ok: true, dryRun: true };
        });
        continue;
      }
      dryRunOnly = false;
      if (policy.approval.required) {
        const approvalId = `${ctx.runId}:${rung}`;
        await ctx.step(`approval-request:${rung}`, async () => {
          const now = Date.now();
          await knowledge.store.requestApproval({ id: approvalId, incidentId, action: label, status: 'pending', requestedAt: now, expiresAt: now + policy.approval.ttl, decidedAt: null, decidedBy: null, reason: null });
          await knowledge.incidents.setStatus(incidentId, 'awaiting-approval', `waiting for approval to ${label} (homeostat approve ${incidentId})`);
          await record(incidentId, 'approval', { rung, action: label, approval: approvalId, status: 'pending', ttlMs: policy.approval.ttl });
          await knowledge.audit.append('controller', 'approval.requested', incidentId, { approval: approvalId, action: label });
        });
        const firstWait = Math.max(0, policy.approval.ttl - policy.approval.warnBefore);
        let answer = await ctx.waitForSignal<string>(`approval:${rung}`, { timeout: firstWait });
        if (answer === undefined && policy.approval.warnBefore > 0) {
          await ctx.step(`approval-warning:${rung}`, async ({ signal }) => {
            const sent = await escalate(deps, incidentId, 'warning', signal);
            await record(incidentId, 'approval', { rung, action: label, approval: approvalId, status: 'expiring', detail: `expires in ${policy.approval.warnBefore} ms; ${sent.detail}` });
          });
          answer = await ctx.waitForSignal<string>(`approval:${rung}`, { timeout: Math.min(policy.approval.warnBefore, policy.approval.ttl) });
        }
        const status = await ctx.step(`approval-decision:${rung}`, async () => {
          const decided = answer === undefined ? await knowledge.store.decideApproval(approvalId, 'expired', 'controller', 'no answer before the TTL (default deny)', Date.now()) : await knowledge.store.getApproval(approvalId);
          const final = decided?.status ?? 'expired';
          await record(incidentId, 'approval', { rung, action: label, approval: approvalId, status: final, by: decided?.decidedBy ?? null, reason: decided?.reason ?? null });
          await knowledge.incidents.setStatus(incidentId, 'remediating');
          return final;
        });
        if (status !== 'approved') {
          release();
          continue;
        }
      }
      if (DESTRUCTIVE_ACTIONS.has(action.action)) {
        await ctx.step(`evidence:${rung}`, async () => {
          await record(incidentId, 'evidence', { rung, before: label, ...(await deps.evidence(service, instance)) });
        });
      }
      const acted = await ctx.step(
        `act:${rung}`,
        async ({ signal }) => {
          const leaderTerm = await fenceOrWait(deps, action.action, instance ?? service, signal);
          // At most once: the intent is recorded before the action runs; a run resumed after
          // a crash finds it and checks rather than blindly repeats (see action-intent.ts).
          const intent: ActionIntent = { knowledge, control: deps.control, incidentId, runId: ctx.runId, rung, action, label, service, ...(instance ? { instance } : {}), ...(leaderTerm === undefined ? {} : { leaderTerm }) };
          const resumed = await resumeInterrupted(intent);
          if (resumed?.recorded) return resumed.outcome;
          const since = await symptomSince(knowledge, incidentId);
          if (!resumed) await recordIntent(intent);
          const outcome = resumed?.outcome ?? (await deps.actuator.execute(action, { incidentId, service, ...(instance ? { instance } : {}), ...(since !== undefined ? { since } : {}) }, signal));
          await record(incidentId, 'action', { rung, run: ctx.runId, action: label, ...(leaderTerm === undefined ? {} : { leaderTerm }), ...outcome });
          await knowledge.audit.append('controller', `action.${action.action}`, incidentId, { rung, target: instance ?? service, ...outcome });
          return outcome;
        },
        { retry: false },
      );
      const verified = await ctx.step(
        `verify:${rung}`,
        async ({ signal }) => {
          // An uncertain action (interrupted by a crash, not repeated) may have worked: health decides.
          const result = acted.ok || acted.uncertain
            ? await verifyHealthy(await healthCheck(deps, incidentId, acted.verifyOn ?? service), { healthyForMs: policy.verify.healthyFor, timeoutMs: policy.verify.timeout, signal })
            : { ok: false, detail: `not verified: the action failed (${acted.detail})`, tookMs: 0 };
          release();
          await record(incidentId, 'verification', { rung, action: label, ...result });
          await knowledge.outcome(input.diagnosis, action.action, result.ok);
          return result;
        },
        { retry: false, timeout: policy.verify.timeout + 10_000 },
      );
      if (verified.ok) {
        await ctx.step('resolve', async () => {
          await deps.guardrails.outcome(service, true);
          await record(incidentId, 'outcome', { outcome: 'resolved', by: label, rung });
          await knowledge.incidents.setStatus(incidentId, 'resolved', `${label} helped: healthy for ${policy.verify.healthyFor} ms`);
        });
        return { outcome: 'resolved', rung };
      }
    }
    if (dryRunOnly) {
      await ctx.step('dry-run-outcome', async () => {
        await record(incidentId, 'outcome', { outcome: 'dry-run', detail: 'every action was recorded, none executed' });
        await knowledge.incidents.setStatus(incidentId, 'escalated', 'dry-run: decided and recorded, nothing executed');
      });
      return { outcome: 'dry-run' };
    }
    await ctx.step('escalate', async ({ signal }) => {
      await deps.guardrails.outcome(service, false);
      const result = await escalate(deps, incidentId, 'critical', signal);
      await record(incidentId, 'escalation', { reason: 'the ladder is exhausted', ...result });
      await record(incidentId, 'outcome', { outcome: 'escalated', detail: 'no action helped; slow retries continue' });
      await knowledge.incidents.setStatus(incidentId, 'escalated', 'no action helped; escalated, retrying slowly');
    });
    return { outcome: 'escalated' };
  });
}

/**
 * The leader's fencing token for this action, recorded before it is taken. A deposed
 * leader does not act: it waits here until its remediation worker is stopped (which
 * aborts `signal` and hands the run, with this step unrecorded, to the new leader).
 */
async function fenceOrWait(deps: RemediationDeps, action: string, target: string, signal: AbortSignal): Promise<number | undefined> {
  if (!deps.fenceAction) return undefined;
  try {
    return await deps.fenceAction(action, target);
  } catch (error) {
    if (!isHomeostatError(error, 'HS_NOT_LEADER')) throw error;
    await new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason as Error);
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
    throw error;
  }
}

/** When the incident's first signal happened (its symptom), else when it opened. */
async function symptomSince(knowledge: Knowledge, incidentId: string): Promise<number | undefined> {
  const explained = await knowledge.incidents.explain(incidentId);
  const at = explained?.entries.find((e) => e.kind === 'signal')?.data.at;
  return typeof at === 'number' ? at : explained?.incident.openedAt;
}

/** Probes passing and, for a metric symptom, its rule cleared. */
async function healthCheck(deps: RemediationDeps, incidentId: string, service: string): Promise<() => boolean> {
  const symptom = deps.symptomCleared ? (await deps.knowledge.incidents.get(incidentId))?.symptom : undefined;
  const cleared = deps.symptomCleared;
  if (!symptom || !cleared) return () => deps.control.isHealthy(service);
  return () => deps.control.isHealthy(service) && cleared(service, symptom);
}
