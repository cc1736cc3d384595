import { isHomeostatError } from '../errors/homeostat-error.js';
import type { PolicyConfig } from '../config/schema/policies.js';
import type { PrometheusConfig } from '../config/schema/prometheus.js';
import type { HomeostatConfig } from '../config/schema/root.js';
import { policyNamed } from '../plan/policy-matcher.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { GuardDecision, Guardrails } from '../plan/guardrails.js';
import { defineWorkflow, type WorkflowDefinition } from '../workflow/define-workflow.js';
import type { WorkflowContext } from '../workflow/workflow-context.js';
import { agentOf } from '../analyze/agent-element.js';
import { recordIntent, resumeInterrupted, type ActionIntent } from './action-intent.js';
import { DESTRUCTIVE_ACTIONS, escalate, type Actuator, type ActuatorDeps } from './actuators.js';
import { pageOnce } from './page-once.js';
import type { ElementControl } from './element-control.js';
import { restartSince } from './restart-since.js';
import { isRollout, rollout } from './rollout.js';
import { clearanceOf, incidentHealth, type IncidentSymptom } from './incident-health.js';
import { verifyHealthy } from './verify-health.js';
import { joinChecks, verificationChecks } from './verification-checks.js';

export const REMEDIATION_WORKFLOW = 'homeostat.remediate';

/**
 * One remediation: the policy the loop matched, by name, for one incident. The ladder is
 * not part of the input: the run reads it from the applied config (see `appliedPolicy`),
 * so a run's input can never bring actions of its own.
 */
export interface RemediationInput {
  incidentId: string;
  service: string;
  instance?: string;
  /** The node that supervises `instance` (several `up` on one store): its agent executes actions on it. */
  node?: string;
  diagnosis: string;
  policyName: string;
}

/** A policy as the applied config has it, with the version that carries it. */
export interface AppliedPolicy {
  policy: PolicyConfig;
  configVersion: number;
  /** Who applied that version. */
  appliedBy: string;
}

/**
 * `appliedPolicy` over the config `current` returns when asked (the runtime's applied
 * version; a test's fixed config).
 * @example remediationWorkflow({ …, appliedPolicy: appliedPolicies(() => ({ config, version: 1, source: 'test' })) })
 */
export function appliedPolicies(current: () => { config: HomeostatConfig; version: number; source: string }): (name: string) => AppliedPolicy | undefined {
  return (name) => {
    const { config, version, source } = current();
    const policy = policyNamed(config.policies, name, config.environment);
    return policy && { policy, configVersion: version, appliedBy: source };
  };
}

export interface RemediationOutput {
  outcome: 'resolved' | 'escalated' | 'dry-run';
  /** The rung that healed it. */
  rung?: number;
}

export interface RemediationDeps extends Pick<ActuatorDeps, 'escalation' | 'escalationMessage' | 'webhooks'> {
  knowledge: Knowledge;
  /** The policy called `name` in the config applied now (its environment's overrides merged in); undefined when it has none. */
  appliedPolicy: (name: string) => AppliedPolicy | undefined;
  guardrails: Guardrails;
  actuator: Actuator;
  control: ElementControl;
  /** Evidence before destructive actions: recent log lines and metrics. */
  evidence: (service: string, instance?: string) => Promise<Record<string, unknown>>;
  /**
   * Whether a metric symptom (a `symptoms:` rule) has cleared on `service`: verification
   * then needs every rule that fired in the incident clear, where it fired, as well as the
   * probes passing (see incident-health.ts). Without it, probes only.
   */
  symptomCleared?: (service: string, symptom: string) => boolean;
  /** Why a metric symptom cannot be told now (its PromQL rule unanswered): verification is then unknown, not failing (see incident-health.ts). */
  symptomUnknown?: (service: string, symptom: string) => string | undefined;
  /** The Prometheus a policy's `verify.checks` ask (the applied config's `prometheus`); without it, checks are unknown. */
  prometheus?: () => PrometheusConfig | undefined;
  /**
   * Record the action under the controller's leadership term, atomically against the
   * lease, and return the term's fencing token; throws `HS_NOT_LEADER` when this process
   * is no longer the leader. Without it (a single controller), actions are not fenced.
   */
  fenceAction?: (action: string, target: string) => Promise<number>;
  /** The service `agentElements.processes` names for an agent (a `restart` of `agent:<name>` restarts it); undefined for none. */
  agentProcess?: (agent: string) => string | undefined;
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
    const { incidentId, service, instance } = input;
    // Read once and checkpointed: a resumed run keeps the ladder it started with.
    const applied = await ctx.step('policy', async () => {
      const found = deps.appliedPolicy(input.policyName) ?? null;
      if (!found) await record(incidentId, 'note', { detail: `policy "${input.policyName}" is not in the applied config any more: nothing to run` });
      return found;
    });
    if (!applied) return finishUnhealed(ctx, deps, input, { executed: false, dryRun: false, escalated: false, paused: false, denied: [], missingPolicy: true });
    const { policy } = applied;
    /** Who stands behind every action of this run: the loop, under this policy of this config version. */
    const authority = { policy: input.policyName, configVersion: applied.configVersion, configAppliedBy: applied.appliedBy };
    const attempted: Attempted = { executed: false, dryRun: false, escalated: false, paused: false, denied: [] };
    for (const [rung, action] of policy.ladder.entries()) {
      const label = `${action.action}${instance && 'scope' in action && action.scope === 'instance' ? ` ${instance}` : ` ${service}`}`;
      if (action.action === 'escalate') {
        attempted.escalated = true;
        // Recorded by pageOnce; a step re-run after a crash finds the page and does not repeat it.
        await ctx.step(`escalate:${rung}`, ({ signal }) => pageOnce(deps, knowledge.incidents, incidentId, 'critical', signal, { rung }));
        continue;
      }
      const rolling = await ctx.step(`rollout-check:${rung}`, () => isRollout(policy, action, deps.control.instances(service).length));
      if (rolling) {
        // The same rule as a single restart (restart-since.ts): a replica our own earlier restart started is not "already restarted".
        const since = await ctx.step(`since:${rung}`, async () => restartSince(await knowledge.incidents.explain(incidentId)).since);
        const rolled = await rollout(ctx, deps, {
          input,
          policy,
          authority,
          rung,
          action,
          label,
          fence: (kind, target, signal) => fenceOrWait(deps, kind, target, signal),
          checks: (signal) => policyChecks(deps, policy, signal),
          ...(since !== undefined ? { since } : {}),
        });
        if (rolled.unknown) {
          attempted.executed = true;
          attempted.unknown = `verification of ${label} is ${rolled.unknown}`;
          break;
        }
        if (rolled.executed) attempted.executed = true;
        if (rolled.dryRun) attempted.dryRun = true;
        if (!rolled.executed && !rolled.dryRun) attempted.denied.push(`${label}: the canary was denied by the guardrails`);
        if (rolled.dryRun || !rolled.executed) continue;
        await ctx.step(`rollout-outcome:${rung}`, () => knowledge.outcome(input.diagnosis, action.action, rolled.ok));
        if (!rolled.ok) continue;
        await ctx.step('resolve', async () => {
          await deps.guardrails.outcome(service, true);
          await record(incidentId, 'outcome', { outcome: 'resolved', by: `${label} (canary, then batches)`, rung });
          await knowledge.incidents.resolve(incidentId, { resolution: 'action', by: label, summary: `${label} helped: every replica healthy for ${policy.verify.healthyFor} ms, canary first` });
        });
        return { outcome: 'resolved', rung };
      }
      const perInstance = 'scope' in action && action.scope === 'instance' && instance !== undefined;
      const guard: GuardDecision = await ctx.step(`guard:${rung}`, async () => {
        const decision = await deps.guardrails.check({ service, ...(perInstance ? { instance } : {}), replicas: deps.control.instances(service).length, dryRun: policy.dryRun });
        await record(incidentId, 'guard', { rung, action: label, allowed: decision.allowed, dryRun: decision.dryRun, results: decision.results });
        await knowledge.audit.append('controller', decision.allowed ? 'guard.allowed' : 'guard.denied', incidentId, { rung, action: label, results: decision.results });
        return decision;
      }, {
        // A run cancelled (an operator closed the incident) or failed after this reserved the
        // replica must give it back, or the blast radius stays taken until it goes stale.
        // Releasing twice is harmless: the rung's own release may already have run.
        compensate: (decision) => {
          if (decision.allowed) deps.guardrails.release(service, perInstance ? instance : undefined);
        },
      });
      if (!guard.allowed) {
        attempted.denied.push(...guard.results.filter((r) => !r.ok).map((r) => `${label}: ${r.detail}`));
        if (guard.results.some((r) => r.guard === 'pause' && !r.ok)) attempted.paused = true;
        continue;
      }
      const release = () => deps.guardrails.release(service, perInstance ? instance : undefined);
      if (guard.dryRun) {
        await ctx.step(`act:${rung}`, async () => {
          await record(incidentId, 'action', { rung, action: label, dryRun: true, detail: 'dry-run: would run, executed nothing' });
          release();
          return { ok: true, dryRun: true };
        });
        attempted.dryRun = true;
        continue;
      }
      let approvedBy: string | null = null;
      if (policy.approval.required) {
        const approvalId = `${ctx.runId}:${rung}`;
        await ctx.step(`approval-request:${rung}`, async () => {
          await knowledge.approvals.request({ id: approvalId, incidentId, action: label, ttlMs: policy.approval.ttl }, 'controller');
          await knowledge.incidents.setStatus(incidentId, 'awaiting-approval', `waiting for approval to ${label} (homeostat approve ${incidentId})`);
          await record(incidentId, 'approval', { rung, action: label, approval: approvalId, status: 'pending', ttlMs: policy.approval.ttl });
        });
        const firstWait = Math.max(0, policy.approval.ttl - policy.approval.warnBefore);
        let answer = await ctx.waitForSignal<string>(`approval:${rung}`, { timeout: firstWait });
        if (answer === undefined && policy.approval.warnBefore > 0) {
          await ctx.step(`approval-warning:${rung}`, async ({ signal }) => {
            const sent = await escalate(deps, incidentId, 'warning', signal);
            // Not a page (the ladder's escalation still pages), but a webhook that got it has an alert open: `delivered` lets the resolve close it.
            await record(incidentId, 'approval', { rung, action: label, approval: approvalId, status: 'expiring', delivered: sent.delivered, detail: `expires in ${policy.approval.warnBefore} ms; ${sent.detail}` });
          });
          answer = await ctx.waitForSignal<string>(`approval:${rung}`, { timeout: Math.min(policy.approval.warnBefore, policy.approval.ttl) });
        }
        const decision = await ctx.step(`approval-decision:${rung}`, async () => {
          const decided = answer === undefined ? await knowledge.approvals.decide(approvalId, 'expired', 'controller', 'no answer before the TTL (default deny)') : await knowledge.approvals.get(approvalId);
          const final = decided?.status ?? 'expired';
          await record(incidentId, 'approval', { rung, action: label, approval: approvalId, status: final, by: decided?.decidedBy ?? null, reason: decided?.reason ?? null });
          await knowledge.incidents.setStatus(incidentId, 'remediating');
          return { status: final, by: decided?.decidedBy ?? null };
        });
        if (decision.status !== 'approved') {
          release();
          attempted.denied.push(`${label}: approval ${decision.status}`);
          continue;
        }
        approvedBy = decision.by;
      }
      attempted.executed = true;
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
          // An agent's restart shows on the process that runs it: a resumed run looks there.
          const agent = agentOf(service);
          const processService = agent === undefined ? undefined : deps.agentProcess?.(agent);
          const intent: ActionIntent = { knowledge, control: deps.control, incidentId, runId: ctx.runId, rung, action, label, service, ...(instance ? { instance } : {}), ...(processService ? { processService } : {}), ...(leaderTerm === undefined ? {} : { leaderTerm }) };
          const resumed = await resumeInterrupted(intent);
          if (resumed?.recorded) return resumed.outcome;
          const { since, ownRestartAt } = restartSince(await knowledge.incidents.explain(incidentId));
          if (!resumed) await recordIntent(intent);
          // The node and this rung's request id: the owning node's agent executes it, once (node-routed-actuator.ts).
          const target = { incidentId, service, ...(instance ? { instance } : {}), ...(since !== undefined ? { since } : {}), ...(ownRestartAt !== undefined ? { ownRestartAt } : {}), ...(input.node ? { node: input.node } : {}), requestId: `${ctx.runId}:${rung}` };
          const outcome = resumed?.outcome ?? (await deps.actuator.execute(action, target, signal));
          await record(incidentId, 'action', { rung, run: ctx.runId, action: label, ...(leaderTerm === undefined ? {} : { leaderTerm }), ...outcome });
          await knowledge.audit.append('controller', `action.${action.action}`, incidentId, { rung, target: instance ?? service, ...authority, ...(approvedBy ? { approvedBy } : {}), ...outcome });
          return outcome;
        },
        { retry: false },
      );
      const verified = await ctx.step(
        `verify:${rung}`,
        async ({ signal }) => {
          // An uncertain action (interrupted by a crash, not repeated) may have worked: health decides.
          const health = acted.ok || acted.uncertain ? await incidentHealth(deps, incidentId, { target: acted.verifyOn ?? service, ...(acted.verifyOn ? { replaced: service } : {}) }) : undefined;
          const joined = health && joinChecks(() => health.read(), () => health.failing(), policyChecks(deps, policy, signal));
          const result = joined
            ? await verifyHealthy(() => joined.isHealthy(), { healthyForMs: policy.verify.healthyFor, timeoutMs: policy.verify.timeout, signal, whyNot: () => joined.whyNot() })
            : { ok: false, verdict: 'failing' as const, detail: `not verified: the action failed (${acted.detail})`, tookMs: 0 };
          release();
          await record(incidentId, 'verification', { rung, action: label, ...result, ...(health ? { checked: describeChecked(health.symptoms(), policy) } : {}) });
          if (result.verdict === 'unknown') {
            await knowledge.audit.append('controller', 'verification.unknown', incidentId, { rung, action: label, detail: result.detail });
            // Unknown is neither the action's success nor its failure: nothing is learnt from it.
            return result;
          }
          // A skipped action did nothing: whatever health follows is not its success (nor its failure).
          if (!acted.skipped || acted.resumed) await knowledge.outcome(input.diagnosis, action.action, result.ok);
          return result;
        },
        { retry: false, timeout: policy.verify.timeout + 10_000 },
      );
      if (verified.ok) {
        await ctx.step('resolve', async () => {
          await deps.guardrails.outcome(service, true);
          if (acted.skipped && !acted.resumed && acted.healedBy) {
            // The supervisor's restart policy did what the rung would have: credited to it, not to the skipped rung.
            await record(incidentId, 'outcome', { outcome: 'resolved', resolution: 'action', by: acted.healedBy, detail: `${label} ${acted.detail}`, rung });
            await knowledge.incidents.resolve(incidentId, { resolution: 'action', by: acted.healedBy, summary: `${acted.healedBy} helped: healthy for ${policy.verify.healthyFor} ms (${label} was skipped)` });
            return;
          }
          if (acted.skipped && !acted.resumed) {
            // Healthy without an action of ours (someone else restarted or fixed it): not credited to the skipped action.
            await record(incidentId, 'outcome', { outcome: 'resolved', resolution: 'external', detail: `resolved externally: ${label} was skipped (${acted.detail})`, rung });
            await knowledge.incidents.resolve(incidentId, { resolution: 'external', by: null, summary: `resolved externally: healthy for ${policy.verify.healthyFor} ms without an action of homeostat (${label} was skipped)` });
            return;
          }
          await record(incidentId, 'outcome', { outcome: 'resolved', by: label, rung });
          await knowledge.incidents.resolve(incidentId, { resolution: 'action', by: label, summary: `${label} helped: healthy for ${policy.verify.healthyFor} ms` });
        });
        return { outcome: 'resolved', rung };
      }
      if (verified.verdict === 'unknown') {
        // Unknown at the timeout stops the ladder: the next rung is more disruptive, and it
        // would be verified just as blind — a human decides (see docs/detection-and-diagnosis.md).
        attempted.unknown = `verification of ${label} is ${verified.detail}`;
        break;
      }
    }
    return finishUnhealed(ctx, deps, input, attempted);
  });
}

/** What the ladder did, for an honest ending when no rung healed the incident. */
interface Attempted {
  /** An action ran (not only recorded). */
  executed: boolean;
  /** A rung was only recorded (dry-run). */
  dryRun: boolean;
  /** An `escalate` rung paged someone. */
  escalated: boolean;
  /** A rung was refused because remediation is paused. */
  paused: boolean;
  /** Why rungs were not allowed to act (guardrails, approvals). */
  denied: string[];
  /** The policy the loop matched is no longer in the applied config. */
  missingPolicy?: boolean;
  /** Verification of an action ended unknown (a PromQL check unanswered): the ladder stopped there. */
  unknown?: string;
}

/**
 * The end of a ladder that healed nothing, said as it happened: a dry-run that executed
 * nothing; or an escalation — after actions that did not help, after rungs that were not
 * allowed to act (paused, budgets, approvals), for a ladder that only escalates, or for a
 * policy removed from the config. A human is paged unless one paused remediation or an
 * `escalate` rung of this run already paged (one page per run), and not again while an earlier
 * cycle's page is outstanding (see page-once.ts); slow retries follow every escalation.
 */
async function finishUnhealed(ctx: WorkflowContext, deps: RemediationDeps, input: RemediationInput, attempted: Attempted): Promise<RemediationOutput> {
  const { knowledge } = deps;
  const { incidentId, service } = input;
  const record = (kind: Parameters<Knowledge['incidents']['record']>[1], data: Record<string, unknown>) => knowledge.incidents.record(incidentId, kind, data);
  if (!attempted.executed && attempted.dryRun && attempted.denied.length === 0) {
    await ctx.step('dry-run-outcome', async () => {
      await record('outcome', { outcome: 'dry-run', detail: 'every action was recorded, none executed' });
      await knowledge.incidents.setStatus(incidentId, 'escalated', 'dry-run: decided and recorded, nothing executed');
    });
    return { outcome: 'dry-run' };
  }
  const why = attempted.missingPolicy
    ? `policy "${input.policyName}" is no longer in the applied config`
    : attempted.unknown
      ? `${attempted.unknown}; the ladder stops there rather than run a more disruptive action it could not verify either`
      : attempted.executed
      ? 'no action helped'
      : attempted.denied.length > 0
        ? `no action was allowed to run (${attempted.denied.join('; ')})`
        : attempted.escalated
          ? `policy "${input.policyName}" only escalates: a human is to act`
          : `policy "${input.policyName}" has no action to run`;
  const page = !(attempted.paused && !attempted.executed) && !attempted.escalated;
  await ctx.step('escalate', async ({ signal }) => {
    if (attempted.executed) await deps.guardrails.outcome(service, false);
    if (page) await pageOnce(deps, knowledge.incidents, incidentId, 'critical', signal, { reason: why });
    await record('outcome', { outcome: 'escalated', detail: `${why}; slow retries continue` });
    await knowledge.incidents.setStatus(incidentId, 'escalated', `${why}; escalated, retrying slowly`);
  });
  return { outcome: 'escalated' };
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

/** The symptoms and PromQL checks verification waited for, for the explanation ("readiness-failing on nginx", "check error-ratio: …"). */
function describeChecked(symptoms: IncidentSymptom[], policy: PolicyConfig): string[] {
  return [
    ...symptoms.map((s) => `${s.name} on ${s.element}${clearanceOf(s.name) === 'event' ? ' (an event: nothing to wait for)' : ''}`),
    ...policy.verify.checks.map((c) => `check ${c.name}: ${c.query}${c.range !== undefined ? ` over ${c.range} ms` : ''}`),
  ];
}

/**
 * The policy's PromQL checks, from now (the action just ended). A policy with checks but no
 * Prometheus (a config that removed it since the run started) reads unknown, never pass.
 */
function policyChecks(deps: RemediationDeps, policy: PolicyConfig, signal: AbortSignal) {
  if (policy.verify.checks.length === 0) return undefined;
  const prometheus = deps.prometheus?.();
  if (!prometheus) return { read: () => Promise.resolve({ state: 'unknown' as const, detail: 'no prometheus: { url } in the applied config for the checks' }) };
  return verificationChecks(policy.verify.checks, { prometheus, sinceMs: Date.now(), signal });
}
